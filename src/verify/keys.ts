import type { KeyObject, JsonWebKey } from 'node:crypto';
import { algorithmOfJwk, importPublicKey, type Algorithm } from './algorithms';
import { VerifierUnavailableError } from './errors';
import { isRecord } from './jws';

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
 *   token's.
 */

export interface VerificationKey {
  readonly kid: string;
  /** The one algorithm this key verifies, from its key type (see algorithms.ts). */
  readonly algorithm: Algorithm;
  readonly key: KeyObject;
}

export interface KeyStoreOptions {
  readonly issuer: string;
  readonly algorithms: readonly Algorithm[];
  readonly fetchTimeoutMs: number;
  readonly minRefetchIntervalMs: number;
  readonly clock: () => number;
}

/** How long fetched keys are used before they are fetched again. */
export const KEYS_MAX_AGE_MS = 10 * 60 * 1000;
/** Discovery documents and JWKS are a few KiB; a bigger answer is not one. */
export const MAX_DOCUMENT_BYTES = 256 * 1024;
/** Keys beyond this many in one JWKS are ignored. */
export const MAX_JWKS_KEYS = 100;

/** OpenID Connect Discovery 1.0 §4: the issuer, minus any trailing slash, plus the well-known path. */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

async function readBounded(response: Response, maxBytes: number): Promise<string> {
  const tooLarge = `answer is larger than ${maxBytes} bytes`;
  if (Number(response.headers.get('content-length') ?? 0) > maxBytes) throw new Error(tooLarge);
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    total += read.value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new Error(tooLarge);
    }
    chunks.push(read.value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function fetchJsonObject(url: string, what: string, timeoutMs: number): Promise<Record<string, unknown>> {
  let text: string;
  try {
    // One signal bounds the whole exchange, body included.
    const response = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/json' },
      // A redirect could lead anywhere: the documents must come from the URLs checked here.
      redirect: 'manual',
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`answered HTTP ${response.status}`);
    }
    text = await readBounded(response, MAX_DOCUMENT_BYTES);
  } catch (error) {
    const timedOut = isRecord(error) && error.name === 'TimeoutError';
    const reason = timedOut ? `timed out after ${timeoutMs} ms` : reasonOf(error);
    throw new Error(`${what}: ${reason}`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${what}: not JSON`, { cause: error });
  }
  if (!isRecord(value)) throw new Error(`${what}: not a JSON object`);
  return value;
}

/**
 * undici reports every network failure as "fetch failed", with the reason in its cause. Duck-typed:
 * errors from another realm (a vm context, Jest) fail `instanceof Error`.
 */
function reasonOf(error: unknown): string {
  if (!isRecord(error) || typeof error.message !== 'string') return String(error);
  const cause = error.cause;
  const code = isRecord(cause) && typeof cause.code === 'string' ? ` (${cause.code})` : '';
  return `${error.message}${code}`;
}

/** Reads `jwks_uri` from the discovery document, after checking it speaks for our issuer. */
async function discoverJwksUri(issuer: string, timeoutMs: number): Promise<string> {
  const document = await fetchJsonObject(discoveryUrl(issuer), 'discovery document', timeoutMs);
  // OpenID Connect Discovery 1.0 §4.3: the issuer value MUST be identical to the one we asked.
  if (document.issuer !== issuer) throw new Error('discovery document: issuer does not match the configured issuer');
  const jwksUri = document.jwks_uri;
  let url: URL;
  try {
    url = new URL(typeof jwksUri === 'string' ? jwksUri : '');
  } catch {
    throw new Error('discovery document: jwks_uri is not a URL');
  }
  // Keys from anywhere but the issuer's own origin (scheme included) would let whoever poisoned
  // the discovery document (a forged Host header, a shared cache) choose the keys we trust.
  const issuerOrigin = new URL(issuer).origin;
  if (url.origin !== issuerOrigin) throw new Error(`discovery document: jwks_uri is not on the issuer's origin (${issuerOrigin})`);
  return url.href;
}

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
  #jwksUri: string | undefined;
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
    const { issuer, algorithms, fetchTimeoutMs } = this.options;
    this.#inFlight = (async () => {
      try {
        this.#jwksUri ??= await discoverJwksUri(issuer, fetchTimeoutMs);
        this.#keys = importJwks(await fetchJsonObject(this.#jwksUri, 'JWKS', fetchTimeoutMs), algorithms);
        this.#lastSuccessMs = nowMs;
        this.#lastFailure = undefined;
      } catch (error) {
        this.#lastFailure = error instanceof Error ? error : new Error(reasonOf(error), { cause: error });
        // The issuer may have moved its JWKS; ask discovery again next time.
        this.#jwksUri = undefined;
      } finally {
        this.#inFlight = undefined;
      }
    })();
    return this.#inFlight;
  }
}
