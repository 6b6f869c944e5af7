import { quoteForLog } from './errors';
import { isRecord } from './jws';

/**
 * Fetching the issuer's public documents: its discovery document (once, shared by the key store
 * and the revocation list) and, through the URLs it names, the JWKS and the revocation feed.
 *
 * - Every URL the verifier fetches is on the issuer's own origin: a discovery document that names
 *   another (poisoned through a forged Host header or a shared cache) is refused, and no redirect
 *   is followed.
 * - Each exchange is bounded in time and size.
 */

/** Discovery documents, JWKS and feed pages are a few KiB; a much bigger answer is not one. */
export const MAX_DOCUMENT_BYTES = 256 * 1024;
/** Where the gateway advertises its revocation feed (src/gateway/revocation-feed.ts). */
export const REVOCATION_FEED_FIELD = 'revocation_feed_endpoint';

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

export async function fetchJsonObject(url: string, what: string, timeoutMs: number): Promise<Record<string, unknown>> {
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
export function reasonOf(error: unknown): string {
  if (!isRecord(error) || typeof error.message !== 'string') return String(error);
  const cause = error.cause;
  const code = isRecord(cause) && typeof cause.code === 'string' ? ` (${cause.code})` : '';
  return `${error.message}${code}`;
}

export interface IssuerEndpoints {
  readonly jwksUri: string;
  /** Undefined when the issuer publishes no revocations. */
  readonly revocationFeed: string | undefined;
}

/** A URL member of the discovery document, which must be on the issuer's own origin. */
function endpointOnIssuer(document: Record<string, unknown>, field: string, issuer: string): string {
  const value = document[field];
  let url: URL;
  try {
    url = new URL(typeof value === 'string' ? value : '');
  } catch {
    throw new Error(`discovery document: ${field} is not a URL`);
  }
  // Anything from another origin (scheme included) would let whoever poisoned the discovery
  // document choose the keys we trust or the revocations we see.
  const issuerOrigin = new URL(issuer).origin;
  if (url.origin !== issuerOrigin) throw new Error(`discovery document: ${field} is not on the issuer's origin (${issuerOrigin})`);
  return url.href;
}

/**
 * The discovery document names another issuer than the configured one. Almost always a setup
 * mistake (a trailing slash, http for https, another host name for the same gateway), so unlike a
 * network failure it names both values: the operator's log should say what to fix.
 */
export class IssuerMismatchError extends Error {
  override readonly name = 'IssuerMismatchError';

  constructor(
    readonly configured: string,
    readonly discovered: unknown,
  ) {
    super(
      `the verifier is configured with issuer ${quoteForLog(configured)} but ${discoveryUrl(configured)} names ` +
        `issuer ${quoteForLog(discovered)}; set the issuer option to exactly the discovery document's value`,
    );
  }
}

async function fetchEndpoints(issuer: string, timeoutMs: number): Promise<IssuerEndpoints> {
  const document = await fetchJsonObject(discoveryUrl(issuer), 'discovery document', timeoutMs);
  // OpenID Connect Discovery 1.0 §4.3: the issuer value MUST be identical to the one we asked.
  if (document.issuer !== issuer) throw new IssuerMismatchError(issuer, document.issuer);
  return {
    jwksUri: endpointOnIssuer(document, 'jwks_uri', issuer),
    revocationFeed: document[REVOCATION_FEED_FIELD] === undefined ? undefined : endpointOnIssuer(document, REVOCATION_FEED_FIELD, issuer),
  };
}

/**
 * The issuer's endpoints from its discovery document: fetched once by whichever part asks first,
 * shared while the request is in flight, and asked again after `forget()` (a failed key fetch:
 * the issuer may have moved its JWKS).
 */
export class IssuerDiscovery {
  #endpoints: Promise<IssuerEndpoints> | undefined;

  constructor(
    private readonly issuer: string,
    private readonly timeoutMs: number,
  ) {}

  endpoints(): Promise<IssuerEndpoints> {
    this.#endpoints ??= fetchEndpoints(this.issuer, this.timeoutMs).catch((error: unknown) => {
      this.#endpoints = undefined;
      throw error;
    });
    return this.#endpoints;
  }

  forget(): void {
    this.#endpoints = undefined;
  }
}
