import { KeyObject, sign as cryptoSign } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/**
 * A stand-in for the gateway's public face on loopback: its discovery document and JWKS, served
 * from keys generated in the test. It counts requests and can be told to fail in the ways a real
 * network does.
 */

export type FixtureAlgorithm = 'RS256' | 'ES256' | 'EdDSA';

export interface FixtureKey {
  readonly kid: string;
  readonly alg: FixtureAlgorithm;
  readonly privateKey: CryptoKey;
  /** The public JWK as published, with kid, alg and use. */
  readonly publicJwk: JWK;
}

/**
 * ok; 500 with a body; 200 with a body that is not JSON; connection reset; never answering;
 * 302 to `redirectTo`.
 */
export type IssuerMode = 'ok' | 'error500' | 'garbage' | 'reset' | 'hang' | 'redirect';

export interface FixtureIssuer {
  readonly issuer: string;
  readonly requests: { discovery: number; jwks: number };
  /** How the JWKS endpoint answers. */
  mode: IssuerMode;
  /** How the discovery endpoint answers. */
  discoveryMode: IssuerMode;
  /** What the discovery document claims as issuer; the real one unless a test changes it. */
  discoveryIssuer: string;
  /** The jwks_uri the discovery document names; this issuer's own unless a test changes it. */
  jwksUri: string;
  /** Where the 'redirect' mode sends the client. */
  redirectTo: string;
  publish(keys: readonly (FixtureKey | JWK)[]): void;
  close(): Promise<void>;
}

export async function fixtureKey(alg: FixtureAlgorithm, kid: string): Promise<FixtureKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk };
}

const JWKS_PATH = '/jwks';

export async function startFixtureIssuer(keys: readonly FixtureKey[]): Promise<FixtureIssuer> {
  let published: JWK[] = keys.map((key) => key.publicJwk);
  const requests = { discovery: 0, jwks: 0 };
  const server = http.createServer((req, res) => {
    let mode: IssuerMode;
    if (req.url === '/.well-known/openid-configuration') {
      requests.discovery += 1;
      mode = fixture.discoveryMode;
    } else if (req.url === JWKS_PATH) {
      requests.jwks += 1;
      mode = fixture.mode;
    } else {
      res.writeHead(404).end();
      return;
    }
    switch (mode) {
      case 'error500':
        res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
        return;
      case 'garbage':
        res.writeHead(200, { 'content-type': 'application/json' }).end('<html>not json');
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'hang':
        return;
      case 'redirect':
        res.writeHead(302, { location: fixture.redirectTo }).end();
        return;
      case 'ok': {
        const body =
          req.url === JWKS_PATH
            ? { keys: published }
            : { issuer: fixture.discoveryIssuer, jwks_uri: fixture.jwksUri };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fixture: FixtureIssuer = {
    issuer,
    requests,
    mode: 'ok',
    discoveryMode: 'ok',
    discoveryIssuer: issuer,
    jwksUri: `${issuer}${JWKS_PATH}`,
    redirectTo: `${issuer}${JWKS_PATH}`,
    publish(next) {
      published = next.map((key) => ('publicJwk' in key ? key.publicJwk : key) as JWK);
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return fixture;
}

export const AUDIENCE = 'http://comments.test';
/** The site the fixture tokens are issued to (their client_id), which the test verifiers serve. */
export const SITE = 'demo-blog';

/** The claims the gateway puts in a comment-service access token, issued at `nowSeconds`. */
export function gatewayClaims(issuer: string, nowSeconds: number): Record<string, unknown> {
  return {
    iss: issuer,
    sub: 'pairwise-7f3a',
    aud: AUDIENCE,
    client_id: SITE,
    scope: 'openid profile comments',
    iat: nowSeconds,
    exp: nowSeconds + 10 * 60,
    jti: 'jti-0001',
    name: 'Ada Lovelace',
    picture: 'https://pics.example/ada.png',
    idp: 'twitter',
  };
}

export interface MintOptions {
  /** Claims to set; a claim set to undefined is left out. */
  readonly claims?: Record<string, unknown>;
  /** Header parameters to set; one set to undefined is left out. */
  readonly header?: Record<string, unknown>;
}

function defined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

/** Signs an access token with `key` the way the gateway does, with the changes asked for. */
export function mintToken(
  key: FixtureKey,
  issuer: string,
  nowSeconds: number,
  options: MintOptions = {},
): Promise<string> {
  const claims = defined({ ...gatewayClaims(issuer, nowSeconds), ...options.claims });
  const header = defined({ alg: key.alg, typ: 'at+jwt', kid: key.kid, ...options.header });
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key.privateKey);
}

export function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A clock the verifier reads instead of Date.now, moved only by the test. */
export class FakeClock {
  constructor(public nowMs: number) {}

  readonly now = (): number => this.nowMs;

  get nowSeconds(): number {
    return Math.floor(this.nowMs / 1000);
  }

  advanceSeconds(seconds: number): void {
    this.nowMs += seconds * 1000;
  }
}

/** 2030-01-01T12:00:00Z: a fixed instant, so no test depends on when it runs. */
export const FIXED_NOW_MS = Date.UTC(2030, 0, 1, 12, 0, 0);

/**
 * Signs `header.payload` with RS256 through node:crypto, for tokens jose refuses to make (a claims
 * set that is not an object, a key below 2048 bits).
 */
export function signRs256Raw(
  header: Record<string, unknown>,
  payloadSegment: string,
  key: KeyObject | CryptoKey,
): string {
  const privateKey = key instanceof KeyObject ? key : KeyObject.from(key);
  const signingInput = `${base64urlJson(header)}.${payloadSegment}`;
  const signature = cryptoSign('sha256', Buffer.from(signingInput), privateKey).toString('base64url');
  return `${signingInput}.${signature}`;
}
