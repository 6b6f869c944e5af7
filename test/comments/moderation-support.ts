import fs from 'node:fs';
import path from 'node:path';
import { loadSettings, type Settings } from '../../src/config';
import { createCommentService, type CommentService } from '../../src/comments';
import { listen, type RunningServer } from '../../src/http/listen';
import { makeDataDir } from '../helpers/data-dir';
import { COMMENTS_URL, startTestGateway, type RunningTestGateway, type TestSite } from '../helpers/gateway';
import { testStoreEnv } from '../helpers/postgres';
import { GatewayTokens, request, type ApiResponse } from './support';

/**
 * A gateway and a comment service that share a sites file naming moderators (docs/moderation.md),
 * for the moderation API's tests: real HTTP on loopback, a real database.
 */

export interface ModeratedTestSite extends TestSite {
  moderators?: string[];
  authors?: string[];
  moderation?: 'pre' | 'post';
}

export const MODERATED_SITES: ModeratedTestSite[] = [
  { id: 'demo-blog', name: 'Demo Blog', origins: ['http://localhost:4200'], moderators: ['mod@example.com', 'linked-mod@example.com'], authors: ['author@example.com'] },
  { id: 'other-blog', name: 'Other Blog', origins: ['http://localhost:4201'], moderators: ['other-mod@example.com'] },
  { id: 'held-blog', name: 'Held Blog', origins: ['http://localhost:4202'], moderators: ['mod@example.com'], moderation: 'pre' },
  { id: 'open-blog', name: 'Open Blog', origins: ['http://localhost:4203'] },
];

export interface ModerationTestbed {
  readonly gateway: RunningTestGateway;
  readonly tokens: GatewayTokens;
  /** The comment service's URL on loopback (its public URL, the tokens' audience, is COMMENTS_URL). */
  readonly url: string;
  readonly settings: Settings;
  readonly service: CommentService;
  /** Starts another instance of the comment service on the same database (SQLite file or PostgreSQL). */
  anotherInstance(): Promise<{ readonly url: string; stop(): Promise<void> }>;
  stop(): Promise<void>;
}

/** `gatewayEnv`: more settings for the gateway (the emulators', say). */
export async function startModerationTestbed(sites: ModeratedTestSite[] = MODERATED_SITES, gatewayEnv: Record<string, string> = {}): Promise<ModerationTestbed> {
  const gateway = await startTestGateway({ sites, env: gatewayEnv });
  const tokens = await GatewayTokens.of(gateway);
  const dataDir = makeDataDir();
  const sitesFile = path.join(dataDir, 'sites.json');
  fs.writeFileSync(sitesFile, JSON.stringify(sites));
  const settings = loadSettings({
    PARLEY_DATA_DIR: dataDir,
    PARLEY_ISSUER: gateway.issuer,
    PARLEY_COMMENTS_URL: COMMENTS_URL,
    PARLEY_SITES_FILE: sitesFile,
    ...(await testStoreEnv(dataDir)),
  });
  const service = await createCommentService(settings, { log: () => undefined });
  const server: RunningServer = await listen(service.app, 0);
  return {
    gateway,
    tokens,
    url: `http://127.0.0.1:${server.port}`,
    settings,
    service,
    async anotherInstance() {
      const another = await createCommentService(settings, { log: () => undefined });
      const anotherServer = await listen(another.app, 0);
      return {
        url: `http://127.0.0.1:${anotherServer.port}`,
        async stop() {
          await anotherServer.close();
          await another.close();
        },
      };
    },
    async stop() {
      await server.close();
      await service.close();
      await gateway.stop();
    },
  };
}

/** Calls the moderation API of `site` with the token (GET unless a method is given). */
export function moderationCall(base: string, site: string, pathAndQuery: string, token: string | undefined, method = 'GET'): Promise<ApiResponse> {
  return request(`${base}/api/sites/${site}/moderation${pathAndQuery}`, {
    method,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
}

/** The moderation API's bodies, for reading them in tests. */
export interface ModeratedCommentJson {
  id: string;
  postId: string;
  parentId: string | null;
  author: { sub: string; name: string; picture: string | null; idp: string; banned: boolean };
  body: string;
  createdAt: string;
  state: string;
  byAuthor: boolean;
}

export function moderatedComments(response: ApiResponse): ModeratedCommentJson[] {
  return (JSON.parse(response.text) as { comments: ModeratedCommentJson[] }).comments;
}
