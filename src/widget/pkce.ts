import { bytesToBase64url } from './base64url';

/** A code verifier and its S256 challenge (RFC 7636 §4.1–4.2). */
export interface PkcePair {
  readonly verifier: string;
  readonly challenge: string;
}

/** An unguessable base64url string from `byteLength` random bytes (32 bytes → 43 characters). */
export function randomToken(byteLength = 32): string {
  return bytesToBase64url(crypto.getRandomValues(new Uint8Array(byteLength)));
}

/** BASE64URL(SHA-256(ASCII(verifier))), with WebCrypto (only present in secure contexts). */
export async function codeChallengeS256(verifier: string): Promise<string> {
  if (!globalThis.crypto?.subtle) throw new Error('insecure_context');
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return bytesToBase64url(new Uint8Array(digest));
}

export async function createPkcePair(): Promise<PkcePair> {
  const verifier = randomToken(32);
  return { verifier, challenge: await codeChallengeS256(verifier) };
}
