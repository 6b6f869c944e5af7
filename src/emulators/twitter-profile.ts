/**
 * The user object of GET account/verify_credentials (API v1.1), built from a test user.
 * Parameters honoured as Twitter documents them:
 * - `include_email=true`: adds `email` (null when the account has none) if the app has the
 *   email permission; without the permission the field is absent.
 * - `skip_status=true`: drops the embedded latest `status`.
 * - `include_entities=false`: drops `entities`.
 * Twitter ids exceed 2^53, so numeric ids are written as raw digits, not via a JS number.
 */
import type { TwitterTestUser } from './test-users';

export interface VerifyCredentialsParams {
  readonly includeEmail: boolean;
  readonly skipStatus: boolean;
  readonly includeEntities: boolean;
  readonly emailPermission: boolean;
}

/** Twitter reads "true", "t" and "1" as true for boolean parameters. */
export function twitterBoolean(value: unknown, fallback: boolean): boolean {
  if (typeof value !== 'string') return fallback;
  const lower = value.toLowerCase();
  if (lower === 'true' || lower === 't' || lower === '1') return true;
  if (lower === 'false' || lower === 'f' || lower === '0') return false;
  return fallback;
}

/** A number that must reach the JSON text exactly as these digits. */
class RawNumber {
  constructor(readonly digits: string) {}
}

function toJson(value: object): string {
  const raw: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof RawNumber) {
      raw.push(v.digits);
      return `\u0000raw${raw.length - 1}\u0000`;
    }
    return v;
  });
  return text.replace(/"\\u0000raw(\d+)\\u0000"/g, (_m, i: string) => raw[Number(i)] ?? '0');
}

/** Ids of the fake latest tweet: deterministic per user so responses are stable. */
function statusIdFor(user: TwitterTestUser): string {
  return (BigInt(user.idStr) + 1_000_000_000_000n).toString();
}

export function renderVerifyCredentials(user: TwitterTestUser, params: VerifyCredentialsParams): string {
  const entities = { description: { urls: [] } };
  const statusId = statusIdFor(user);
  const profile: Record<string, unknown> = {
    id: new RawNumber(user.idStr),
    id_str: user.idStr,
    name: user.name,
    screen_name: user.screenName,
    location: user.location,
    description: user.description,
    url: null,
    ...(params.includeEntities ? { entities } : {}),
    protected: false,
    followers_count: 42,
    friends_count: 7,
    listed_count: 0,
    created_at: user.createdAt,
    favourites_count: 3,
    utc_offset: null,
    time_zone: null,
    geo_enabled: false,
    verified: false,
    statuses_count: 1,
    lang: null,
    ...(params.skipStatus
      ? {}
      : {
          status: {
            created_at: user.createdAt,
            id: new RawNumber(statusId),
            id_str: statusId,
            text: 'Hello from the Parley Twitter emulator.',
            truncated: false,
            ...(params.includeEntities ? { entities: { hashtags: [], symbols: [], user_mentions: [], urls: [] } } : {}),
            source: 'Parley emulator',
            in_reply_to_status_id: null,
            in_reply_to_status_id_str: null,
            in_reply_to_user_id: null,
            in_reply_to_user_id_str: null,
            in_reply_to_screen_name: null,
            geo: null,
            coordinates: null,
            place: null,
            contributors: null,
            is_quote_status: false,
            retweet_count: 0,
            favorite_count: 0,
            favorited: false,
            retweeted: false,
            lang: 'en',
          },
        }),
    contributors_enabled: false,
    is_translator: false,
    is_translation_enabled: false,
    profile_background_color: 'F5F8FA',
    profile_background_image_url: null,
    profile_background_image_url_https: null,
    profile_background_tile: false,
    profile_image_url: user.profileImageUrlHttps.replace(/^https:/, 'http:'),
    profile_image_url_https: user.profileImageUrlHttps,
    profile_link_color: '1DA1F2',
    profile_sidebar_border_color: 'C0DEED',
    profile_sidebar_fill_color: 'DDEEF6',
    profile_text_color: '333333',
    profile_use_background_image: true,
    has_extended_profile: false,
    default_profile: true,
    default_profile_image: false,
    following: false,
    follow_request_sent: false,
    notifications: false,
    translator_type: 'none',
    withheld_in_countries: [],
    suspended: false,
    needs_phone_verification: false,
    ...(params.includeEmail && params.emailPermission ? { email: user.email } : {}),
  };
  return toJson(profile);
}
