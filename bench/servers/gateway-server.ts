/**
 * The real gateway (SQLite in a temp data directory, dev mailbox), configured like the demo with
 * Twitter pointed at the emulator given in BENCH_TWITTER_API_URL. Email rate limits are raised:
 * every benchmark sign-in comes from 127.0.0.1.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadSettings } from '../../src/config';
import { createGateway } from '../../src/gateway/app';
import { answerMeasurementQueries } from '../lib/measurement-queries';
import { stopOnSigterm } from '../lib/stop-on-sigterm';

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-'));
  let handler: http.RequestListener = (_req, res) => res.end();
  const server = http.createServer((req, res) => handler(req, res));
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const settings = loadSettings({
    PARLEY_DATA_DIR: dataDir,
    PARLEY_ISSUER: `http://localhost:${port}`,
    PARLEY_COMMENTS_URL: 'http://localhost:4100',
    PARLEY_TWITTER_CONSUMER_KEY: 'parley-dev-twitter',
    PARLEY_TWITTER_CONSUMER_SECRET: 'parley-dev-twitter-secret',
    PARLEY_TWITTER_API_URL: process.env['BENCH_TWITTER_API_URL']!,
    // A request line each would flood the bench's terminal; PARLEY_LOG_LEVEL=info measures with them.
    PARLEY_LOG_LEVEL: process.env['PARLEY_LOG_LEVEL'] ?? 'warn',
  });
  const unlimited = { limit: 1_000_000_000, windowSeconds: 60 };
  const gateway = await createGateway(settings, { emailRateLimits: { perAddress: unlimited, perClient: unlimited }, keyWatchIntervalMs: 0 });
  handler = gateway.app;
  process.send!({ ready: true, url: settings.gateway.issuer });
  answerMeasurementQueries();
  stopOnSigterm(server, gateway, dataDir);
}

main().catch((error) => {
  process.send!({ ready: false, error: String(error) });
  process.exit(1);
});
