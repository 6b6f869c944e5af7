import fs from 'node:fs';
import path from 'node:path';
import { loadSettings, type Settings } from '../../src/config';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/gateway/app';
import { makeDataDir } from './data-dir';
import { bindLoopback } from './listener';
import { testStoreEnv } from './postgres';

export const COMMENTS_URL = 'http://localhost:4100';
export const SITE_ORIGIN = 'http://localhost:4200';

export interface TestSite {
  id: string;
  name: string;
  origins: string[];
  redirectUris?: string[];
}

export const DEFAULT_TEST_SITES: TestSite[] = [
  { id: 'demo-blog', name: 'Demo Blog', origins: [SITE_ORIGIN] },
  { id: 'other-blog', name: 'Other Blog', origins: ['http://localhost:4201'] },
];

export interface RunningTestGateway {
  readonly issuer: string;
  readonly port: number;
  readonly dataDir: string;
  readonly settings: Settings;
  readonly gateway: Gateway;
  /** Stops the gateway (database closed, sockets ended); the data directory stays. */
  stop(): Promise<void>;
}


/**
 * Starts a real gateway on loopback. The port is bound first so the issuer can name it; pass
 * `port` and the same `dataDir` to restart a gateway where a previous one stood.
 */
export async function startTestGateway(
  options: { dataDir?: string; port?: number; env?: Record<string, string>; sites?: TestSite[]; gatewayOptions?: GatewayOptions } = {},
): Promise<RunningTestGateway> {
  const dataDir = options.dataDir ?? makeDataDir();
  const sitesFile = path.join(dataDir, 'sites.json');
  fs.writeFileSync(sitesFile, JSON.stringify(options.sites ?? DEFAULT_TEST_SITES));

  const listener = await bindLoopback(options.port);
  const port = listener.port;
  const issuer = `http://localhost:${port}`;
  const settings = loadSettings({
    PARLEY_DATA_DIR: dataDir,
    PARLEY_ISSUER: issuer,
    PARLEY_GATEWAY_PORT: String(port),
    PARLEY_COMMENTS_URL: COMMENTS_URL,
    PARLEY_SITES_FILE: sitesFile,
    // In the cluster suite, on a PostgreSQL database of its own (test/helpers/postgres.ts).
    ...(await testStoreEnv(dataDir)),
    ...options.env,
  });
  const gateway = await createGateway(settings, { keyWatchIntervalMs: 0, log: () => undefined, ...options.gatewayOptions });
  listener.serve(gateway.app);
  return {
    issuer,
    port,
    dataDir,
    settings,
    gateway,
    async stop() {
      await listener.close();
      // Let clients' keep-alive pools see their sockets close before anything reuses the port.
      await new Promise((resolve) => setTimeout(resolve, 20));
      await gateway.close();
    },
  };
}
