/**
 * Server-side verification of an OAuth 1.0a signed request (RFC 5849 §3.2), independent of
 * Twitter: it answers with a typed rejection and the Twitter routes map rejections to
 * Twitter's error codes. The rules, in the order they are applied:
 *
 * - parameters come from the query, an `Authorization: OAuth` header (minus `realm`) and a
 *   form body sent as application/x-www-form-urlencoded (§3.4.1.3.1); broken encoding → malformed
 * - no protocol parameter may appear twice (§3.1 step 2) → duplicate-parameter
 * - the signature method must be HMAC-SHA1; PLAINTEXT and RSA-SHA1 are refused → unsupported-signature-method
 * - consumer key, signature, timestamp, nonce (and token when the endpoint needs one) are present → missing-parameters
 * - `oauth_version`, when present, is "1.0" (§3.2) → unsupported-version
 * - the consumer key is known → unknown-consumer
 * - the timestamp is a positive integer within the window (§3.3) → timestamp-out-of-bounds
 * - the token is known to the endpoint and belongs to this consumer → unknown-token
 * - the HMAC-SHA1 signature over the base string matches (§3.4) → bad-signature
 * - the nonce was not used with this consumer, token and timestamp before (§3.3) → replayed-nonce
 *
 * The nonce is remembered only for requests whose signature checked out, so a forger cannot
 * burn a legitimate client's nonces.
 */
import { safeEqual } from './crypto-util';
import { NonceTimestampGuard } from './oauth1-nonce-guard';
import {
  HMAC_SHA1,
  hmacSha1Signature,
  parseAuthorizationHeader,
  parseFormEncoded,
  signatureBaseString,
  type OAuthParameter,
} from './oauth1-signature';

export type OAuth1Rejection =
  | 'malformed-request'
  | 'duplicate-parameter'
  | 'unsupported-signature-method'
  | 'missing-parameters'
  | 'unsupported-version'
  | 'unknown-consumer'
  | 'timestamp-out-of-bounds'
  | 'unknown-token'
  | 'bad-signature'
  | 'replayed-nonce';

/** The parts of an HTTP request that take part in the signature. */
export interface OAuth1HttpRequest {
  readonly method: string;
  /** Absolute URL rebuilt from the Host header and the raw request target (§3.4.1.2). */
  readonly url: string;
  readonly authorization: string | undefined;
  /** The raw body, only when it was sent as application/x-www-form-urlencoded. */
  readonly formBody: string | undefined;
}

export interface OAuth1VerifyContext {
  readonly consumerSecretFor: (consumerKey: string) => string | undefined;
  /** Looks up the token's secret; undefined when the endpoint does not know the token. */
  readonly tokenSecretFor: (token: string, consumerKey: string) => string | undefined;
  readonly tokenRequired: boolean;
  readonly guard: NonceTimestampGuard;
  readonly nowSeconds: number;
}

export type OAuth1Verification =
  | {
      readonly ok: true;
      /** Protocol parameters (`oauth_*`), each present once. */
      readonly protocol: ReadonlyMap<string, string>;
      /** Every signed parameter, protocol and request ones, in request order. */
      readonly params: readonly OAuthParameter[];
    }
  | { readonly ok: false; readonly reason: OAuth1Rejection };

const REQUIRED = [
  'oauth_consumer_key',
  'oauth_signature_method',
  'oauth_signature',
  'oauth_timestamp',
  'oauth_nonce',
] as const;

function reject(reason: OAuth1Rejection): OAuth1Verification {
  return { ok: false, reason };
}

function collectParameters(request: OAuth1HttpRequest): OAuthParameter[] | undefined {
  try {
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
    const header =
      request.authorization === undefined ? [] : (parseAuthorizationHeader(request.authorization) ?? []);
    const body = request.formBody === undefined ? [] : parseFormEncoded(request.formBody);
    return [...parseFormEncoded(query), ...header, ...body];
  } catch {
    return undefined;
  }
}

/** Verifies one request; see the module comment for the rules. */
export function verifyOAuth1Request(
  request: OAuth1HttpRequest,
  context: OAuth1VerifyContext,
): OAuth1Verification {
  const params = collectParameters(request);
  if (!params) return reject('malformed-request');

  const protocol = new Map<string, string>();
  for (const [name, value] of params) {
    if (!name.startsWith('oauth_')) continue;
    if (protocol.has(name)) return reject('duplicate-parameter');
    protocol.set(name, value);
  }

  const method = protocol.get('oauth_signature_method');
  if (method !== undefined && method !== HMAC_SHA1) return reject('unsupported-signature-method');
  if (REQUIRED.some((name) => !protocol.get(name))) return reject('missing-parameters');
  if (context.tokenRequired && !protocol.get('oauth_token')) return reject('missing-parameters');
  const version = protocol.get('oauth_version');
  if (version !== undefined && version !== '1.0') return reject('unsupported-version');

  const consumerKey = protocol.get('oauth_consumer_key') ?? '';
  const consumerSecret = context.consumerSecretFor(consumerKey);
  if (consumerSecret === undefined) return reject('unknown-consumer');

  const timestamp = NonceTimestampGuard.parseTimestamp(protocol.get('oauth_timestamp') ?? '');
  if (timestamp === undefined || !context.guard.isFresh(timestamp, context.nowSeconds)) {
    return reject('timestamp-out-of-bounds');
  }

  const token = protocol.get('oauth_token') || undefined;
  let tokenSecret = '';
  if (context.tokenRequired && token !== undefined) {
    const secret = context.tokenSecretFor(token, consumerKey);
    if (secret === undefined) return reject('unknown-token');
    tokenSecret = secret;
  }

  let expected: string;
  try {
    expected = hmacSha1Signature(
      signatureBaseString(request.method, request.url, params),
      consumerSecret,
      tokenSecret,
    );
  } catch {
    return reject('malformed-request');
  }
  if (!safeEqual(protocol.get('oauth_signature') ?? '', expected)) return reject('bad-signature');

  const fresh = context.guard.remember(
    { consumerKey, token, timestamp, nonce: protocol.get('oauth_nonce') ?? '' },
    context.nowSeconds,
  );
  if (!fresh) return reject('replayed-nonce');

  return { ok: true, protocol, params };
}
