import { bytesToBase64url, textToBase64url } from './base64url';
import { randomToken } from './pkce';
import type { ProofKey } from './proof-key';

/**
 * DPoP proofs (RFC 9449 §4): a JWT, signed with the proof key, for one HTTP request. The server
 * checks that its `jwk` is the key the token is bound to (`cnf.jkt`), that `htm` and `htu` are the
 * request's, that `iat` is recent, that `ath` is the token's hash, and that `jti` is new.
 */

/** What one proof is for. */
export interface ProofRequest {
  readonly method: string;
  /** The request's URL; the proof names it without query or fragment (§4.2, `htu`). */
  readonly url: string;
  /** The access token sent with it (to a resource server): the proof carries its hash, `ath`. */
  readonly accessToken?: string | undefined;
  /** A `DPoP-Nonce` the server asked for (§8), if it did. */
  readonly nonce?: string | undefined;
}

/**
 * How far the reader's clock is behind the servers' (ms), learned from a `Date` header when a
 * proof was refused: a wrong clock on the reader's computer is the common reason for a refused
 * `iat`, and the server's own time is the one it checks against.
 */
let clockCorrectionMs = 0;

/**
 * Corrects the proofs' clock from a server's `Date` header (RFC 9110 §6.6.1). Only a difference
 * of a few seconds or more counts: `Date` has one-second resolution.
 */
export function correctClockFrom(dateHeader: string | null, now = Date.now()): void {
  const serverTime = dateHeader ? Date.parse(dateHeader) : NaN;
  if (Number.isNaN(serverTime)) return;
  const difference = serverTime - now;
  clockCorrectionMs = Math.abs(difference) >= CLOCK_RESOLUTION_MS ? difference : 0;
}

const CLOCK_RESOLUTION_MS = 2_000;

/** The request's URL as `htu`: scheme, authority and path; no query, no fragment. */
export function targetUri(url: string): string {
  const target = new URL(url);
  target.search = '';
  target.hash = '';
  return target.href;
}

/** base64url(SHA-256(ASCII(access token))), the proof's `ath` (§4.2). */
export async function accessTokenHash(accessToken: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(accessToken));
  return bytesToBase64url(new Uint8Array(digest));
}

/** A new proof, with its own `jti`: make one for every request, retries included. */
export async function createDpopProof(key: ProofKey, request: ProofRequest): Promise<string> {
  const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk };
  const claims: Record<string, string | number> = {
    jti: randomToken(16),
    htm: request.method.toUpperCase(),
    htu: targetUri(request.url),
    iat: Math.floor((Date.now() + clockCorrectionMs) / 1000),
  };
  if (request.accessToken !== undefined) claims['ath'] = await accessTokenHash(request.accessToken);
  if (request.nonce !== undefined) claims['nonce'] = request.nonce;
  const signingInput = `${textToBase64url(JSON.stringify(header))}.${textToBase64url(JSON.stringify(claims))}`;
  // WebCrypto's ECDSA signature is r || s, 32 bytes each: exactly the JWS ES256 form (RFC 7518 §3.4).
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.privateKey, new TextEncoder().encode(signingInput));
  return `${signingInput}.${bytesToBase64url(new Uint8Array(signature))}`;
}
