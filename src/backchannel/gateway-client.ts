import { randomUUID } from 'node:crypto';
import type { StoredKey } from '../tokens/keys';
import { signCompactJws } from '../tokens/compact-jws';
import { BACKCHANNEL_MAX_BODY_BYTES, BACKCHANNEL_TOKEN_LIFETIME_SECONDS, BACKCHANNEL_TOKEN_TYPE, contentDigest, type BackchannelClaims } from './protocol';

/** How long the gateway waits for a comment service before calling the attempt failed. */
const BACKCHANNEL_TIMEOUT_MS = 10_000;

/**
 * A back-channel call that did not get a 2xx answer: the comment service is down, slow, refused
 * the request (`status`), or answered something unreadable. Callers retry later; nothing here
 * retries by itself.
 */
export class BackchannelError extends Error {
  override readonly name = 'BackchannelError';
  constructor(
    message: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface BackchannelClientOptions {
  /** Where to reach the comment service (PARLEY_COMMENTS_INTERNAL_URL, else PARLEY_COMMENTS_URL). */
  readonly baseUrl: string;
  /** Its identity, the tokens' `aud`: PARLEY_COMMENTS_URL. */
  readonly audience: string;
  readonly issuer: string;
  /** The gateway's current token key (rotations apply to the next request). */
  readonly signingKey: () => StoredKey;
  readonly timeoutMs?: number;
  readonly clock?: () => number;
}

/**
 * The gateway's side of the back-channel (protocol.ts): each request signed for exactly its
 * method, path and content, answered JSON.
 */
export class BackchannelClient {
  readonly #base: string;

  constructor(private readonly options: BackchannelClientOptions) {
    this.#base = options.baseUrl.replace(/\/+$/, '');
  }

  /** The comment service this client talks to, as tokens name it. */
  get audience(): string {
    return this.options.audience;
  }

  get<T>(path: string, query: Record<string, string> = {}): Promise<T> {
    const queryString = new URLSearchParams(query).toString();
    return this.#send<T>('GET', path, queryString, undefined);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    const json = JSON.stringify(body);
    return this.#send<T>('POST', path, json, json);
  }

  async #send<T>(method: 'GET' | 'POST', path: string, signedContent: string, body: string | undefined): Promise<T> {
    const nowSeconds = Math.floor((this.options.clock ?? Date.now)() / 1000);
    const claims: BackchannelClaims = {
      iss: this.options.issuer,
      aud: this.options.audience,
      iat: nowSeconds,
      exp: nowSeconds + BACKCHANNEL_TOKEN_LIFETIME_SECONDS,
      jti: randomUUID(),
      htm: method,
      htp: path,
      bh: contentDigest(signedContent),
    };
    const token = signCompactJws(this.options.signingKey(), BACKCHANNEL_TOKEN_TYPE, { ...claims });
    const url = `${this.#base}${path}${method === 'GET' && signedContent ? `?${signedContent}` : ''}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? BACKCHANNEL_TIMEOUT_MS),
      });
    } catch (error) {
      throw new BackchannelError(`${method} ${path}: comment service unreachable (${(error as Error).message})`, undefined, { cause: error });
    }
    const text = await readLimited(response);
    if (!response.ok) {
      throw new BackchannelError(`${method} ${path}: comment service answered ${response.status} ${text.slice(0, 200)}`, response.status);
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new BackchannelError(`${method} ${path}: the answer is not JSON`, response.status, { cause: error });
    }
  }
}

async function readLimited(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > BACKCHANNEL_MAX_BODY_BYTES) {
    await response.body?.cancel();
    throw new BackchannelError(`the answer is larger than ${BACKCHANNEL_MAX_BODY_BYTES} bytes`, response.status);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  for (let read = await reader?.read(); read && !read.done; read = await reader?.read()) {
    size += read.value.byteLength;
    if (size > BACKCHANNEL_MAX_BODY_BYTES) {
      await reader?.cancel();
      throw new BackchannelError(`the answer is larger than ${BACKCHANNEL_MAX_BODY_BYTES} bytes`, response.status);
    }
    chunks.push(Buffer.from(read.value));
  }
  return Buffer.concat(chunks).toString('utf8');
}
