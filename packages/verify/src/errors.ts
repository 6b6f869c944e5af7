/**
 * Every way a verification can fail, in one catalogue.
 *
 * A failure is either the token's fault (401, or 403 for a genuine token that is not allowed here:
 * another site's, or one without the scope) or ours (503: the keys could not be fetched, or the
 * verifier is set up for another issuer than the gateway it asks). The codes are stable; callers
 * and tests match on `code`, never on `message`.
 *
 * Two texts per error. `message` is for the operator's log: for a setup mistake it names what was
 * expected and what came (audience, site, issuer), so a wrong option shows at a glance.
 * `publicMessage` is what the client is told (the 401/403 body and `WWW-Authenticate`): it never
 * names configured values. Neither ever contains the token.
 */

/**
 * The error codes a resource server sends back in `WWW-Authenticate`: RFC 6750 §3.1's, and RFC
 * 9449 §7.1's `invalid_dpop_proof` (the DPoP proof, not the token, is at fault).
 */
export type BearerErrorCode = 'invalid_token' | 'insufficient_scope' | 'invalid_dpop_proof';

/**
 * The authentication scheme a 401/403 challenges the client to use (RFC 7235 §4.1): Bearer, or
 * DPoP (RFC 9449 §7.1) when the answer is about a DPoP presentation or a token that must be
 * presented with DPoP. A client that sent `Authorization: DPoP` is always answered in DPoP.
 */
export type ChallengeScheme = 'Bearer' | 'DPoP';

interface CatalogueEntry {
  readonly status: 401 | 403 | 503;
  readonly bearerError: BearerErrorCode | undefined;
  /** Set when the refusal is DPoP's whatever scheme the client used (a bound token sent as Bearer). */
  readonly scheme?: ChallengeScheme;
  /** The `error` of the JSON body when it is not `bearerError` (the comment API's `wrong_site`). */
  readonly responseError?: string;
  readonly meaning: string;
}

const invalidToken = (meaning: string) => ({ status: 401, bearerError: 'invalid_token', meaning }) as const;
const invalidProof = (meaning: string) =>
  ({ status: 401, bearerError: 'invalid_dpop_proof', scheme: 'DPoP', meaning }) as const;
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
  // RFC 9449 §7.1/§7.2: a token bound to a key (`cnf.jkt`) is worth nothing without a proof of
  // that key, so presenting it as Bearer is refused, always: accepting it would undo the binding.
  ERR_TOKEN_BOUND: {
    ...invalidToken('the token is DPoP-bound (cnf.jkt) and was presented as Bearer'),
    scheme: 'DPoP',
  },
  ERR_TOKEN_NOT_BOUND: {
    ...invalidToken('the token is not DPoP-bound, and this site requires DPoP or it was presented as DPoP'),
    scheme: 'DPoP',
  },
  ERR_TOKEN_KEY_MISMATCH: {
    ...invalidToken('the DPoP proof is signed by another key than the one the token is bound to'),
    scheme: 'DPoP',
  },
  ERR_DPOP_PROOF_MISSING: invalidProof('a DPoP token came without exactly one DPoP proof header'),
  ERR_DPOP_PROOF_MALFORMED: invalidProof('the DPoP proof is not a compact JWS of JSON, is too large, or lacks a claim'),
  ERR_DPOP_PROOF_TYPE: invalidProof('the DPoP proof header typ is not dpop+jwt'),
  ERR_DPOP_PROOF_ALGORITHM: invalidProof('the DPoP proof alg is not accepted, or does not fit its jwk'),
  ERR_DPOP_PROOF_KEY: invalidProof('the DPoP proof jwk is missing, not a public key, or unusable'),
  ERR_DPOP_PROOF_SIGNATURE: invalidProof('the DPoP proof signature does not verify with its jwk'),
  ERR_DPOP_PROOF_METHOD: invalidProof('the DPoP proof htm is not the request method'),
  ERR_DPOP_PROOF_URL: invalidProof('the DPoP proof htu is not the request URL (the configured public URL and the path)'),
  ERR_DPOP_PROOF_TIME: invalidProof('the DPoP proof iat is too old or in the future'),
  ERR_DPOP_PROOF_TOKEN_HASH: invalidProof('the DPoP proof ath is not the hash of the presented token'),
  ERR_DPOP_PROOF_REPLAYED: invalidProof('the DPoP proof jti was already used'),
  ERR_TOKEN_SCOPE: {
    status: 403,
    bearerError: 'insufficient_scope',
    meaning: 'scope lacks the required scope',
  } as const,
  // RFC 6750 §3.1 has no code for "a valid token, but not for this site". It is not invalid_token
  // (401: expired, revoked, malformed; the client would retry the same token or sign in again for
  // nothing): the token is genuine and the request lacks the privilege, which is 403 with
  // insufficient_scope ("requires higher privileges than provided by the access token"). The body
  // says which: `wrong_site`, the comment API's code for it.
  ERR_TOKEN_SITE: {
    status: 403,
    bearerError: 'insufficient_scope',
    responseError: 'wrong_site',
    meaning: 'client_id is not a site this verifier serves (clientId)',
  } as const,
  ERR_KEYS_UNAVAILABLE: ours('the issuer discovery document or its JWKS could not be fetched'),
  ERR_ISSUER_MISMATCH: ours('the discovery document names another issuer than the configured one: a setup mistake'),
  ERR_REVOCATIONS_UNAVAILABLE: ours('the issuer revocation feed could not be read for too long to rule out a revocation'),
  ERR_DPOP_REPLAY_UNAVAILABLE: ours('the DPoP replay store failed, or is full of proofs still in their window'),
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

  /** Set when the refusal is about DPoP whatever scheme the client used; see ChallengeScheme. */
  get scheme(): ChallengeScheme | undefined {
    const entry: CatalogueEntry = VERIFY_ERROR_CODES[this.code];
    return entry.scheme;
  }

  /** The `error` of the JSON response body. */
  get responseError(): string {
    const entry: CatalogueEntry = VERIFY_ERROR_CODES[this.code];
    return entry.responseError ?? entry.bearerError ?? 'temporarily_unavailable';
  }

  /** What the client may be told: `message` without the configured or presented values. */
  get publicMessage(): string {
    return this.message;
  }

  /** True when the client is at fault (4xx); false when we are (5xx). */
  get isTokenFault(): boolean {
    return this.status < 500;
  }
}

/** The token is not one we accept (401 `invalid_token`). */
export class InvalidTokenError extends VerifyError {
  override readonly name: string = 'InvalidTokenError';

  readonly #publicMessage: string;

  constructor(
    readonly code: InvalidTokenCode,
    /** For the operator's log; may name the expected and the presented value. */
    message: string,
    /** The offending claim or header parameter, when there is one. */
    readonly claim?: string,
    /** For the client, when `message` names values it should not be told. */
    publicMessage: string = message,
  ) {
    super(message);
    this.#publicMessage = publicMessage;
  }

  override get publicMessage(): string {
    return this.#publicMessage;
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
 * A genuine token issued to a site this verifier does not serve (403 `wrong_site`). Its pairwise
 * `sub` means nothing here, and accepting it would let any site on the gateway post as its readers.
 */
export class WrongSiteError extends VerifyError {
  override readonly name = 'WrongSiteError';
  readonly code = 'ERR_TOKEN_SITE';

  constructor(
    /** The token's `client_id`. */
    readonly siteId: string,
    /** The message (for the log) names the sites served, as this already-quoted text. */
    served: string,
  ) {
    super(`token was issued to site ${quoteForLog(siteId)}, not to ${served}`);
  }

  override get publicMessage(): string {
    return 'token was issued to another site';
  }
}

/** Longest part of a token value a log message shows. */
const MAX_LOGGED_VALUE_LENGTH = 100;

/**
 * A value from a token or a remote document, fit for a log line: quoted, cut to a length, with
 * anything but printable ASCII (a forged line break), single quotes and backslashes replaced by `?`.
 */
export function quoteForLog(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  const cut = text.length > MAX_LOGGED_VALUE_LENGTH ? `${text.slice(0, MAX_LOGGED_VALUE_LENGTH)}...` : text;
  return `'${cut.replace(/[^\x20-\x7E]|['\\]/g, '?')}'`;
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

  /** Whatever went wrong on our side, the client learns only that it may retry. */
  override get publicMessage(): string {
    return 'token keys are temporarily unavailable';
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

export type DpopProofCode = Extract<VerifyErrorCode, `ERR_DPOP_PROOF_${string}`>;

/**
 * The DPoP proof (RFC 9449 §4.3), not the token, is at fault (401 `invalid_dpop_proof`): the
 * client should make a new proof, not a new sign-in. The message never contains the proof.
 */
export class DpopProofError extends InvalidTokenError {
  override readonly name = 'DpopProofError';

  constructor(
    override readonly code: DpopProofCode,
    message: string,
    /** The offending claim or header parameter of the proof, when there is one. */
    claim?: string,
  ) {
    super(code, message, claim);
  }
}
