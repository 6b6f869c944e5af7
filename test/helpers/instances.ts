import fs from 'node:fs';
import path from 'node:path';
import type http from 'node:http';
import { loadSettings, type Settings } from '../../src/config';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/gateway/app';
import { createCommentService, type CommentService, type CommentServiceOptions } from '../../src/comments';
import { listen, type RunningServer } from '../../src/http/listen';
import { makeDataDir } from './data-dir';
import { DEFAULT_TEST_SITES } from './gateway';
import { testStoreEnv } from './postgres';

/**
 * Several instances of one service on loopback, as a load balancer sees them: each with a data
 * directory of its own (nothing shared on disk) and all on one PostgreSQL database and one Redis
 * prefix (test/helpers/postgres.ts, in the cluster suite). Every request an instance receives is
 * recorded first, with its headers exactly as they arrived, so a test can tell which instance
 * served what and what a proxy in front of it sent.
 */
export interface ServedRequest {
  /** Which instance, by its index in `ports`. */
  readonly instance: number;
  readonly method: string;
  readonly url: string;
  /** A copy taken before the service's own middleware rewrites any of them. */
  readonly headers: Readonly<http.IncomingHttpHeaders>;
}

export interface ServiceInstances<Service> {
  readonly ports: readonly number[];
  readonly services: readonly Service[];
  /** Every request any instance received, in arrival order. */
  readonly served: ServedRequest[];
  close(): Promise<void>;
}

/** The public URLs the instances answer for (usually a balancer's). */
export interface PublicUrls {
  readonly issuer: string;
  readonly commentsUrl: string;
}

interface Started<Service> {
  readonly service: Service;
  readonly handler: http.RequestListener;
  close(): Promise<void>;
}

async function startInstances<Service>(count: number, start: (env: Record<string, string>) => Promise<Started<Service>>): Promise<ServiceInstances<Service>> {
  // One database and one Redis prefix for all: named after a directory none of them uses.
  const shared = await testStoreEnv(makeDataDir());
  const served: ServedRequest[] = [];
  const running: { started: Started<Service>; server: RunningServer }[] = [];
  for (let instance = 0; instance < count; instance += 1) {
    const dataDir = makeDataDir();
    const sitesFile = path.join(dataDir, 'sites.json');
    fs.writeFileSync(sitesFile, JSON.stringify(DEFAULT_TEST_SITES));
    const started = await start({ PARLEY_DATA_DIR: dataDir, PARLEY_SITES_FILE: sitesFile, ...shared });
    const server = await listen((req, res) => {
      served.push({ instance, method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers } });
      started.handler(req, res);
    }, 0);
    running.push({ started, server });
  }
  return {
    ports: running.map(({ server }) => server.port),
    services: running.map(({ started }) => started.service),
    served,
    async close() {
      for (const { started, server } of running) {
        await server.close();
        await started.close();
      }
    },
  };
}

function instanceSettings(urls: PublicUrls, storeEnv: Record<string, string>, env: Record<string, string> = {}): Settings {
  return loadSettings({ PARLEY_ISSUER: urls.issuer, PARLEY_COMMENTS_URL: urls.commentsUrl, ...storeEnv, ...env });
}

/** `count` gateways for `urls.issuer`; `env` adds settings (PARLEY_TRUST_PROXY, emulators...). */
export function startGatewayInstances(
  count: number,
  urls: PublicUrls,
  options: { env?: Record<string, string>; gatewayOptions?: GatewayOptions } = {},
): Promise<ServiceInstances<Gateway>> {
  return startInstances(count, async (storeEnv) => {
    const gateway = await createGateway(instanceSettings(urls, storeEnv, options.env), { keyWatchIntervalMs: 200, log: () => undefined, ...options.gatewayOptions });
    return { service: gateway, handler: gateway.app, close: () => gateway.close() };
  });
}

/** `count` comment services answering as `urls.commentsUrl`, checking tokens of `urls.issuer`. */
export function startCommentInstances(
  count: number,
  urls: PublicUrls,
  options: { env?: Record<string, string>; serviceOptions?: CommentServiceOptions } = {},
): Promise<ServiceInstances<CommentService>> {
  return startInstances(count, async (storeEnv) => {
    const service = await createCommentService(instanceSettings(urls, storeEnv, options.env), { log: () => undefined, ...options.serviceOptions });
    return { service, handler: service.app, close: () => service.close() };
  });
}
