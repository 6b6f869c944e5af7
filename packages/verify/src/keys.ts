import type { KeyObject, JsonWebKey } from 'node:crypto';
import { algorithmOfJwk, importPublicKey, type Algorithm } from './algorithms';
import { VerifierUnavailableError } from './errors';
import { isRecord } from './jws';
import { fetchJsonObject, IssuerMismatchError, reasonOf, type IssuerDiscovery } from './issuer-documents';
import { reportEvent, type VerifierEventListener } from './events';

/**
 * The issuer's signing keys, found through its discovery document and kept in memory by `kid`.
 *
 * - Keys are fetched once and imported once; the hot path is a Map lookup.
 * - A `kid` we do not know (the gateway rotated its keys) triggers a refetch, but at most one per
 *   `minRefetchIntervalMs`, and concurrent callers share the one request in flight, so a flood of
 *   tokens with made-up kids cannot turn into a flood of requests at the gateway. Unlike jose's
 *   createRemoteJWKSet (30 s cooldown) the interval is short, so a rotation is picked up at once.
 * - Keys older than KEYS_MAX_AGE_MS are fetched again (by the one request that finds them so),
 *   so a key the gateway has withdrawn stops verifying within that time.
 * - When a fetch fails (network, timeout, non-2xx, bad JSON, issuer mismatch, no usable key) the
 *   keys we had stay in use; a token we cannot check for lack of keys is our fault (503), not the
 *   token's. An issuer mismatch gets its own code (ERR_ISSUER_MISMATCH): it is a setup mistake.
 */

export interface VerificationKey {
  readonly kid: string;
  /** The one algorithm this key verifies, from its key type (see algorithms.ts). */
  readonly algorithm: Algorithm;
  readonly key: KeyObject;
}

export interface KeyStoreOptions {
  /** Where the issuer's JWKS is: discovery, shared with the revocation list. */
  readonly discovery: IssuerDiscovery;
  readonly algorithms: readonly Algorithm[];
  readonly fetchTimeoutMs: number;
  readonly minRefetchIntervalMs: number;
  readonly clock: () => number;
  readonly onEvent?: VerifierEventListener | undefined;
}

/** How long fetched keys are used before they are fetched again. */
export const KEYS_MAX_AGE_MS = 10 * 60 * 1000;
/** Keys beyond this many in one JWKS are ignored. */
export const MAX_JWKS_KEYS = 100;

/** The keys of a JWK Set usable for signature verification with one of `algorithms`. */
function importJwks(jwks: Record<string, unknown>, algorithms: readonly Algorithm[]): Map<string, VerificationKey[]> {
  if (!Array.isArray(jwks.keys)) throw new Error('JWKS: keys is not an array');
  const byKid = new Map<string, VerificationKey[]>();
  for (const jwk of jwks.keys.slice(0, MAX_JWKS_KEYS)) {
    if (!isRecord(jwk) || typeof jwk.kid !== 'string' || jwk.kid.length === 0) continue;
    if (jwk.use !== undefined && jwk.use !== 'sig') continue;
    if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) continue;
    const algorithm = algorithmOfJwk(jwk);
    // A key that names its algorithm (RFC 7517 §4.4) is used for that one only.
    if (algorithm === undefined || (jwk.alg !== undefined && jwk.alg !== algorithm)) continue;
    if (!algorithms.includes(algorithm)) continue;
    const key = importPublicKey(jwk as JsonWebKey, algorithm);
    if (key === undefined) continue;
    const entries = byKid.get(jwk.kid) ?? [];
    entries.push({ kid: jwk.kid, algorithm, key });
    byKid.set(jwk.kid, entries);
  }
  if (byKid.size === 0) throw new Error(`JWKS: no key usable with ${algorithms.join(', ')}`);
  return byKid;
}

export class KeyStore {
  #keys = new Map<string, VerificationKey[]>();
  #lastAttemptMs = Number.NEGATIVE_INFINITY;
  #lastSuccessMs = Number.NEGATIVE_INFINITY;
  /** Why the latest fetch failed; undefined once one succeeds. */
  #lastFailure: Error | undefined;
  #inFlight: Promise<void> | undefined;

  constructor(private readonly options: KeyStoreOptions) {}

  /**
   * The keys published under `kid`, from memory: the hot path. Undefined also when the keys are
   * older than KEYS_MAX_AGE_MS and due for a refresh, which sends the caller through refetch().
   */
  cached(kid: string, nowMs: number): readonly VerificationKey[] | undefined {
    if (nowMs - this.#lastSuccessMs >= KEYS_MAX_AGE_MS && this.#mayRefresh(nowMs)) return undefined;
    return this.#keys.get(kid);
  }

  /**
   * The keys published under `kid` after at most one shared, rate-limited refetch, for a kid not
   * in memory or keys due for a refresh. Undefined when the issuer does not publish the kid;
   * VerifierUnavailableError when the keys cannot be fetched right now.
   */
  async refetch(kid: string): Promise<readonly VerificationKey[] | undefined> {
    const nowMs = this.options.clock();
    if (this.#mayRefresh(nowMs)) void this.#refresh(nowMs);
    if (this.#inFlight !== undefined) await this.#inFlight;
    const found = this.#keys.get(kid);
    if (found !== undefined) return found;
    if (this.#lastFailure instanceof IssuerMismatchError) {
      // A setup mistake, not an outage: its own code, and a message that says what to fix.
      throw new VerifierUnavailableError('ERR_ISSUER_MISMATCH', this.#lastFailure.message, this.#retryAfterSeconds(this.options.clock()), {
        cause: this.#lastFailure,
      });
    }
    if (this.#lastFailure !== undefined) {
      throw new VerifierUnavailableError(
        'ERR_KEYS_UNAVAILABLE',
        `issuer keys are unavailable: ${this.#lastFailure.message}`,
        this.#retryAfterSeconds(this.options.clock()),
        { cause: this.#lastFailure },
      );
    }
    return undefined;
  }

  #mayRefresh(nowMs: number): boolean {
    return this.#inFlight === undefined && nowMs - this.#lastAttemptMs >= this.options.minRefetchIntervalMs;
  }

  #retryAfterSeconds(nowMs: number): number {
    return Math.max(1, Math.ceil((this.#lastAttemptMs + this.options.minRefetchIntervalMs - nowMs) / 1000));
  }

  /** Never rejects: a failure is recorded in #lastFailure and the old keys stay. */
  #refresh(nowMs: number): Promise<void> {
    this.#lastAttemptMs = nowMs;
    const { algorithms, fetchTimeoutMs } = this.options;
    this.#inFlight = (async () => {
      try {
        const { jwksUri } = await this.options.discovery.endpoints();
        this.#keys = importJwks(await fetchJsonObject(jwksUri, 'JWKS', fetchTimeoutMs), algorithms);
        this.#lastSuccessMs = nowMs;
        this.#lastFailure = undefined;
        reportEvent(this.options.onEvent, { type: 'jwks_fetch', outcome: 'ok' });
      } catch (error) {
        this.#lastFailure = error instanceof Error ? error : new Error(reasonOf(error), { cause: error });
        reportEvent(this.options.onEvent, { type: 'jwks_fetch', outcome: 'failed' });
        // The issuer may have moved its JWKS; ask discovery again next time.
        this.options.discovery.forget();
      } finally {
        this.#inFlight = undefined;
      }
    })();
    return this.#inFlight;
  }
}
