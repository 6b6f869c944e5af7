/**
 * The made-up people the emulators sign in. Ids are stable across runs so tests and fixtures
 * can refer to them. Avatars live under the reserved `.example` domain (RFC 2606): they are
 * https URLs of the right shape that can never reach a real host.
 *
 * Quirks kept on purpose:
 * - Alice's Twitter id is above 2^53, so the numeric `id` in Twitter's JSON cannot be read
 *   exactly by JavaScript; clients must use `id_str`, as Twitter tells them to.
 * - Carol's and Frankie's names contain HTML metacharacters, to prove the pages escape them.
 * - Carol has no email and Eli has no photo (Facebook's silhouette), the cases clients forget.
 */

export interface TwitterTestUser {
  /** Twitter ids are 64-bit integers; the JSON carries them both as a number and as `id_str`. */
  readonly idStr: string;
  readonly screenName: string;
  readonly name: string;
  /** Null when the account has no verified email (Twitter then answers `"email": null`). */
  readonly email: string | null;
  /** The https `_normal` (48×48) avatar, as in `profile_image_url_https`. */
  readonly profileImageUrlHttps: string;
  readonly description: string;
  readonly location: string;
  /** Twitter's date format, e.g. "Wed Oct 10 20:19:24 +0000 2018". */
  readonly createdAt: string;
}

export interface FacebookTestUser {
  /** App-scoped user id; Graph sends ids as strings. */
  readonly id: string;
  readonly name: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string | null;
  /** Base https URL of the profile picture; the emulator adds the requested size. */
  readonly pictureUrl: string;
  /** True when the person has no photo and Facebook serves its default silhouette. */
  readonly isSilhouette: boolean;
}

export const TWITTER_TEST_USERS: readonly TwitterTestUser[] = Object.freeze([
  Object.freeze({
    idStr: '1580661436132757506',
    screenName: 'parley_alice',
    name: 'Alice Example',
    email: 'alice@example.com',
    profileImageUrlHttps: 'https://avatars.parley.example/twitter/parley_alice_normal.png',
    description: 'Test user of the Parley Twitter emulator.',
    location: 'Loopback',
    createdAt: 'Thu Oct 13 22:01:39 +0000 2022',
  }),
  Object.freeze({
    idStr: '4000000001',
    screenName: 'parley_bob',
    name: 'Bob Tester',
    email: 'bob@example.com',
    profileImageUrlHttps: 'https://avatars.parley.example/twitter/parley_bob_normal.png',
    description: 'Second test user of the Parley Twitter emulator.',
    location: '127.0.0.1',
    createdAt: 'Mon Nov 02 09:30:00 +0000 2015',
  }),
  Object.freeze({
    idStr: '7000000003',
    screenName: 'parley_carol',
    name: `Carol <O'Hara> & "Co"`,
    email: null,
    profileImageUrlHttps: 'https://avatars.parley.example/twitter/parley_carol_normal.png',
    description: 'Has no email and a name full of HTML metacharacters.',
    location: '',
    createdAt: 'Sat Feb 01 12:00:00 +0000 2020',
  }),
]);

export const FACEBOOK_TEST_USERS: readonly FacebookTestUser[] = Object.freeze([
  Object.freeze({
    id: '100000000000001',
    name: 'Dana Example',
    firstName: 'Dana',
    lastName: 'Example',
    email: 'dana@example.com',
    pictureUrl: 'https://avatars.parley.example/facebook/100000000000001.jpg',
    isSilhouette: false,
  }),
  Object.freeze({
    id: '100000000000002',
    name: 'Eli Tester',
    firstName: 'Eli',
    lastName: 'Tester',
    email: 'eli@example.com',
    pictureUrl: 'https://avatars.parley.example/facebook/silhouette.png',
    isSilhouette: true,
  }),
  Object.freeze({
    id: '100000000000003',
    name: `Frankie "<b>Bold</b>" O'Neil & Co`,
    firstName: 'Frankie',
    lastName: "O'Neil",
    email: null,
    pictureUrl: 'https://avatars.parley.example/facebook/100000000000003.jpg',
    isSilhouette: false,
  }),
]);
