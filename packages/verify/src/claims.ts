import { InsufficientScopeError, InvalidTokenError, quoteForLog, WrongSiteError } from './errors';

/**
 * Turns a verified claims set into a Commenter, enforcing the access-token contract of the
 * Parley design ("Tokens") and RFC 9068 §4:
 *
 * - `iss` equals the issuer; `aud` is, or contains, the audience; `client_id` is a site served
 *   (else 403 `wrong_site`).
 * - `exp` and `iat` are numbers; `exp` not passed, `iat` and `nbf` (if any) not in the future, and
 *   `exp - iat` at most 15 minutes, each give or take the clock tolerance.
 * - `sub`, `client_id`, `jti`, `name` are non-empty strings; `idp` is email, twitter or facebook;
 *   `picture` is absent or an https URL (it ends up in an `<img src>` on someone's blog).
 * - `scope` is a space-separated string that contains the required scope (else 403).
 * - `cnf`, when present, binds the token to a DPoP key: `cnf.jkt`, a SHA-256 JWK thumbprint (RFC
 *   9449 §6.1). Any other confirmation method (an mTLS certificate) is refused: this verifier
 *   could not check it, and treating the token as unbound would undo the binding.
 *
 * A claim that is absent or of the wrong type is ERR_TOKEN_CLAIM; a well-formed claim with the
 * wrong value gets its own code. For iss, aud and client_id, whose wrong value is most often a
 * wrong option rather than an attack, the message names what was expected and what came.
 */

export const IDENTITY_PROVIDERS = ['email', 'twitter', 'facebook'] as const;
export type IdentityProvider = (typeof IDENTITY_PROVIDERS)[number];

/** The gateway's access-token lifetime ceiling (the contract: exp at most 15 minutes after iat). */
export const MAX_TOKEN_LIFETIME_SECONDS = 15 * 60;

/** Who is commenting, as proven by a verified access token. Frozen; safe to share. */
export interface Commenter {
  /** Pairwise subject: stable for this commenter on this site, different on every other site. */
  readonly sub: string;
  /** The site the token was issued to (its `client_id`). */
  readonly siteId: string;
  readonly name: string;
  /** An https URL, or absent. */
  readonly picture?: string;
  readonly idp: IdentityProvider;
  readonly scopes: readonly string[];
  /** The token's `jti`. */
  readonly tokenId: string;
  /** The token's `sid`: the sign-in (one browser session at this site) it was issued on, if named. */
  readonly sessionId?: string;
  /**
   * The token's `cnf.jkt` when it is DPoP-bound: the RFC 7638 thumbprint of the key whose proofs
   * must come with it. Absent for a Bearer token.
   */
  readonly dpopKeyThumbprint?: string;
  /** NumericDate (seconds since the epoch) of `iat`. */
  readonly issuedAt: number;
  /** NumericDate (seconds since the epoch) of `exp`. */
  readonly expiresAt: number;
}

export interface ClaimsPolicy {
  readonly issuer: string;
  readonly audience: string;
  readonly clientIds: ReadonlySet<string>;
  readonly requiredScope: string;
  readonly clockToleranceSeconds: number;
}

/** Sites a log line lists before it only counts the rest (a shared service may serve hundreds). */
const MAX_LISTED_SITES = 5;

function describeSites(clientIds: ReadonlySet<string>): string {
  const listed = [...clientIds].slice(0, MAX_LISTED_SITES).map(quoteForLog).join(', ');
  const more = clientIds.size > MAX_LISTED_SITES ? ` and ${clientIds.size - MAX_LISTED_SITES} more` : '';
  return `the configured clientId ${listed}${more}`;
}

function claimError(claim: string, problem: string): InvalidTokenError {
  return new InvalidTokenError('ERR_TOKEN_CLAIM', `token claim ${claim} ${problem}`, claim);
}

function requireString(claims: Record<string, unknown>, claim: string): string {
  const value = claims[claim];
  if (value === undefined) throw claimError(claim, 'is missing');
  if (typeof value !== 'string' || value.length === 0) throw claimError(claim, 'must be a non-empty string');
  return value;
}

function requireNumericDate(claims: Record<string, unknown>, claim: string): number {
  const value = claims[claim];
  if (value === undefined) throw claimError(claim, 'is missing');
  if (typeof value !== 'number' || !Number.isFinite(value)) throw claimError(claim, 'must be a NumericDate');
  return value;
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

/** base64url of a SHA-256 digest: 43 characters. */
const SHA256_THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;

function dpopKeyThumbprintOf(cnf: unknown): string | undefined {
  if (cnf === undefined) return undefined;
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf)) throw claimError('cnf', 'must be an object');
  const { jkt } = cnf as Record<string, unknown>;
  if (jkt === undefined) throw claimError('cnf', 'binds the token to something other than a DPoP key (no jkt)');
  if (typeof jkt !== 'string' || !SHA256_THUMBPRINT.test(jkt)) throw claimError('cnf.jkt', 'must be a SHA-256 JWK thumbprint');
  return jkt;
}

function checkAudience(aud: unknown, audience: string): void {
  if (aud === undefined) throw claimError('aud', 'is missing');
  const list = typeof aud === 'string' ? [aud] : aud;
  if (!Array.isArray(list) || list.length === 0 || !list.every((item) => typeof item === 'string')) {
    throw claimError('aud', 'must be a string or an array of strings');
  }
  if (!list.includes(audience)) {
    throw new InvalidTokenError(
      'ERR_TOKEN_AUDIENCE',
      `token audience ${quoteForLog(aud)} does not contain the configured audience ${quoteForLog(audience)}`,
      'aud',
      'token audience is not this service',
    );
  }
}

function checkTimes(
  claims: Record<string, unknown>,
  nowSeconds: number,
  toleranceSeconds: number,
): { iat: number; exp: number } {
  const exp = requireNumericDate(claims, 'exp');
  const iat = requireNumericDate(claims, 'iat');
  const nbf = claims.nbf;
  if (nbf !== undefined && (typeof nbf !== 'number' || !Number.isFinite(nbf))) {
    throw claimError('nbf', 'must be a NumericDate');
  }
  // RFC 7519 §4.1.4: the token must not be accepted on or after exp.
  if (exp <= nowSeconds - toleranceSeconds) {
    throw new InvalidTokenError('ERR_TOKEN_EXPIRED', 'token has expired', 'exp');
  }
  if (iat > nowSeconds + toleranceSeconds) {
    throw new InvalidTokenError('ERR_TOKEN_NOT_YET_VALID', 'token was issued in the future', 'iat');
  }
  if (nbf !== undefined && nbf > nowSeconds + toleranceSeconds) {
    throw new InvalidTokenError('ERR_TOKEN_NOT_YET_VALID', 'token is not valid yet', 'nbf');
  }
  if (exp - iat > MAX_TOKEN_LIFETIME_SECONDS + toleranceSeconds) {
    throw new InvalidTokenError('ERR_TOKEN_LIFETIME', 'token lifetime exceeds 15 minutes', 'exp');
  }
  return { iat, exp };
}

function parseScopes(claims: Record<string, unknown>, requiredScope: string): string[] {
  const scope = claims.scope;
  if (scope === undefined) throw claimError('scope', 'is missing');
  if (typeof scope !== 'string') throw claimError('scope', 'must be a space-separated string');
  const scopes = scope.split(' ').filter((item) => item.length > 0);
  if (!scopes.includes(requiredScope)) throw new InsufficientScopeError(requiredScope);
  return scopes;
}

/** Validates the claims of a token whose signature has already been verified. */
export function commenterFromClaims(
  claims: Record<string, unknown>,
  policy: ClaimsPolicy,
  nowSeconds: number,
): Commenter {
  const iss = requireString(claims, 'iss');
  if (iss !== policy.issuer) {
    throw new InvalidTokenError(
      'ERR_TOKEN_ISSUER',
      `token issuer ${quoteForLog(iss)} is not the configured issuer ${quoteForLog(policy.issuer)}`,
      'iss',
      'token issuer is not the configured issuer',
    );
  }
  checkAudience(claims.aud, policy.audience);
  const { iat, exp } = checkTimes(claims, nowSeconds, policy.clockToleranceSeconds);

  const sub = requireString(claims, 'sub');
  const siteId = requireString(claims, 'client_id');
  const tokenId = requireString(claims, 'jti');
  const name = requireString(claims, 'name');
  const idp = requireString(claims, 'idp');
  if (!(IDENTITY_PROVIDERS as readonly string[]).includes(idp)) {
    throw claimError('idp', 'must be email, twitter or facebook');
  }
  const picture = claims.picture;
  if (picture !== undefined && (typeof picture !== 'string' || !isHttpsUrl(picture))) {
    throw claimError('picture', 'must be an https URL');
  }
  const sid = claims.sid;
  if (sid !== undefined && (typeof sid !== 'string' || sid.length === 0)) throw claimError('sid', 'must be a non-empty string');
  const dpopKeyThumbprint = dpopKeyThumbprintOf(claims.cnf);
  // The 403s last: they should only ever be said about an otherwise valid token.
  if (!policy.clientIds.has(siteId)) throw new WrongSiteError(siteId, describeSites(policy.clientIds));
  const scopes = parseScopes(claims, policy.requiredScope);

  const commenter: Commenter = {
    sub,
    siteId,
    name,
    ...(picture === undefined ? {} : { picture }),
    idp: idp as IdentityProvider,
    scopes: Object.freeze(scopes),
    tokenId,
    ...(sid === undefined ? {} : { sessionId: sid }),
    ...(dpopKeyThumbprint === undefined ? {} : { dpopKeyThumbprint }),
    issuedAt: iat,
    expiresAt: exp,
  };
  return Object.freeze(commenter);
}
