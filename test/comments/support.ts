import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { importJWK, SignJWT, type CryptoKey, type JWK } from 'jose';
import { loadSettings, type Settings } from '../../src/config';
import { createCommentService, openCommentsDatabase, type ApiComment, type ApiThreadEntry, type CommentService, type CommentServiceOptions } from '../../src/comments';
import { listen, type RunningServer } from '../../src/http/listen';
import { loadKeyRing } from '../../src/tokens/keys';
import { testStoreEnv, testDatabaseUrl } from '../helpers/postgres';
import { makeDataDir } from '../helpers/data-dir';
import { COMMENTS_URL, startTestGateway, type RunningTestGateway, type TestSite } from '../helpers/gateway';

/**
 * A comment service on loopback with a real SQLite file in a temp dir, checking tokens against a
 * real gateway, and the means to make tokens the way that gateway does (its own persisted key).
 */

export const DEMO_ORIGIN = 'http://localhost:4200';
export const OTHER_ORIGIN = 'http://localhost:4201';

export const SERVICE_SITES: TestSite[] = [
  { id: 'demo-blog', name: 'Demo Blog', origins: [DEMO_ORIGIN, 'http://127.0.0.1:4200'] },
  { id: 'other-blog', name: 'Other Blog', origins: [OTHER_ORIGIN] },
];

export interface RunningCommentService {
  readonly url: string;
  readonly dataDir: string;
  readonly settings: Settings;
  readonly service: CommentService;
  stop(): Promise<void>;
}

/** Settings for a comment service whose tokens come from `issuer` (audience COMMENTS_URL). */
export function serviceSettings(issuer: string, dataDir: string = makeDataDir(), env: Record<string, string> = {}): Settings {
  const sitesFile = path.join(dataDir, 'sites.json');
  fs.writeFileSync(sitesFile, JSON.stringify(SERVICE_SITES));
  return loadSettings({
    PARLEY_DATA_DIR: dataDir,
    PARLEY_ISSUER: issuer,
    PARLEY_COMMENTS_URL: COMMENTS_URL,
    PARLEY_SITES_FILE: sitesFile,
    ...env,
  });
}

/** Starts a service on a free loopback port; pass `dataDir` to start one where another stood. */
export async function startCommentService(
  issuer: string,
  options: { dataDir?: string; serviceOptions?: CommentServiceOptions } = {},
): Promise<RunningCommentService> {
  const dataDir = options.dataDir ?? makeDataDir();
  // In the cluster suite, on a PostgreSQL database of its own (test/helpers/postgres.ts).
  const settings = serviceSettings(issuer, dataDir, await testStoreEnv(dataDir));
  const service = await createCommentService(settings, { log: () => undefined, ...options.serviceOptions });
  const server: RunningServer = await listen(service.app, 0);
  return {
    url: `http://127.0.0.1:${server.port}`,
    dataDir: settings.dataDir,
    settings,
    service,
    async stop() {
      await server.close();
      await service.close();
    },
  };
}

/** Claims to set on a token; a claim set to undefined is left out. */
export type TokenClaims = Record<string, unknown>;

/** Signs access tokens with the gateway's own current key, exactly as the gateway does. */
export class GatewayTokens {
  private constructor(
    readonly issuer: string,
    readonly kid: string,
    readonly privateJwk: JWK,
    private readonly key: CryptoKey | Uint8Array,
  ) {}

  static async of(gateway: RunningTestGateway): Promise<GatewayTokens> {
    const ring = await loadKeyRing(gateway.gateway.keyStore, { createIfMissing: false });
    if (!ring) throw new Error('the test gateway has no key');
    const jwk = ring.current.jwk;
    return new GatewayTokens(gateway.issuer, ring.current.kid, jwk, await importJWK(jwk, 'RS256'));
  }

  /** The claims the gateway puts in an access token for `sub` on demo-blog, issued now. */
  claims(overrides: TokenClaims = {}): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: this.issuer,
      sub: 'commenter-ada',
      aud: COMMENTS_URL,
      client_id: 'demo-blog',
      scope: 'openid profile comments',
      iat: now,
      exp: now + 15 * 60,
      jti: randomUUID(),
      name: 'Ada Lovelace',
      picture: 'https://pics.example/ada.png',
      idp: 'twitter',
      ...overrides,
    };
    for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
    return claims;
  }

  /** A genuine token; `header` changes or removes (undefined) header parameters. */
  mint(overrides: TokenClaims = {}, header: Record<string, unknown> = {}): Promise<string> {
    const protectedHeader: Record<string, unknown> = { alg: 'RS256', typ: 'at+jwt', kid: this.kid, ...header };
    for (const [name, value] of Object.entries(protectedHeader)) if (value === undefined) delete protectedHeader[name];
    return new SignJWT(this.claims(overrides)).setProtectedHeader(protectedHeader as { alg: string }).sign(this.key);
  }
}

/** A gateway, its token maker, and a comment service trusting it. */
export interface CommentsTestbed {
  readonly gateway: RunningTestGateway;
  readonly tokens: GatewayTokens;
  readonly service: RunningCommentService;
  stop(): Promise<void>;
}

export async function startTestbed(serviceOptions: CommentServiceOptions = {}): Promise<CommentsTestbed> {
  const gateway = await startTestGateway();
  const tokens = await GatewayTokens.of(gateway);
  const service = await startCommentService(gateway.issuer, { serviceOptions });
  return {
    gateway,
    tokens,
    service,
    async stop() {
      await service.stop();
      await gateway.stop();
    },
  };
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed JSON body; every field undefined when the body is not JSON. */
  readonly json: ApiJson;
}

/** The fields the comment API's bodies may have, for reading them in tests. */
export interface ApiJson {
  readonly error?: string;
  readonly message?: string;
  readonly comments?: ApiThreadEntry[];
  readonly comment?: ApiComment;
  readonly status?: string;
}

export async function request(url: string, init: RequestInit = {}): Promise<ApiResponse> {
  const response = await fetch(url, init);
  const text = await response.text();
  let json: ApiJson = {};
  try {
    json = JSON.parse(text) as ApiJson;
  } catch {
    // Not JSON: leave every field undefined.
  }
  return { status: response.status, headers: response.headers, text, json };
}

export function commentsUrl(base: string, site: string, post: string): string {
  return `${base}/api/sites/${site}/posts/${post}/comments`;
}

export function getComments(base: string, site: string, post: string, headers: Record<string, string> = {}): Promise<ApiResponse> {
  return request(commentsUrl(base, site, post), { headers });
}

/** POSTs `payload` as JSON (a string is sent as it is) with the token as a bearer. */
export function postComment(
  base: string,
  site: string,
  post: string,
  token: string | undefined,
  payload: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse> {
  return request(commentsUrl(base, site, post), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...headers,
    },
    body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
}

/** Asserts the contract's error shape: JSON `{ error, message }`, the code, no stack trace. */
export function expectError(response: ApiResponse, status: number, code: string): void {
  expect({ status: response.status, error: response.json?.error }).toEqual({ status, error: code });
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Object.keys(response.json).sort()).toEqual(['error', 'message']);
  expect(response.json.message).toMatch(/\S/);
  expect(response.text).not.toMatch(/\bat .+:\d+:\d+|node_modules|Error:/);
}

/** Rows in each table of the service's database (SQLite or PostgreSQL), read through a second connection. */
export async function rowCounts(dataDir: string): Promise<Record<'comments' | 'bans' | 'idempotency_keys' | 'rate_limits', number>> {
  const db = await openCommentsDatabase({ dataDir, databaseUrl: await testDatabaseUrl(dataDir) });
  try {
    const count = async (table: 'comments' | 'bans' | 'idempotency_keys' | 'rate_limits') =>
      Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    return { comments: await count('comments'), bans: await count('bans'), idempotency_keys: await count('idempotency_keys'), rate_limits: await count('rate_limits') };
  } finally {
    await db.destroy();
  }
}

/** A clock for the service that only the test moves. */
export class TestClock {
  constructor(public nowMs: number = Date.now()) {}

  readonly now = (): number => this.nowMs;

  advanceSeconds(seconds: number): void {
    this.nowMs += seconds * 1000;
  }
}
