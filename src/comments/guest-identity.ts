import { randomBytes } from 'node:crypto';

/**
 * Who a guest comment's author is (guest-comments.ts): `idp` `guest`, and a subject of its own
 * per comment, `guest:` and 96 random bits, which no token can carry (pairwise subjects have no
 * ":"). Apart from guest-comments.ts so the posting path and the reply outbox read the same
 * definition without importing the guest route.
 */
export const GUEST_IDP = 'guest';
export const GUEST_SUB_PREFIX = 'guest:';
const GUEST_SUB_BYTES = 12;

export function newGuestSubject(): string {
  return `${GUEST_SUB_PREFIX}${randomBytes(GUEST_SUB_BYTES).toString('base64url')}`;
}
