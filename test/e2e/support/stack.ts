import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import express from 'express';
import { loadSettings, type Settings } from '../../../src/config';
import { startEmulators, type RunningEmulators } from '../../../src/emulators';
import { createGateway, type Gateway } from '../../../src/gateway/app';
import { demoPostPage } from '../../../src/demo/page';
import { PROJECT_ROOT } from '../../../src/paths';
import { bindLoopback, type Listener } from '../../helpers/listener';
import { startOpenerPolicyProxy, type OpenerPolicyProxy } from './opener-policy-proxy';
import { createCommentService, type CommentService } from '../../../src/comments';

export const SITE_ID = 'demo-blog';
export const WIDGET_FILE = path.join(PROJECT_ROOT, 'dist', 'widget.js');

/** Everything `parley demo` runs, started in-process on free loopback ports. */
export interface Stack {
  readonly settings: Settings;
  readonly gatewayUrl: string;
  readonly commentsUrl: string;
  /** The demo blog post, at http://localhost:PORT/. */
  readonly blogUrl: string;
  /** The same post at http://127.0.0.1:PORT/: another site (registrable domain) than the gateway. */
  readonly blogUrlOtherSite: string;
  readonly emulators: RunningEmulators;
  /** Twitter goes through this proxy, which can give its pages a Cross-Origin-Opener-Policy. */
  readonly twitterProxy: OpenerPolicyProxy;
  readonly gateway: Gateway;
  readonly comments: CommentService;
  /** The newest sign-in code mailed to an address (the dev mailbox). */
  mailedCode(to: string): Promise<string>;
  close(): Promise<void>;
}

/** What a test file may change about its stack; everything else is `parley demo`'s. */
export interface StackOptions {
  /** Access tokens run out this soon (seconds), to see a real token expire. */
  readonly accessTokenTtlSeconds?: number;
  /** The comment service's clock tolerance for `exp` (seconds; the verifier's default is 30). */
  readonly clockToleranceSeconds?: number;
  /** The site takes only DPoP-bound tokens (`requireDpop` in the sites file). */
  readonly requireDpop?: boolean;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  if (!fs.existsSync(WIDGET_FILE)) throw new Error(`${WIDGET_FILE} is missing: the e2e global setup builds it (npm run build)`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-e2e-'));
  const listeners: Listener[] = [];
  const bind = async () => {
    const listener = await bindLoopback();
    listeners.push(listener);
    return listener;
  };
  const gatewayListener = await bind();
  const commentsListener = await bind();
  const blogListener = await bind();
  const emulators = await startEmulators({ port: 0 });
  const twitterProxy = await startOpenerPolicyProxy(emulators.url);

  const gatewayUrl = `http://localhost:${gatewayListener.port}`;
  const commentsUrl = `http://localhost:${commentsListener.port}`;
  const blogUrl = `http://localhost:${blogListener.port}/`;
  const blogUrlOtherSite = `http://127.0.0.1:${blogListener.port}/`;
  const sitesFile = path.join(dataDir, 'sites.json');
  const site = { id: SITE_ID, name: 'Demo Blog', origins: [new URL(blogUrl).origin, new URL(blogUrlOtherSite).origin] };
  fs.writeFileSync(sitesFile, JSON.stringify([options.requireDpop ? { ...site, requireDpop: true } : site]));

  const settings = loadSettings({
    PARLEY_DATA_DIR: dataDir,
    PARLEY_ISSUER: gatewayUrl,
    PARLEY_GATEWAY_PORT: String(gatewayListener.port),
    PARLEY_COMMENTS_URL: commentsUrl,
    PARLEY_COMMENTS_PORT: String(commentsListener.port),
    PARLEY_DEMO_PORT: String(blogListener.port),
    PARLEY_SITES_FILE: sitesFile,
    PARLEY_TWITTER_CONSUMER_KEY: emulators.twitter.consumerKey,
    PARLEY_TWITTER_CONSUMER_SECRET: emulators.twitter.consumerSecret,
    PARLEY_TWITTER_API_URL: emulators.twitter.apiUrl.replace(emulators.url, twitterProxy.url),
    PARLEY_FACEBOOK_APP_ID: emulators.facebook.appId,
    PARLEY_FACEBOOK_APP_SECRET: emulators.facebook.appSecret,
    PARLEY_FACEBOOK_WWW_URL: emulators.facebook.wwwUrl,
    PARLEY_FACEBOOK_GRAPH_URL: emulators.facebook.graphUrl,
  });

  const gateway = await createGateway(settings, {
    keyWatchIntervalMs: 0,
    log: () => undefined,
    // Every sign-in of the suite comes from one loopback address.
    emailRateLimits: { perAddress: { limit: 50, windowSeconds: 900 }, perClient: { limit: 500, windowSeconds: 900 } },
    ...(options.accessTokenTtlSeconds === undefined ? {} : { accessTokenTtlSeconds: options.accessTokenTtlSeconds }),
  });
  gatewayListener.serve(gateway.app);
  const comments = await createCommentService(settings, {
    log: () => undefined,
    ...(options.clockToleranceSeconds === undefined ? {} : { verifierOptions: { clockToleranceSeconds: options.clockToleranceSeconds } }),
  });
  commentsListener.serve(await withWidgetScript(comments.app, commentsUrl));

  const blog = express();
  blog.get('/', (_req, res) => {
    res.type('html').send(demoPostPage({ commentsUrl, gatewayUrl, siteId: SITE_ID }));
  });
  blogListener.serve(blog);

  return {
    settings,
    gatewayUrl,
    commentsUrl,
    blogUrl,
    blogUrlOtherSite,
    emulators,
    twitterProxy,
    gateway,
    comments,
    mailedCode: (to) => mailedCode(gatewayUrl, to),
    async close() {
      for (const listener of listeners) await listener.close();
      await twitterProxy.close();
      await emulators.close();
      await gateway.close();
      await comments.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The code of the newest sign-in email to `to`, from the gateway's dev mailbox. */
export async function mailedCode(gatewayUrl: string, to: string): Promise<string> {
  const response = await fetch(`${gatewayUrl}/dev/mailbox?to=${encodeURIComponent(to)}`);
  const body = (await response.json()) as { messages: Array<{ text: string }> };
  const code = /Your code: (\d{6})/.exec(body.messages[0]?.text ?? '')?.[1];
  if (!code) throw new Error(`no sign-in code mailed to ${to}: ${JSON.stringify(body)}`);
  return code;
}

/**
 * The comment service serves dist/widget.js at /widget.js. Until that route exists, the tests
 * serve the freshly built file themselves, the way the service is meant to (any origin may load
 * it: Cross-Origin-Resource-Policy cross-origin).
 */
async function withWidgetScript(app: express.Express, commentsUrl: string): Promise<http.RequestListener> {
  const probe = await bindLoopback();
  probe.serve(app);
  const served = await fetch(`http://127.0.0.1:${probe.port}/widget.js`).then((response) => response.ok, () => false);
  await probe.close();
  if (served) return app;
  console.warn(`e2e: ${commentsUrl}/widget.js is not served by the comment service yet; the tests serve dist/widget.js in its place`);
  const wrapper = express();
  wrapper.get('/widget.js', (_req, res) => {
    res.set({ 'Cross-Origin-Resource-Policy': 'cross-origin', 'Cache-Control': 'no-cache' });
    res.type('application/javascript').sendFile(WIDGET_FILE);
  });
  wrapper.use(app);
  return wrapper;
}
