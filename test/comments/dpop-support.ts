import fs from 'node:fs';
import path from 'node:path';
import { loadSettings, type Settings } from '../../src/config';
import { createCommentService, type CommentService, type CommentServiceOptions } from '../../src/comments';
import { listen, type RunningServer } from '../../src/http/listen';
import { TestBrowser } from '../helpers/browser';
import { makeDataDir } from '../helpers/data-dir';
import { startEmailSignIn } from '../helpers/email';
import { COMMENTS_URL, type TestSite } from '../helpers/gateway';
import { codeIn, relayParams, type Discovery } from '../helpers/oidc-client';
import { testStoreEnv } from '../helpers/postgres';
import { makeProof, type DpopKey } from '../../packages/verify/test/helpers/dpop';
import { commentsUrl, DEMO_ORIGIN, OTHER_ORIGIN, request, type ApiResponse } from './support';

/**
 * DPoP end to end, as a widget does it: a sign-in by email, a code redeemed with (or without) a
 * DPoP proof at the real gateway's token endpoint, and comments posted to a real comment service
 * with `Authorization: DPoP` and a proof whose htu is PARLEY_COMMENTS_URL plus the path (never
 * the loopback address the service happens to listen on).
 */

export const STRICT_ORIGIN = 'http://localhost:4202';

/** demo-blog and other-blog as everywhere, and strict-blog, which requires DPoP. */
export const DPOP_SITES: (TestSite & { requireDpop?: boolean })[] = [
  { id: 'demo-blog', name: 'Demo Blog', origins: [DEMO_ORIGIN] },
  { id: 'other-blog', name: 'Other Blog', origins: [OTHER_ORIGIN] },
  { id: 'strict-blog', name: 'Strict Blog', origins: [STRICT_ORIGIN], requireDpop: true },
];

export const ORIGIN_OF: Readonly<Record<string, string>> = { 'demo-blog': DEMO_ORIGIN, 'other-blog': OTHER_ORIGIN, 'strict-blog': STRICT_ORIGIN };

export interface RunningDpopCommentService {
  readonly url: string;
  readonly dataDir: string;
  readonly settings: Settings;
  readonly service: CommentService;
  stop(): Promise<void>;
}

/** A comment service for DPOP_SITES; pass the `dataDir` of another to share its database. */
export async function startDpopCommentService(
  issuer: string,
  options: { dataDir?: string; serviceOptions?: CommentServiceOptions } = {},
): Promise<RunningDpopCommentService> {
  const dataDir = options.dataDir ?? makeDataDir();
  const sitesFile = path.join(dataDir, 'sites.json');
  fs.writeFileSync(sitesFile, JSON.stringify(DPOP_SITES));
  const settings = loadSettings({
    PARLEY_DATA_DIR: dataDir,
    PARLEY_ISSUER: issuer,
    PARLEY_COMMENTS_URL: COMMENTS_URL,
    PARLEY_SITES_FILE: sitesFile,
    ...(await testStoreEnv(dataDir)),
  });
  const service = await createCommentService(settings, { log: () => undefined, ...options.serviceOptions });
  const server: RunningServer = await listen(service.app, 0);
  return {
    url: `http://127.0.0.1:${server.port}`,
    dataDir,
    settings,
    service,
    async stop() {
      await server.close();
      await service.close();
    },
  };
}

export interface TokenResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/**
 * Signs a commenter in by email for `siteId` and redeems the code at the token endpoint, with a
 * DPoP proof by `key` when one is given (the token is then bound to it).
 */
export async function signIn(discovery: Discovery, email: string, siteId: string, key: DpopKey | undefined): Promise<TokenResponse> {
  const browser = new TestBrowser();
  const started = await startEmailSignIn(browser, discovery, email, { siteId, name: email.split('@')[0] });
  const relay = await browser.post(`${discovery.issuer}/interaction/${started.uid}/email/code`, { code: codeIn(started.message!) });
  const response = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: ORIGIN_OF[siteId]!,
      ...(key === undefined ? {} : { dpop: makeProof(key, { htu: discovery.token_endpoint }) }),
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: relayParams(relay).get('code')!,
      redirect_uri: started.pending.redirectUri,
      client_id: siteId,
      code_verifier: started.pending.verifier,
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The access token of a successful sign-in. */
export async function accessToken(discovery: Discovery, email: string, siteId: string, key: DpopKey | undefined): Promise<string> {
  const tokens = await signIn(discovery, email, siteId, key);
  if (tokens.status !== 200) throw new Error(`token endpoint answered ${tokens.status}: ${JSON.stringify(tokens.body)}`);
  return tokens.body['access_token'] as string;
}

/** The path of a post's comments, and the htu of proofs for it: PARLEY_COMMENTS_URL and that path. */
export function commentsPath(site: string, post: string): string {
  return `/api/sites/${site}/posts/${post}/comments`;
}

export function htuFor(site: string, post: string): string {
  return `${COMMENTS_URL}${commentsPath(site, post)}`;
}

/** POSTs a comment with `Authorization: DPoP` and the proof given (none when undefined). */
export function postWithProof(base: string, site: string, post: string, token: string, proof: string | undefined, body = 'A comment.'): Promise<ApiResponse> {
  return request(commentsUrl(base, site, post), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin: ORIGIN_OF[site]!,
      authorization: `DPoP ${token}`,
      ...(proof === undefined ? {} : { dpop: proof }),
    },
    body: JSON.stringify({ body }),
  });
}

/** A fresh, valid proof by `key` for POSTing to a post's comments with `token`. */
export function postProof(key: DpopKey, token: string, site: string, post: string): string {
  return makeProof(key, { htu: htuFor(site, post), token });
}

/** The WWW-Authenticate error and scheme of a refusal. */
export function challenge(response: ApiResponse): { scheme: string; error: string | undefined } {
  const header = response.headers.get('www-authenticate') ?? '';
  return { scheme: header.split(' ')[0] ?? '', error: /error="([^"]+)"/.exec(header)?.[1] };
}
