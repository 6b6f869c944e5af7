/**
 * Every way a verification can fail, in one catalogue.
 *
 * A failure is either the token's fault (401, or 403 for a missing scope: the client should get a
 * new token) or ours (503: the keys could not be fetched, the client should retry later). The
 * codes are stable; callers and tests match on `code`, never on `message`. Messages never contain
 * the token and never contain `"` or `\`, so they can go into a `WWW-Authenticate` header as is.
 */

/** RFC 6750 §3.1 error codes a resource server sends back in `WWW-Authenticate`. */
export type BearerErrorCode = 'invalid_token' | 'insufficient_scope';

interface CatalogueEntry {
  readonly status: 401 | 403 | 503;
  readonly bearerError: BearerErrorCode | undefined;
  readonly meaning: string;
}

const invalidToken = (meaning: string) => ({ status: 401, bearerError: 'invalid_token', meaning }) as const;
const ours = (meaning: string) => ({ status: 503, bearerError: undefined, meaning }) as const;

/** The stable codes, with the HTTP status and RFC 6750 error each one maps to. */
export const VERIFY_ERROR_CODES = Object.freeze({
  ERR_TOKEN_MISSING: invalidToken('no bearer token was presented'),
  ERR_TOKEN_TOO_LARGE: invalidToken('the token is larger than any token the gateway issues'),
  ERR_TOKEN_MALFORMED: invalidToken('the token is not a compact JWS with a JSON header and claims set'),
  ERR_TOKEN_TYPE: invalidToken('the header typ is not at+jwt (RFC 9068)'),
  ERR_TOKEN_ALGORITHM: invalidToken('the header alg is not allowed, or does not fit the key'),
  ERR_TOKEN_KEY_UNKNOWN: invalidToken('no published key has the header kid'),
  ERR_TOKEN_SIGNATURE: invalidToken('the signature does not verify'),
  ERR_TOKEN_EXPIRED: invalidToken('exp has passed'),
  ERR_TOKEN_NOT_YET_VALID: invalidToken('nbf or iat is in the future'),
  ERR_TOKEN_LIFETIME: invalidToken('exp is further after iat than the gateway ever allows'),
  ERR_TOKEN_ISSUER: invalidToken('iss is not the configured issuer'),
  ERR_TOKEN_AUDIENCE: invalidToken('aud does not contain the configured audience'),
  ERR_TOKEN_CLAIM: invalidToken('a required claim is missing or has the wrong form'),
  ERR_TOKEN_REVOKED: invalidToken('the gateway revoked the token (logout, sign out everywhere, an operator)'),
  ERR_TOKEN_SCOPE: {
    status: 403,
    bearerError: 'insufficient_scope',
    meaning: 'scope lacks the required scope',
  } as const,
  ERR_KEYS_UNAVAILABLE: ours('the issuer discovery document or its JWKS could not be fetched'),
  ERR_REVOCATIONS_UNAVAILABLE: ours('the issuer revocation feed could not be read for too long to rule out a revocation'),
  ERR_VERIFIER_FAILED: ours('the verifier failed unexpectedly'),
} satisfies Record<string, CatalogueEntry>);

export type VerifyErrorCode = keyof typeof VERIFY_ERROR_CODES;
export type InvalidTokenCode = {
  [C in VerifyErrorCode]: (typeof VERIFY_ERROR_CODES)[C]['status'] extends 401 ? C : never;
}[VerifyErrorCode];
export type UnavailableCode = {
  [C in VerifyErrorCode]: (typeof VERIFY_ERROR_CODES)[C]['status'] extends 503 ? C : never;
}[VerifyErrorCode];

/** Base of every per-request failure; `status` and `bearerError` come from the catalogue. */
export abstract class VerifyError extends Error {
  abstract readonly code: VerifyErrorCode;

  get status(): 401 | 403 | 503 {
    return VERIFY_ERROR_CODES[this.code].status;
  }

  get bearerError(): BearerErrorCode | undefined {
    return VERIFY_ERROR_CODES[this.code].bearerError;
  }

  /** True when the client is at fault (4xx); false when we are (5xx). */
  get isTokenFault(): boolean {
    return this.status < 500;
  }
}

/** The token is not one we accept (401 `invalid_token`). */
export class InvalidTokenError extends VerifyError {
  override readonly name = 'InvalidTokenError';

  constructor(
    readonly code: InvalidTokenCode,
    message: string,
    /** The offending claim or header parameter, when there is one. */
    readonly claim?: string,
  ) {
    super(message);
  }
}

/** The token is genuine but does not grant the scope this resource needs (403). */
export class InsufficientScopeError extends VerifyError {
  override readonly name = 'InsufficientScopeError';
  readonly code = 'ERR_TOKEN_SCOPE';

  constructor(readonly requiredScope: string) {
    super(`token scope does not include ${requiredScope}`);
  }
}

/**
 * We cannot decide right now (503). Never the client's fault: `retryAfterSeconds` says when the
 * next key fetch will be allowed.
 */
export class VerifierUnavailableError extends VerifyError {
  override readonly name = 'VerifierUnavailableError';

  constructor(
    readonly code: UnavailableCode,
    message: string,
    readonly retryAfterSeconds: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A caller mistake in `createVerifier` options, thrown at start-up. Not a VerifyError: it never
 * happens per request. The message names the option first.
 */
export class VerifierConfigError extends Error {
  override readonly name = 'VerifierConfigError';
  readonly code = 'ERR_VERIFIER_CONFIG';

  constructor(
    readonly option: string,
    readonly problem: string,
  ) {
    super(`${option}: ${problem}`);
  }
}
