import { isSupportedAlgorithm, verifySignature } from './algorithms';
import { commenterFromClaims, type ClaimsPolicy, type Commenter } from './claims';
import { InvalidTokenError, VerifierUnavailableError, VerifyError } from './errors';
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
 *
 * Every failure is a VerifyError; anything else thrown inside is reported as ERR_VERIFIER_FAILED.
 */
export interface Verifier {
  verify(token: string): Promise<Commenter>;
}

/** A token that verified, and the revocation list's version at which it was last found absent. */
interface VerifiedToken {
  readonly commenter: Commenter;
  notRevokedAt: number;
}
const NOT_CHECKED = -1;

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

  return Object.freeze({
    async verify(token: string): Promise<Commenter> {
      if (typeof token !== 'string' || token.length === 0) {
        throw new InvalidTokenError('ERR_TOKEN_MISSING', 'no bearer token was presented');
      }
      checkTokenSize(token);
      const nowMs = clock();
      let verified = cache.get(token, nowMs);
      if (verified === undefined) {
        let commenter: Commenter;
        try {
          commenter = await verifyUncached(token, nowMs);
        } catch (error) {
          if (error instanceof VerifyError) throw error;
          throw new VerifierUnavailableError('ERR_VERIFIER_FAILED', 'token verification failed unexpectedly', 1, {
            cause: error,
          });
        }
        verified = { commenter, notRevokedAt: NOT_CHECKED };
        cache.set(token, verified, commenter.expiresAt * 1000, nowMs);
      }
      // Cached or not, a token is checked against revocations on every use: looked up again
      // whenever an event has come in since it was last found absent.
      const pending = revocations.ready(nowMs);
      if (pending !== undefined) await pending;
      if (verified.notRevokedAt !== revocations.version) {
        revocations.assertNotRevoked(verified.commenter);
        verified.notRevokedAt = revocations.version;
      }
      return verified.commenter;
    },
  });
}
