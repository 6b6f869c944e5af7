// Named imports only: a default import of node:crypto would reach the published declarations and
// break blog projects compiled without esModuleInterop.
import { createPublicKey, verify as verifyWithKey, type JsonWebKey, type KeyObject } from 'node:crypto';

/**
 * The signature algorithms the verifier can check, each bound to exactly one kind of key.
 *
 * Algorithm confusion (RFC 8725 §2.1, §3.1) is prevented here rather than by the allow-list
 * alone: a key taken from the JWKS gets one algorithm, derived from its key type and curve, and a
 * token verifies only when its header `alg` equals that algorithm. No symmetric algorithm exists
 * in this table, so a public key can never be used as an HMAC secret, and `none` is not in it.
 *
 * The check itself is Node's synchronous `crypto.verify` on a KeyObject imported once: it costs a
 * few tens of microseconds, where WebCrypto (which jose 6 uses) adds a thread-pool round trip to
 * every call and measured about four times slower for RS256.
 */
export const SUPPORTED_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;
export type Algorithm = (typeof SUPPORTED_ALGORITHMS)[number];

/** RFC 7518 §3.3: RSA keys below 2048 bits MUST NOT be used for RS256. */
const MIN_RSA_MODULUS_BITS = 2048;
/** RFC 7518 §3.4: an ES256 signature is R || S, 32 octets each. */
const ES256_SIGNATURE_BYTES = 64;
/** RFC 8032 §5.1.6: an Ed25519 signature is 64 octets. */
const ED25519_SIGNATURE_BYTES = 64;

export function isSupportedAlgorithm(value: unknown): value is Algorithm {
  return typeof value === 'string' && (SUPPORTED_ALGORITHMS as readonly string[]).includes(value);
}

/** The one algorithm a JWK can verify, or undefined when it is no signing key we support. */
export function algorithmOfJwk(jwk: Readonly<Record<string, unknown>>): Algorithm | undefined {
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  return undefined;
}

/**
 * Imports the public part of a JWK for `algorithm`, or returns undefined when the key material is
 * unusable (bad encoding, weak RSA modulus). `createPublicKey` drops any private members.
 */
export function importPublicKey(jwk: JsonWebKey, algorithm: Algorithm): KeyObject | undefined {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk, format: 'jwk' });
  } catch {
    return undefined;
  }
  if (algorithm === 'RS256' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_MODULUS_BITS) {
    return undefined;
  }
  return key;
}

/** True when `signature` over the ASCII `signingInput` verifies with `key` under `algorithm`. */
export function verifySignature(
  algorithm: Algorithm,
  key: KeyObject,
  signingInput: Buffer,
  signature: Buffer,
): boolean {
  try {
    switch (algorithm) {
      case 'RS256':
        return verifyWithKey('sha256', signingInput, key, signature);
      case 'ES256':
        // JWS carries raw R || S, not the DER that OpenSSL expects by default.
        return (
          signature.length === ES256_SIGNATURE_BYTES &&
          verifyWithKey('sha256', signingInput, { key, dsaEncoding: 'ieee-p1363' }, signature)
        );
      case 'EdDSA':
        return signature.length === ED25519_SIGNATURE_BYTES && verifyWithKey(null, signingInput, key, signature);
    }
  } catch {
    // OpenSSL throws on some malformed signatures instead of returning false; both mean "no".
    return false;
  }
}
