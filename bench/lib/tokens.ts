import { createPrivateKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A signing key like the gateway's (RS256, 2048 bits) and an issuer that publishes it. */
export interface BenchIssuer {
  readonly issuer: string;
  readonly audience: string;
  mint(subject: string): string;
  close(): Promise<void>;
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Serves discovery and a JWKS on loopback and mints access tokens with exactly the contract's
 * claims. Minting uses node:crypto directly: thousands of fresh tokens have to be made quickly.
 */
export async function startBenchIssuer(audience: string): Promise<BenchIssuer> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = `bench-${randomUUID().slice(0, 8)}`;
  const jwk = { ...(publicKey.export({ format: 'jwk' }) as object), kid, alg: 'RS256', use: 'sig' };
  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') {
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    } else if (req.url === '/jwks') {
      res.end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const key: KeyObject = createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }));
  const header = b64({ alg: 'RS256', typ: 'at+jwt', kid });
  return {
    issuer,
    audience,
    mint(subject) {
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
      });
      const signature = sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), key).toString('base64url');
      return `${header}.${payload}.${signature}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
