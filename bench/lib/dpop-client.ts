import { createHash, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the DPoP benchmark needs on the client's side, made with node:crypto ahead of each run so
 * the load generator spends nothing on it: an issuer (discovery and JWKS on loopback) minting
 * access tokens with the contract's claims, bound to a key (`cnf.jkt`) or not, and DPoP proofs
 * (RFC 9449 §4.2) by that key, one per request, since a proof is used once.
 */

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

export interface DpopClientKey {
  readonly privateKey: KeyObject;
  readonly publicJwk: Record<string, string>;
  /** RFC 7638 thumbprint: the `cnf.jkt` of tokens bound to it. */
  readonly thumbprint: string;
}

export function dpopClientKey(): DpopClientKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' }) as Record<string, string>;
  const thumbprint = createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest('base64url');
  return { privateKey, publicJwk: jwk, thumbprint };
}

/** A proof by `key` for POST `htu` with `token`, made now. */
export function dpopProof(key: DpopClientKey, htu: string, token: string): string {
  const header = b64({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk });
  const claims = b64({
    jti: randomUUID(),
    htm: 'POST',
    htu,
    iat: Math.floor(Date.now() / 1000),
    ath: createHash('sha256').update(token).digest('base64url'),
  });
  const signature = sign('sha256', Buffer.from(`${header}.${claims}`), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${header}.${claims}.${signature.toString('base64url')}`;
}

export interface DpopBenchIssuer {
  readonly issuer: string;
  /** An access token for demo-blog, bound to `key` when one is given. */
  mint(subject: string, key?: DpopClientKey): string;
  close(): Promise<void>;
}

export async function startDpopBenchIssuer(audience: string): Promise<DpopBenchIssuer> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = `bench-dpop-${randomUUID().slice(0, 8)}`;
  const jwk = { ...(publicKey.export({ format: 'jwk' }) as object), kid, alg: 'RS256', use: 'sig' };
  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    else if (req.url === '/jwks') res.end(JSON.stringify({ keys: [jwk] }));
    else res.writeHead(404).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const header = b64({ alg: 'RS256', typ: 'at+jwt', kid });
  return {
    issuer,
    mint(subject, key) {
      const now = Math.floor(Date.now() / 1000);
      const payload = b64({
        iss: issuer,
        sub: subject,
        aud: audience,
        client_id: 'demo-blog',
        scope: 'comments',
        iat: now,
        exp: now + 15 * 60,
        jti: randomUUID(),
        name: 'Bench Commenter',
        idp: 'email',
        ...(key === undefined ? {} : { cnf: { jkt: key.thumbprint } }),
      });
      const signature = sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), privateKey).toString('base64url');
      return `${header}.${payload}.${signature}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
