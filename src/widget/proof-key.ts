import { bytesToBase64url } from './base64url';

/** The public half of a proof key, as a DPoP proof's `jwk` header carries it: nothing else. */
export interface PublicJwk {
  readonly kty: 'EC';
  readonly crv: 'P-256';
  readonly x: string;
  readonly y: string;
}

/**
 * The key a DPoP-bound token is bound to (RFC 9449). The private half is a non-extractable
 * CryptoKey: script on the page (an XSS on the blog included) can use it while the page is open,
 * but can never read it out, so a token taken from the page cannot be used anywhere else.
 */
export interface ProofKey {
  readonly privateKey: CryptoKey;
  readonly publicJwk: PublicJwk;
  /** The JWK SHA-256 thumbprint (RFC 7638): the bound token's `cnf.jkt`. */
  readonly thumbprint: string;
}

/**
 * JWK thumbprint of a P-256 public key: SHA-256 of its required members, in lexicographic order
 * and without whitespace (RFC 7638 §3.2–3.3).
 */
export async function jwkThumbprint(jwk: PublicJwk): Promise<string> {
  const canonical = `{"crv":"${jwk.crv}","kty":"${jwk.kty}","x":"${jwk.x}","y":"${jwk.y}"}`;
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical));
  return bytesToBase64url(new Uint8Array(digest));
}

/**
 * A fresh ECDSA P-256 key pair (ES256, what the gateway and the comment service both accept).
 * Undefined where the browser cannot make one: no WebCrypto (an insecure context on a
 * non-localhost http page) or no ECDSA (an old browser). The widget then asks for a plain,
 * unbound Bearer token, which still works wherever the site does not require DPoP.
 */
export async function createProofKey(): Promise<ProofKey | undefined> {
  if (!globalThis.crypto?.subtle) return undefined;
  try {
    // extractable: false applies to the private key; a public key can always be exported.
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    const exported = await crypto.subtle.exportKey('jwk', pair.publicKey);
    if (exported.kty !== 'EC' || exported.crv !== 'P-256' || !exported.x || !exported.y) return undefined;
    const publicJwk: PublicJwk = { kty: 'EC', crv: 'P-256', x: exported.x, y: exported.y };
    return { privateKey: pair.privateKey, publicJwk, thumbprint: await jwkThumbprint(publicJwk) };
  } catch {
    return undefined;
  }
}
