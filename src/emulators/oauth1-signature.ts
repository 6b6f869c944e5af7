/**
 * OAuth 1.0a signatures (RFC 5849 §3.4): parameter encoding, the signature base string and
 * HMAC-SHA1. The Twitter emulator verifies with these functions and tests (or any dev tool)
 * sign with `signRequest`, so both sides share one base-string implementation that is pinned
 * to the RFC and Twitter documentation vectors in test/emulators/oauth1-signature.test.ts.
 */
import { createHmac, randomBytes } from 'node:crypto';

/** One decoded name/value pair; order and repeats matter (RFC 5849 §3.4.1.3.2). */
export type OAuthParameter = readonly [name: string, value: string];

/** The only signature method the emulator accepts: PLAINTEXT and RSA-SHA1 are refused. */
export const HMAC_SHA1 = 'HMAC-SHA1';

/**
 * RFC 5849 §3.6: UTF-8 encode, then percent-encode every octet outside the unreserved set
 * (ALPHA, DIGIT, "-", ".", "_", "~") with upper-case hex. encodeURIComponent leaves `!'()*`
 * alone, which the RFC does not allow.
 */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** application/x-www-form-urlencoded decoding, where "+" is a space (W3C HTML 4 §17.13.4). */
function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

/**
 * Parses a query string or form body into ordered pairs, keeping repeats and empty values
 * (RFC 5849 §3.4.1.3.1: `c2` with no "=" is the parameter c2 with an empty value).
 * Throws URIError on broken percent-encoding.
 */
export function parseFormEncoded(encoded: string): OAuthParameter[] {
  const pairs: OAuthParameter[] = [];
  for (const part of encoded.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq === -1 ? part : part.slice(0, eq);
    const value = eq === -1 ? '' : part.slice(eq + 1);
    pairs.push([formDecode(name), formDecode(value)]);
  }
  return pairs;
}

/**
 * Parses an `Authorization: OAuth ...` header (RFC 5849 §3.5.1) into decoded pairs, without
 * `realm` (§3.4.1.3.1 excludes it from the base string). Returns undefined when the header uses
 * another scheme; throws SyntaxError when it claims OAuth but is malformed.
 */
export function parseAuthorizationHeader(header: string): OAuthParameter[] | undefined {
  const scheme = /^\s*OAuth(?:\s+|$)/i.exec(header);
  if (!scheme) return undefined;
  const pairs: OAuthParameter[] = [];
  const item = /\s*([A-Za-z0-9_.~%-]+)\s*=\s*"([^"]*)"\s*(,|$)/y;
  item.lastIndex = scheme[0].length;
  while (item.lastIndex < header.length) {
    const start = item.lastIndex;
    const match = item.exec(header);
    if (!match || match.index !== start) {
      throw new SyntaxError('malformed OAuth Authorization header');
    }
    const [, rawName = '', rawValue = '', separator] = match;
    const name = decodeURIComponent(rawName);
    if (name !== 'realm') pairs.push([name, decodeURIComponent(rawValue)]);
    if (separator === '') break;
  }
  return pairs;
}

/**
 * RFC 5849 §3.4.1.2: scheme and host lower-cased, default ports dropped, no query or fragment.
 * The WHATWG URL parser already lower-cases and drops :80 / :443 for http and https.
 */
export function baseStringUri(url: string | URL): string {
  const parsed = typeof url === 'string' ? new URL(url) : url;
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`OAuth 1.0a signs only http and https URLs, not ${parsed.protocol}`);
  }
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

function compareAscii(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/**
 * RFC 5849 §3.4.1.3.2: encode names and values, sort by name then value (byte order; the
 * encoded strings are ASCII so code-unit order is byte order), join with "=" and "&".
 * `oauth_signature` is excluded (§3.4.1.3.1).
 */
export function normaliseParameters(params: readonly OAuthParameter[]): string {
  return params
    .filter(([name]) => name !== 'oauth_signature')
    .map(([name, value]) => [percentEncode(name), percentEncode(value)] as const)
    .sort((x, y) => compareAscii(x[0], y[0]) || compareAscii(x[1], y[1]))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** RFC 5849 §3.4.1.1: METHOD & encoded base string URI & encoded normalised parameters. */
export function signatureBaseString(
  method: string,
  url: string | URL,
  params: readonly OAuthParameter[],
): string {
  return [
    percentEncode(method.toUpperCase()),
    percentEncode(baseStringUri(url)),
    percentEncode(normaliseParameters(params)),
  ].join('&');
}

/**
 * RFC 5849 §3.4.2: HMAC-SHA1 keyed with encoded client secret "&" encoded token secret (the
 * "&" stays even when the token secret is empty, as on the request-token call), base64.
 */
export function hmacSha1Signature(
  baseString: string,
  consumerSecret: string,
  tokenSecret = '',
): string {
  const key = `${percentEncode(consumerSecret)}&${percentEncode(tokenSecret)}`;
  return createHmac('sha1', key).update(baseString).digest('base64');
}

/** RFC 5849 §3.5.1: `OAuth realm="..", name="encoded value", ...`. */
export function buildAuthorizationHeader(
  params: readonly OAuthParameter[],
  realm?: string,
): string {
  const items = params.map(([name, value]) => `${percentEncode(name)}="${percentEncode(value)}"`);
  if (realm !== undefined) items.unshift(`realm="${realm.replace(/"/g, '%22')}"`);
  return `OAuth ${items.join(', ')}`;
}

/** What a client needs to sign one request. */
export interface SignRequestInput {
  readonly method: string;
  /** Absolute URL as it will be requested; its query takes part in the signature. */
  readonly url: string | URL;
  readonly consumerKey: string;
  readonly consumerSecret: string;
  readonly token?: string;
  readonly tokenSecret?: string;
  /** Further protocol parameters, such as `oauth_callback` or `oauth_verifier`. */
  readonly oauthParams?: Readonly<Record<string, string>>;
  /** Parameters of an application/x-www-form-urlencoded body sent with the request. */
  readonly bodyParams?: readonly OAuthParameter[];
  /** Defaults to 16 random bytes in hex. */
  readonly nonce?: string;
  /** Seconds since the epoch; defaults to now. */
  readonly timestamp?: number;
  readonly realm?: string;
}

export interface SignedRequest {
  /** Value for the Authorization header. */
  readonly authorization: string;
  readonly baseString: string;
  readonly signature: string;
  /** The protocol parameters including `oauth_signature`. */
  readonly oauthParams: readonly OAuthParameter[];
}

/**
 * Signs a request with HMAC-SHA1 and the protocol parameters in the Authorization header,
 * the placement Twitter recommends and RFC 5849 §3.5 lists first.
 */
export function signRequest(input: SignRequestInput): SignedRequest {
  const url = typeof input.url === 'string' ? new URL(input.url) : input.url;
  const protocol: OAuthParameter[] = [
    ['oauth_consumer_key', input.consumerKey],
    ['oauth_nonce', input.nonce ?? randomBytes(16).toString('hex')],
    ['oauth_signature_method', HMAC_SHA1],
    ['oauth_timestamp', String(input.timestamp ?? Math.floor(Date.now() / 1000))],
    ['oauth_version', '1.0'],
  ];
  if (input.token !== undefined) protocol.push(['oauth_token', input.token]);
  for (const [name, value] of Object.entries(input.oauthParams ?? {})) protocol.push([name, value]);

  const all = [
    ...parseFormEncoded(url.search.slice(1)),
    ...(input.bodyParams ?? []),
    ...protocol,
  ];
  const baseString = signatureBaseString(input.method, url, all);
  const signature = hmacSha1Signature(baseString, input.consumerSecret, input.tokenSecret ?? '');
  const oauthParams = [...protocol, ['oauth_signature', signature] as const].sort((x, y) =>
    compareAscii(x[0], y[0]),
  );
  return {
    authorization: buildAuthorizationHeader(oauthParams, input.realm),
    baseString,
    signature,
    oauthParams,
  };
}
