/**
 * The real comment service for the scale-out benchmarks (issue 12): SQLite in a temp data
 * directory, or PostgreSQL (+ Redis) when the suite passes BENCH_DATABASE_URL (and
 * BENCH_REDIS_URL). The real verifier checks every token against the bench issuer
 * (BENCH_ISSUER / BENCH_AUDIENCE); only the per-commenter rate limits are raised, because the
 * load posts far faster than a person. Answers `{ cpu: true }` over IPC with its CPU time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadSettings } from '../../src/config';
import { createCommentService } from '../../src/comments';
import { benchStoreSettings } from '../lib/bench-store-settings';
import { stopOnSigterm } from '../lib/stop-on-sigterm';
import { answerMeasurementQueries } from '../lib/measurement-queries';

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-scale-comments-'));
  const settings = loadSettings({
    PARLEY_DATA_DIR: dataDir,
    PARLEY_ISSUER: process.env['BENCH_ISSUER']!,
    PARLEY_COMMENTS_URL: process.env['BENCH_AUDIENCE']!,
    ...benchStoreSettings(),
    // A request line each would flood the bench's terminal; PARLEY_LOG_LEVEL=info measures with them.
    PARLEY_LOG_LEVEL: process.env['PARLEY_LOG_LEVEL'] ?? 'warn',
  });
  const service = await createCommentService(settings, { rateLimits: [{ limit: 1_000_000_000, windowSeconds: 60 }] });
  const server = http.createServer(service.app);
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  process.send!({ ready: true, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, pid: process.pid });
  answerMeasurementQueries();
  stopOnSigterm(server, service, dataDir);
}

main().catch((error) => {
  process.send!({ ready: false, error: String(error) });
  process.exit(1);
});
