import crypto, { type KeyObject } from 'node:crypto';

/**
 * A client's DPoP key pair and the proofs it makes (RFC 9449 §4.2), with node:crypto only, so
 * the tests do not lean on a JOSE library to build what the verifier checks.
 */

export interface DpopKey {
  readonly alg: 'ES256' | 'EdDSA';
  readonly privateKey: KeyObject;
  /** The public JWK as a proof header carries it. */
  readonly publicJwk: Record<string, string>;
  /** The private JWK: what a careless client might put in the header. */
  readonly privateJwk: Record<string, string>;
  /** RFC 7638 thumbprint: the `cnf.jkt` of tokens bound to this key. */
  readonly thumbprint: string;
}

export function dpopKey(alg: 'ES256' | 'EdDSA' = 'ES256'): DpopKey {
  const { privateKey, publicKey } =
    alg === 'ES256' ? crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }) : crypto.generateKeyPairSync('ed25519');
  const publicJwk = publicKey.export({ format: 'jwk' }) as Record<string, string>;
  const privateJwk = privateKey.export({ format: 'jwk' }) as Record<string, string>;
  const members =
    publicJwk.kty === 'EC'
      ? { crv: publicJwk.crv, kty: publicJwk.kty, x: publicJwk.x, y: publicJwk.y }
      : { crv: publicJwk.crv, kty: publicJwk.kty, x: publicJwk.x };
  const thumbprint = crypto.createHash('sha256').update(JSON.stringify(members)).digest('base64url');
  return { alg, privateKey, publicJwk, privateJwk, thumbprint };
}

/** base64url(SHA-256(token)): the `ath` of a proof made for `token`. */
export function tokenHash(token: string): string {
  return crypto.createHash('sha256').update(token).digest('base64url');
}

export interface ProofOptions {
  readonly htm?: string;
  readonly htu: string;
  /** The access token, for `ath`. */
  readonly token?: string;
  /** NumericDate; default now. */
  readonly iat?: number;
  readonly jti?: string;
  /** Header parameters to set; one set to undefined is left out. */
  readonly header?: Record<string, unknown>;
  /** Claims to set; one set to undefined is left out. */
  readonly claims?: Record<string, unknown>;
  /** Sign with this key instead of `key` (the header still names `key`'s jwk). */
  readonly signWith?: KeyObject;
}

function defined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

function segment(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A DPoP proof by `key` for one request. */
export function makeProof(key: DpopKey, options: ProofOptions): string {
  const header = defined({ typ: 'dpop+jwt', alg: key.alg, jwk: key.publicJwk, ...options.header });
  const claims = defined({
    jti: options.jti ?? crypto.randomUUID(),
    htm: options.htm ?? 'POST',
    htu: options.htu,
    iat: options.iat ?? Math.floor(Date.now() / 1000),
    ...(options.token === undefined ? {} : { ath: tokenHash(options.token) }),
    ...options.claims,
  });
  const signingInput = `${segment(header)}.${segment(claims)}`;
  const signer = options.signWith ?? key.privateKey;
  const signature =
    key.alg === 'ES256'
      ? crypto.sign('sha256', Buffer.from(signingInput), { key: signer, dsaEncoding: 'ieee-p1363' })
      : crypto.sign(null, Buffer.from(signingInput), signer);
  return `${signingInput}.${signature.toString('base64url')}`;
}
