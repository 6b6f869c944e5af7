import { createPrivateKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StoredKey } from '../../src/tokens/keys';
import { signRevocation } from '../../src/tokens/revocation-events';

/** A signing key like the gateway's (RS256, 2048 bits) and an issuer that publishes it. */
export interface BenchIssuer {
  readonly issuer: string;
  readonly audience: string;
  mint(subject: string): string;
  close(): Promise<void>;
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Sessions the bench issuer has revoked: none of them is a session its tokens name, so every
 * token is accepted, but each verified token is looked up among this many revocations, as at a
 * gateway where commenters log out all day.
 */
export const BENCH_REVOKED_SESSIONS = 1000;

/** The site (client_id) the bench issuer's tokens and revocations are for. */
export const BENCH_SITE_ID = 'demo-blog';

/**
 * Serves discovery, a JWKS and a revocation feed (docs/revocation.md) on loopback and mints access
 * tokens with exactly the contract's claims, `sid` included, so the verifier polls the feed and
 * checks every token against it as it does against the real gateway. Minting uses node:crypto
 * directly: thousands of fresh tokens have to be made quickly. `revocationFeed: false` publishes
 * no feed (and signs no events).
 */
export async function startBenchIssuer(audience: string, options: { revocationFeed?: boolean } = {}): Promise<BenchIssuer> {
  const publishesFeed = options.revocationFeed ?? true;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = `bench-${randomUUID().slice(0, 8)}`;
  const jwk = { ...(publicKey.export({ format: 'jwk' }) as object), kid, alg: 'RS256', use: 'sig' };
  const revocations: Array<[string, string]> = [];
  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    const url = new URL(req.url ?? '/', 'http://bench');
    if (url.pathname === '/.well-known/openid-configuration') {
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks`, ...(publishesFeed ? { revocation_feed_endpoint: `${issuer}/revocations` } : {}) }));
    } else if (url.pathname === '/jwks') {
      res.end(JSON.stringify({ keys: [jwk] }));
    } else if (url.pathname === '/revocations') {
      // Pages of 100 events (~90 KB), as the gateway pages; the cursor is the index of the next.
      const from = Number(url.searchParams.get('after') ?? 0);
      const page = revocations.slice(from, from + 100);
      res.end(JSON.stringify({ sets: Object.fromEntries(page), moreAvailable: from + page.length < revocations.length, cursor: String(from + page.length) }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  // A verifier under valgrind runs 50 times slower: with Node's default 5 s it would reuse a
  // keep-alive connection the server is closing just then, and its fetch would fail.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const key: KeyObject = createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }));
  const storedKey: StoredKey = { kid, jwk: privateKey.export({ format: 'jwk' }) as StoredKey['jwk'], createdAt: Date.now(), origin: 'operator' };
  for (let index = 0; publishesFeed && index < BENCH_REVOKED_SESSIONS; index += 1) {
    const set = signRevocation(storedKey, issuer, { kind: 'session', siteId: BENCH_SITE_ID, sessionId: `revoked-${index}` }, Date.now());
    revocations.push([set.jti, set.jwt]);
  }
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
        client_id: BENCH_SITE_ID,
        scope: 'comments',
        iat: now,
        exp: now + 15 * 60,
        jti: randomUUID(),
        sid: `bench-${subject}`,
        name: 'Bench Commenter',
        idp: 'email',
      });
      const signature = sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), key).toString('base64url');
      return `${header}.${payload}.${signature}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
