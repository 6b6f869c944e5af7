import { createHash } from 'node:crypto';
import { isSupportedAlgorithm, verifySignature } from './algorithms';
import { presentedToken } from './authorization';
import { commenterFromClaims, type ClaimsPolicy, type Commenter } from './claims';
import { DpopProofChecker, type DpopAlgorithm } from './dpop-proof';
import { MemoryDpopReplayStore, type DpopReplayStore } from './dpop-replay';
import { DpopProofError, InvalidTokenError, VerifierUnavailableError, VerifyError } from './errors';
import { checkTokenSize, decodeCompactJws, decodeJsonSegment } from './jws';
import { KeyStore, type VerificationKey } from './keys';
import { resolveVerifierOptions, type VerifierOptions } from './options';
import { TokenCache } from './token-cache';
import { IssuerDiscovery } from './issuer-documents';
import { RevocationList } from './revocations';

/**
 * Checks a Parley access token and says who the commenter is. The pipeline, in order:
 *
 * 1. Size, then a cached result for this exact token string, if it has not expired.
 * 2. Compact JWS shape and a JSON header (jws.ts).
 * 3. `alg` is allowed, `typ` is at+jwt (RFC 9068 §4), `kid` is present.
 * 4. The key for `kid`, from memory or one rate-limited refetch (keys.ts), whose own algorithm
 *    equals `alg` (algorithms.ts).
 * 5. The signature, and only then the claims set (claims.ts), `client_id` among the configured
 *    sites (`clientId`) included.
 * 6. Every time, cached or not: not revoked, by the gateway's revocation feed (revocations.ts).
 * 7. How it was presented (RFC 9449 §7.1, §7.2):
 *    - as Bearer (`verify`, or `verifyRequest` with `Authorization: Bearer`): refused if it is
 *      DPoP-bound (`cnf.jkt`), or if its site requires DPoP (`requireDpop`). Nothing else is done
 *      for Bearer tokens: their cost is what it was before DPoP.
 *    - as DPoP (`verifyRequest` with `Authorization: DPoP` and one `DPoP` header): the token must be
 *      bound; the proof must be valid for this request, this token and its key (dpop-proof.ts), and
 *      then unused: its `jti` is recorded in the replay store (dpop-replay.ts).
 *
 * Every failure is a VerifyError; anything else thrown inside is reported as ERR_VERIFIER_FAILED.
 */
export interface Verifier {
  /** Checks a token presented as `Authorization: Bearer`; DPoP-bound tokens are refused. */
  verify(token: string): Promise<Commenter>;
  /**
   * Checks the credentials of an HTTP request, Bearer or DPoP: what a blog backend calls for each
   * request (requireCommenter does, for Express).
   */
  verifyRequest(request: VerifiableRequest): Promise<Commenter>;
  /** The DPoP proof algorithms accepted, for the `algs` of a `WWW-Authenticate: DPoP` challenge. */
  readonly dpopAlgorithms: readonly DpopAlgorithm[];
}

/** What verifyRequest reads of an HTTP request. */
export interface VerifiableRequest {
  /** The `Authorization` header. */
  readonly authorization: string | undefined;
  /** The `DPoP` header(s); exactly one is needed with a DPoP token. */
  readonly dpop: string | readonly string[] | undefined;
  /** The request method, e.g. POST. */
  readonly method: string;
  /**
   * The request target as it came in the request line: `req.url` for node:http, `req.originalUrl`
   * for Express. Only its path is used; the proof's `htu` must be publicUrl followed by it.
   */
  readonly url: string;
}

/** A token that verified, and until when it is known not to be revoked (RevocationList.freshUntilMs). */
interface VerifiedToken {
  readonly commenter: Commenter;
  notRevokedUntilMs: number;
  /** base64url(SHA-256(token)), the `ath` its DPoP proofs carry; computed at its first DPoP use. */
  tokenHash?: string;
}

/** Longest `kid` we look up; anything longer is not one the gateway makes. */
const MAX_KID_LENGTH = 256;

function checkType(typ: unknown): void {
  // RFC 9068 §4: "at+jwt"; the media type form and any letter case mean the same (RFC 7515 §4.1.9).
  const value = typeof typ === 'string' ? typ.toLowerCase() : undefined;
  if (value !== 'at+jwt' && value !== 'application/at+jwt') {
    throw new InvalidTokenError('ERR_TOKEN_TYPE', 'token header typ must be at+jwt', 'typ');
  }
}

function pickKey(keys: readonly VerificationKey[], alg: string): VerificationKey {
  const key = keys.find((candidate) => candidate.algorithm === alg);
  if (key === undefined) {
    throw new InvalidTokenError('ERR_TOKEN_ALGORITHM', `token alg ${alg} does not fit the key named by kid`, 'alg');
  }
  return key;
}

/** Creates a verifier; throws VerifierConfigError at once for a bad option. */
export function createVerifier(options: VerifierOptions): Verifier {
  const config = resolveVerifierOptions(options);
  const { clock, algorithms } = config;
  const discovery = new IssuerDiscovery(config.issuer, config.fetchTimeoutMs);
  const keyStore = new KeyStore({ ...config, discovery });
  const revocations = new RevocationList({
    ...config,
    discovery,
    keys: keyStore,
    pollIntervalMs: config.revocationPollIntervalMs,
    maxAgeMs: 2 * config.revocationPollIntervalMs,
    maxStalenessMs: config.revocationMaxStalenessMs,
  });
  const cache = new TokenCache<VerifiedToken>(config.tokenCacheMaxEntries);
  const policy: ClaimsPolicy = config;
  const proofs = new DpopProofChecker(config, config.tokenCacheMaxEntries);
  const replays: DpopReplayStore = config.dpopReplayStore ?? new MemoryDpopReplayStore(config.dpopReplayCacheMaxEntries, clock);
  const { dpopRequiredSites } = config;

  async function verifyUncached(token: string, nowMs: number): Promise<Commenter> {
    const jws = decodeCompactJws(token);
    const { typ, alg, kid } = jws.header;
    if (!isSupportedAlgorithm(alg) || !algorithms.includes(alg)) {
      throw new InvalidTokenError('ERR_TOKEN_ALGORITHM', 'token alg is not allowed', 'alg');
    }
    checkType(typ);
    if (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH) {
      throw new InvalidTokenError('ERR_TOKEN_MALFORMED', 'token header kid is missing or invalid', 'kid');
    }
    const keys = keyStore.cached(kid, nowMs) ?? (await keyStore.refetch(kid));
    if (keys === undefined) {
      throw new InvalidTokenError('ERR_TOKEN_KEY_UNKNOWN', 'token kid names no key of the issuer', 'kid');
    }
    const { key } = pickKey(keys, alg);
    if (!verifySignature(alg, key, jws.signingInput, jws.signature)) {
      throw new InvalidTokenError('ERR_TOKEN_SIGNATURE', 'token signature is invalid');
    }
    const claims = decodeJsonSegment(jws.payloadSegment, 'claims set');
    return commenterFromClaims(claims, policy, Math.floor(nowMs / 1000));
  }

  /**
   * Steps 1 to 6: a genuine, unrevoked token of a served site; then, when `asBearer`, the Bearer
   * rules of step 7. One function for both, so that the Bearer path costs no extra call.
   */
  async function verifyToken(token: string, nowMs: number, asBearer: boolean): Promise<Commenter> {
    if (typeof token !== 'string' || token.length === 0) {
      throw new InvalidTokenError('ERR_TOKEN_MISSING', 'no bearer token was presented');
    }
    checkTokenSize(token);
    let verified = cache.get(token, nowMs);
    if (verified === undefined) {
      let commenter: Commenter;
      try {
        commenter = await verifyUncached(token, nowMs);
      } catch (error) {
        throw asVerifyError(error);
      }
      verified = { commenter, notRevokedUntilMs: Number.NEGATIVE_INFINITY };
      cache.set(token, verified, commenter.expiresAt * 1000, nowMs);
    }
    // Cached or not, a token is checked against revocations on every use: looked up again once
    // the list may have changed since it was last found absent (before that, nothing to do).
    if (nowMs >= verified.notRevokedUntilMs) {
      const pending = revocations.ready(nowMs);
      if (pending !== undefined) await pending;
      revocations.assertNotRevoked(verified.commenter);
      verified.notRevokedUntilMs = revocations.freshUntilMs;
    }
    const { commenter } = verified;
    if (asBearer) {
      if (commenter.dpopKeyThumbprint !== undefined) {
        throw new InvalidTokenError('ERR_TOKEN_BOUND', 'token is DPoP-bound and must be presented with the DPoP scheme and a proof');
      }
      if (dpopRequiredSites.size > 0 && dpopRequiredSites.has(commenter.siteId)) {
        throw new InvalidTokenError('ERR_TOKEN_NOT_BOUND', 'this site requires DPoP-bound tokens', 'cnf');
      }
    }
    return commenter;
  }

  function verifyBearer(token: string): Promise<Commenter> {
    return verifyToken(token, clock(), true);
  }

  /** base64url(SHA-256(token)), the `ath` of its proofs: kept with the cached token after its first DPoP use. */
  function tokenHashOf(token: string, nowMs: number): string {
    const cached = cache.get(token, nowMs);
    if (cached?.tokenHash !== undefined) return cached.tokenHash;
    const hash = createHash('sha256').update(token).digest('base64url');
    if (cached !== undefined) cached.tokenHash = hash;
    return hash;
  }

  async function verifyDpop(token: string, request: VerifiableRequest): Promise<Commenter> {
    const proof = singleProof(request.dpop);
    const nowMs = clock();
    const commenter = await verifyToken(token, nowMs, false);
    if (commenter.dpopKeyThumbprint === undefined) {
      throw new InvalidTokenError('ERR_TOKEN_NOT_BOUND', 'token presented as DPoP is not DPoP-bound (no cnf.jkt)', 'cnf');
    }
    const { jti, iat } = proofs.check({
      proof,
      method: request.method,
      target: request.url,
      tokenHash: tokenHashOf(token, nowMs),
      keyThumbprint: commenter.dpopKeyThumbprint,
      tokenExpiresAtMs: commenter.expiresAt * 1000,
      nowMs,
    });
    // Kept for as long as the proof's iat would be accepted.
    const expiresAtMs = (Math.ceil(iat) + config.dpopProofMaxAgeSeconds + 1) * 1000;
    let fresh: boolean;
    try {
      fresh = await replays.remember(`${commenter.dpopKeyThumbprint}.${jti}`, expiresAtMs);
    } catch (error) {
      throw new VerifierUnavailableError('ERR_DPOP_REPLAY_UNAVAILABLE', `DPoP replay store failed: ${error instanceof Error ? error.message : String(error)}`, 1, {
        cause: error,
      });
    }
    if (!fresh) throw new DpopProofError('ERR_DPOP_PROOF_REPLAYED', 'DPoP proof was already used (jti)', 'jti');
    return commenter;
  }

  return Object.freeze({
    dpopAlgorithms: config.dpopAlgorithms,
    verify: verifyBearer,
    async verifyRequest(request: VerifiableRequest): Promise<Commenter> {
      const { scheme, token } = presentedToken(request.authorization);
      if (scheme === 'Bearer') return verifyBearer(token);
      try {
        return await verifyDpop(token, request);
      } catch (error) {
        throw asVerifyError(error);
      }
    },
  });
}

function asVerifyError(error: unknown): VerifyError {
  if (error instanceof VerifyError) return error;
  return new VerifierUnavailableError('ERR_VERIFIER_FAILED', 'token verification failed unexpectedly', 1, { cause: error });
}

/**
 * The one DPoP header of a request (RFC 9449 §4.3 step 1). node:http joins repeated headers with
 * ", ", which no compact JWS contains, so a comma means more than one.
 */
function singleProof(dpop: string | readonly string[] | undefined): string {
  const values = typeof dpop === 'string' ? [dpop] : (dpop ?? []);
  if (values.length !== 1 || values[0]!.trim() === '') {
    throw new DpopProofError('ERR_DPOP_PROOF_MISSING', 'a DPoP token needs exactly one DPoP proof header');
  }
  const proof = values[0]!.trim();
  if (proof.includes(',')) throw new DpopProofError('ERR_DPOP_PROOF_MISSING', 'a DPoP token needs exactly one DPoP proof header');
  return proof;
}
