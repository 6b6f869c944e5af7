import type { KeyObject } from 'node:crypto';
import { algorithmOfJwk, importPublicKey, verifySignature } from './algorithms';
import { DpopProofError, InvalidTokenError } from './errors';
import { htuMatches } from './dpop-htu';
import { jwkThumbprint } from './jwk-thumbprint';
import { decodeHeader, decodeJsonSegment, isRecord, splitCompactJws, type SplitJws } from './jws';
import { TokenCache } from './token-cache';

/**
 * Checks a DPoP proof presented with a DPoP-bound access token, per RFC 9449 §4.3 and §7.1:
 *
 * 1. At most MAX_DPOP_PROOF_BYTES; a compact JWS with a JSON header (no `crit`).
 * 2. Header `typ` is dpop+jwt; `alg` is an accepted asymmetric algorithm (never `none` or HS*).
 * 3. Header `jwk` is a public key (no private member) whose type fits `alg`.
 * 4. Its RFC 7638 thumbprint is the token's `cnf.jkt` (else the token's error: 401 invalid_token).
 * 5. The signature verifies with that key. The signature is checked every time, since each proof
 *    is new; what steps 1–4 make of a proof header is kept (by the header's exact text, until the
 *    token expires), since a client sends the same header, its key, with every proof.
 * 6. Claims: `jti` a string; `htm` the request method; `htu` the configured public URL and the
 *    request path (dpop-htu.ts); `iat` within the window, `ath` the token's SHA-256.
 *
 * The `jti` replay check comes after, in the verifier (dpop-replay.ts), so that only proofs that
 * passed everything else are written to the store.
 */

export const DPOP_ALGORITHMS = ['ES256', 'EdDSA'] as const;
export type DpopAlgorithm = (typeof DPOP_ALGORITHMS)[number];

/** A P-256 proof with `ath` is about 700 bytes; this leaves room and bounds the parsing. */
export const MAX_DPOP_PROOF_BYTES = 4 * 1024;
/** A UUID or 16–32 random bytes in base64url fit many times over; the jti is stored as a key. */
export const MAX_DPOP_JTI_LENGTH = 200;
/** Members that only a private or symmetric JWK has (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2). */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

export interface DpopProofPolicy {
  readonly dpopAlgorithms: readonly DpopAlgorithm[];
  readonly dpopProofMaxAgeSeconds: number;
  readonly dpopProofMaxFutureSeconds: number;
  /** The prefix of every `htu`, without a trailing slash. */
  readonly publicUrl: string;
}

/** What the proof must match: the request, and the token it is presented with. */
export interface DpopProofRequest {
  readonly proof: string;
  readonly method: string;
  /** The request target of the request line (`req.url`, or Express's `req.originalUrl`). */
  readonly target: string;
  /** base64url(SHA-256(access token)). */
  readonly tokenHash: string;
  /** The token's `cnf.jkt`. */
  readonly keyThumbprint: string;
  /** Also the token's expiry: the imported key is kept no longer. */
  readonly tokenExpiresAtMs: number;
  readonly nowMs: number;
}

export interface CheckedDpopProof {
  readonly jti: string;
  readonly iat: number;
}

/** A proof header that passed steps 2 and 3: its algorithm, its key and the key's thumbprint. */
interface CheckedHeader {
  readonly algorithm: DpopAlgorithm;
  readonly key: KeyObject;
  readonly thumbprint: string;
}

function proofError(code: ConstructorParameters<typeof DpopProofError>[0], message: string, claim?: string): DpopProofError {
  return new DpopProofError(code, message, claim);
}

/** Runs a step of jws.ts, turning its token error into the proof's own. */
function asProof<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    const reason = error instanceof InvalidTokenError ? error.message.replace(/^token/, 'DPoP proof') : 'DPoP proof is malformed';
    throw proofError('ERR_DPOP_PROOF_MALFORMED', reason);
  }
}

function splitProof(proof: string): SplitJws {
  if (proof.length > MAX_DPOP_PROOF_BYTES) {
    throw proofError('ERR_DPOP_PROOF_MALFORMED', `DPoP proof is larger than ${MAX_DPOP_PROOF_BYTES} bytes`);
  }
  return asProof(() => splitCompactJws(proof));
}

function checkType(typ: unknown): void {
  // RFC 9449 §4.2: "dpop+jwt"; the media type form and any letter case mean the same (RFC 7515 §4.1.9).
  const value = typeof typ === 'string' ? typ.toLowerCase() : undefined;
  if (value !== 'dpop+jwt' && value !== 'application/dpop+jwt') {
    throw proofError('ERR_DPOP_PROOF_TYPE', 'DPoP proof header typ must be dpop+jwt', 'typ');
  }
}

function publicJwkOf(header: Readonly<Record<string, unknown>>, alg: DpopAlgorithm): Record<string, unknown> {
  const { jwk } = header;
  if (!isRecord(jwk)) throw proofError('ERR_DPOP_PROOF_KEY', 'DPoP proof header jwk is missing or not an object', 'jwk');
  // RFC 9449 §4.3 step 7: a private key in a header is a leaked key, and no proof of anything.
  if (PRIVATE_JWK_MEMBERS.some((member) => member in jwk)) {
    throw proofError('ERR_DPOP_PROOF_KEY', 'DPoP proof header jwk contains a private key', 'jwk');
  }
  // A key that names its algorithm (RFC 7517 §4.4) is used for that one only.
  if (algorithmOfJwk(jwk) !== alg || (jwk.alg !== undefined && jwk.alg !== alg)) {
    throw proofError('ERR_DPOP_PROOF_ALGORITHM', `DPoP proof alg ${alg} does not fit its jwk`, 'alg');
  }
  return jwk;
}

function requireNumber(claims: Record<string, unknown>, claim: string): number {
  const value = claims[claim];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw proofError('ERR_DPOP_PROOF_MALFORMED', `DPoP proof claim ${claim} must be a NumericDate`, claim);
  }
  return value;
}

function requireString(claims: Record<string, unknown>, claim: string): string {
  const value = claims[claim];
  if (typeof value !== 'string' || value.length === 0) {
    throw proofError('ERR_DPOP_PROOF_MALFORMED', `DPoP proof claim ${claim} must be a non-empty string`, claim);
  }
  return value;
}

/** Checks proofs against one verifier's policy; keeps the headers it has checked, by their text. */
export class DpopProofChecker {
  readonly #headers: TokenCache<CheckedHeader>;

  constructor(
    private readonly policy: DpopProofPolicy,
    headerCacheMaxEntries: number,
  ) {
    this.#headers = new TokenCache<CheckedHeader>(headerCacheMaxEntries);
  }

  /** Steps 2 and 3, and the key imported: trusted only once a signature by it verifies. */
  #checkHeader(headerSegment: string): CheckedHeader {
    const header = asProof(() => decodeHeader(headerSegment));
    const { typ, alg } = header;
    checkType(typ);
    if (typeof alg !== 'string' || !(this.policy.dpopAlgorithms as readonly string[]).includes(alg)) {
      throw proofError('ERR_DPOP_PROOF_ALGORITHM', 'DPoP proof alg is not accepted', 'alg');
    }
    const algorithm = alg as DpopAlgorithm;
    const jwk = publicJwkOf(header, algorithm);
    const thumbprint = jwkThumbprint(jwk);
    if (thumbprint === undefined) throw proofError('ERR_DPOP_PROOF_KEY', 'DPoP proof header jwk lacks a required member', 'jwk');
    const key = importPublicKey(jwk, algorithm);
    if (key === undefined) throw proofError('ERR_DPOP_PROOF_KEY', 'DPoP proof header jwk is not a usable public key', 'jwk');
    return { algorithm, key, thumbprint };
  }

  /** Throws DpopProofError (or InvalidTokenError for a key the token is not bound to). */
  check(request: DpopProofRequest): CheckedDpopProof {
    const jws = splitProof(request.proof);
    // The same header text is the same header: what was made of it holds (the signature does not).
    let header = this.#headers.get(jws.headerSegment, request.nowMs);
    if (header === undefined) {
      header = this.#checkHeader(jws.headerSegment);
      this.#headers.set(jws.headerSegment, header, request.tokenExpiresAtMs, request.nowMs);
    }
    const { algorithm, key, thumbprint } = header;
    if (thumbprint !== request.keyThumbprint) {
      throw new InvalidTokenError('ERR_TOKEN_KEY_MISMATCH', 'DPoP proof is signed by another key than the token is bound to (cnf.jkt)', 'cnf');
    }
    if (!verifySignature(algorithm, key, jws.signingInput, jws.signature)) {
      throw proofError('ERR_DPOP_PROOF_SIGNATURE', 'DPoP proof signature is invalid');
    }

    let claims: Record<string, unknown>;
    try {
      claims = decodeJsonSegment(jws.payloadSegment, 'claims set');
    } catch {
      throw proofError('ERR_DPOP_PROOF_MALFORMED', 'DPoP proof claims set is not a JSON object');
    }
    const jti = requireString(claims, 'jti');
    if (jti.length > MAX_DPOP_JTI_LENGTH) {
      throw proofError('ERR_DPOP_PROOF_MALFORMED', `DPoP proof jti is longer than ${MAX_DPOP_JTI_LENGTH} characters`, 'jti');
    }
    if (requireString(claims, 'htm') !== request.method) {
      throw proofError('ERR_DPOP_PROOF_METHOD', 'DPoP proof htm is not the request method', 'htm');
    }
    if (!htuMatches(requireString(claims, 'htu'), this.policy.publicUrl, request.target)) {
      throw proofError('ERR_DPOP_PROOF_URL', 'DPoP proof htu is not the URL of this request', 'htu');
    }
    const iat = requireNumber(claims, 'iat');
    const nowSeconds = request.nowMs / 1000;
    if (iat < nowSeconds - this.policy.dpopProofMaxAgeSeconds) {
      throw proofError('ERR_DPOP_PROOF_TIME', `DPoP proof is older than ${this.policy.dpopProofMaxAgeSeconds} seconds (iat)`, 'iat');
    }
    if (iat > nowSeconds + this.policy.dpopProofMaxFutureSeconds) {
      throw proofError('ERR_DPOP_PROOF_TIME', 'DPoP proof was made in the future (iat)', 'iat');
    }
    if (claims.ath !== request.tokenHash) {
      throw proofError('ERR_DPOP_PROOF_TOKEN_HASH', 'DPoP proof ath is not the hash of this access token', 'ath');
    }
    return { jti, iat };
  }
}
