import { InvalidTokenError } from './errors';

/**
 * Splits a compact JWS (RFC 7515 §7.1) and reads its protected header; nothing here is trusted
 * until the signature over `signingInput` has been checked.
 *
 * - Three base64url segments, nothing else: no padding, no whitespace, no JWE (five segments).
 *   The signature segment may be empty so that `alg: none` is refused by name, not as noise.
 * - The header is a JSON object; `crit` is refused because we understand no extension
 *   (RFC 7515 §4.1.11). `jwk`, `jku`, `x5u`, `x5c` are ignored: keys come only from the issuer.
 */

/** Tokens from the gateway are about 1 KiB; anything near this is not one of them. */
export const MAX_TOKEN_BYTES = 8 * 1024;

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export interface DecodedJws {
  readonly header: Readonly<Record<string, unknown>>;
  /** `BASE64URL(header) || '.' || BASE64URL(payload)`, the bytes the signature covers. */
  readonly signingInput: Buffer;
  readonly payloadSegment: string;
  readonly signature: Buffer;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses one base64url segment as a JSON object, or throws ERR_TOKEN_MALFORMED naming `part`. */
export function decodeJsonSegment(segment: string, part: 'header' | 'claims set'): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (!isRecord(value)) throw new InvalidTokenError('ERR_TOKEN_MALFORMED', `token ${part} is not a JSON object`);
  return value;
}

/** Refuses an oversized token before anything else reads it (hashing, parsing). */
export function checkTokenSize(token: string): void {
  if (token.length > MAX_TOKEN_BYTES) {
    throw new InvalidTokenError('ERR_TOKEN_TOO_LARGE', `token is larger than ${MAX_TOKEN_BYTES} bytes`);
  }
}

/** A compact JWS cut into its parts, its header not read yet. */
export interface SplitJws extends Omit<DecodedJws, 'header'> {
  readonly headerSegment: string;
}

/** Call after checkTokenSize; throws ERR_TOKEN_MALFORMED for anything but three base64url segments. */
export function splitCompactJws(token: string): SplitJws {
  if (!COMPACT_JWS.test(token)) {
    throw new InvalidTokenError('ERR_TOKEN_MALFORMED', 'token is not a compact JWS');
  }
  const headerEnd = token.indexOf('.');
  const payloadEnd = token.indexOf('.', headerEnd + 1);
  return {
    headerSegment: token.slice(0, headerEnd),
    // The regex above guarantees ASCII, for which latin1 is the cheapest exact encoding.
    signingInput: Buffer.from(token.slice(0, payloadEnd), 'latin1'),
    payloadSegment: token.slice(headerEnd + 1, payloadEnd),
    signature: Buffer.from(token.slice(payloadEnd + 1), 'base64url'),
  };
}

/** The protected header of a split JWS, a JSON object without `crit`. */
export function decodeHeader(headerSegment: string): Record<string, unknown> {
  const header = decodeJsonSegment(headerSegment, 'header');
  if (header.crit !== undefined) {
    throw new InvalidTokenError('ERR_TOKEN_MALFORMED', 'token header crit is not supported', 'crit');
  }
  return header;
}

/** Call after checkTokenSize. */
export function decodeCompactJws(token: string): DecodedJws {
  const { headerSegment, signingInput, payloadSegment, signature } = splitCompactJws(token);
  return { header: decodeHeader(headerSegment), signingInput, payloadSegment, signature };
}
