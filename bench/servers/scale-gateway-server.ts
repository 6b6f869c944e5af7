/**
 * The real gateway for the scale-out sign-in benchmark (issue 12): SQLite in a temp data
 * directory, or PostgreSQL (+ Redis) when the suite passes BENCH_DATABASE_URL (and
 * BENCH_REDIS_URL). Email sign-ins only, through the dev mailbox (no SMTP); the email rate limits
 * are raised, because every benchmark sign-in comes from 127.0.0.1. Answers `{ cpu: true }` over
 * IPC with its CPU time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadSettings } from '../../src/config';
import { createGateway } from '../../src/gateway/app';
import { benchStoreSettings } from '../lib/bench-store-settings';
import { stopOnSigterm } from '../lib/stop-on-sigterm';
import { answerMeasurementQueries } from '../lib/measurement-queries';

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-scale-gateway-'));
  let handler: http.RequestListener = (_req, res) => res.end();
  const server = http.createServer((req, res) => handler(req, res));
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const settings = loadSettings({
    PARLEY_DATA_DIR: dataDir,
    PARLEY_ISSUER: `http://localhost:${(server.address() as AddressInfo).port}`,
    PARLEY_COMMENTS_URL: 'http://localhost:4100',
    ...benchStoreSettings(),
    // A request line each would flood the bench's terminal; PARLEY_LOG_LEVEL=info measures with them.
    PARLEY_LOG_LEVEL: process.env['PARLEY_LOG_LEVEL'] ?? 'warn',
  });
  const unlimited = { limit: 1_000_000_000, windowSeconds: 60 };
  const gateway = await createGateway(settings, { emailRateLimits: { perAddress: unlimited, perClient: unlimited }, keyWatchIntervalMs: 0 });
  handler = gateway.app;
  process.send!({ ready: true, url: settings.gateway.issuer, pid: process.pid });
  answerMeasurementQueries();
  stopOnSigterm(server, gateway, dataDir);
}

main().catch((error) => {
  process.send!({ ready: false, error: String(error) });
  process.exit(1);
});
