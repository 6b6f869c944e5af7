import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The `t` of an unsubscribe link (`ISSUER/unsubscribe/replies?t=…`): which account stops
 * hearing about replies on which site, signed so nobody can unsubscribe someone else.
 *
 * `base64url(accountId "\n" siteId "\n" issuedAtSeconds) "." base64url(HMAC-SHA256)`, keyed with
 * secrets.unsubscribeSecret. It names no email address (a forwarded email gives away nothing
 * but this one switch), and it does not expire: RFC 8058 asks that the link keep working, and an
 * unsubscribe link that stops working in an old email is the kind mail providers treat as spam.
 * The issue time is there so a later policy can refuse links from before a secret leaked.
 */

/** What the MAC covers besides the payload: a MAC for another purpose is never accepted here. */
const PURPOSE = 'parley reply-notifications unsubscribe v1';
const ACCOUNT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const SITE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** A token is far shorter; anything longer is not worth decoding. */
const MAX_TOKEN_LENGTH = 512;

export interface UnsubscribeClaims {
  readonly accountId: string;
  readonly siteId: string;
  /** Epoch seconds. */
  readonly issuedAt: number;
}

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`${PURPOSE}\n${payload}`).digest();
}

export function createUnsubscribeToken(secret: string, claims: UnsubscribeClaims): string {
  const payload = Buffer.from(`${claims.accountId}\n${claims.siteId}\n${claims.issuedAt}`).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

/** The claims of a genuine token; undefined for anything else (malformed, altered, forged). */
export function readUnsubscribeToken(secret: string, token: unknown): UnsubscribeClaims | undefined {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return undefined;
  const match = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return undefined;
  const [, payload, signature] = match as unknown as [string, string, string];
  const expected = mac(secret, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const [accountId, siteId, issuedAt, ...rest] = Buffer.from(payload, 'base64url').toString('utf8').split('\n');
  if (rest.length > 0 || accountId === undefined || siteId === undefined || issuedAt === undefined) return undefined;
  if (!ACCOUNT_ID_PATTERN.test(accountId) || !SITE_ID_PATTERN.test(siteId) || !/^\d{1,12}$/.test(issuedAt)) return undefined;
  return { accountId, siteId, issuedAt: Number(issuedAt) };
}
