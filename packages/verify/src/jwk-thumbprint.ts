import { createHash } from 'node:crypto';

/**
 * The JWK SHA-256 Thumbprint (RFC 7638) of a public key, the value a DPoP-bound token carries as
 * `cnf.jkt` (RFC 9449 §6.1).
 *
 * RFC 7638 §3.2: the hash input is the key's required members only, in lexicographic order, with
 * no whitespace. For the key types a DPoP proof may use here those are `crv, kty, x, y` (EC) and
 * `crv, kty, x` (OKP). Every member is a base64url string or a short curve name, so
 * JSON.stringify of the strings is exactly the required serialisation (RFC 7638 §3.3).
 *
 * Returns undefined when a required member is missing or not a string.
 */
export function jwkThumbprint(jwk: Readonly<Record<string, unknown>>): string | undefined {
  const { crv, kty, x, y } = jwk;
  if (typeof crv !== 'string' || typeof x !== 'string') return undefined;
  let members: string;
  if (kty === 'EC') {
    if (typeof y !== 'string') return undefined;
    members = `{"crv":${JSON.stringify(crv)},"kty":"EC","x":${JSON.stringify(x)},"y":${JSON.stringify(y)}}`;
  } else if (kty === 'OKP') {
    members = `{"crv":${JSON.stringify(crv)},"kty":"OKP","x":${JSON.stringify(x)}}`;
  } else {
    return undefined;
  }
  return createHash('sha256').update(members).digest('base64url');
}
