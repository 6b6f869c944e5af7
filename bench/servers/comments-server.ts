/**
 * The real comment service (SQLite in a temp data directory) for issue 6, items 1 and 4.
 *
 * - BENCH_VERIFY=on: the real verifier, against the bench issuer in BENCH_ISSUER / BENCH_AUDIENCE.
 * - BENCH_VERIFY=off: the baseline; an injected verifier names one of BENCH_COMMENTERS fixed
 *   commenters in turn, so the database sees the same spread of commenters as with tokens.
 *
 * Rate limits are raised (every bench comment comes from a handful of commenters). Over IPC:
 * `{ memory: true }` answers the RSS after a GC; `{ seed: [{ postId, count }] }` writes comments
 * straight into comments.sqlite, many thousands a second, instead of over HTTP.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import SqliteDatabase from 'better-sqlite3';
import { loadSettings } from '../../src/config';
import { COMMENTS_DB_FILE, createCommentService } from '../../src/comments';
import { newCommentId } from '../../src/comments/storage';
import type { Commenter } from '../../packages/verify/src';
import { answerMeasurementQueries } from '../lib/measurement-queries';
import { stopOnSigterm } from '../lib/stop-on-sigterm';

const BENCH_SITE = 'demo-blog';

interface SeedRequest {
  readonly postId: string;
  readonly count: number;
}

function fixedCommenters(count: number): Commenter[] {
  const now = Math.floor(Date.now() / 1000);
  return Array.from({ length: count }, (_, i) =>
    Object.freeze({
      sub: `commenter-${i}`,
      siteId: BENCH_SITE,
      name: 'Bench Commenter',
      idp: 'email' as const,
      scopes: Object.freeze(['comments']),
      tokenId: `fixed-${i}`,
      issuedAt: now,
      expiresAt: now + 24 * 60 * 60,
    }),
  );
}

/** Writes comments in one transaction per call, through the same columns CommentStore.insert fills. */
function seed(file: string, requests: readonly SeedRequest[]): number {
  const sqlite = new SqliteDatabase(file);
  try {
    const insert = sqlite.prepare(
      `insert into comments (id, site_id, post_id, parent_id, author_sub, author_name, author_picture, author_idp, body, created_at, hidden_at, deleted_at)
       values (?, ?, ?, ?, ?, ?, null, 'email', ?, ?, null, null)`,
    );
    let written = 0;
    const now = Date.now();
    sqlite.transaction(() => {
      for (const { postId, count } of requests) {
        let previous: string | null = null;
        for (let i = 0; i < count; i++) {
          const id = newCommentId();
          // Every fourth comment is a reply to the one before it: threads are not flat.
          insert.run(id, BENCH_SITE, postId, i % 4 === 3 ? previous : null, `commenter-${i % 50}`, `Commenter ${i % 50}`, `Comment ${i} on ${postId}: a sentence or two of ordinary length, as readers write them.`, now - (count - i) * 1000);
          previous = id;
          written++;
        }
      }
    })();
    return written;
  } finally {
    sqlite.close();
  }
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-comments-'));
  const settings = loadSettings({
    PARLEY_DATA_DIR: dataDir,
    PARLEY_ISSUER: process.env['BENCH_ISSUER']!,
    PARLEY_COMMENTS_URL: process.env['BENCH_AUDIENCE']!,
    // A request line each would flood the bench's terminal; PARLEY_LOG_LEVEL=info measures with them.
    PARLEY_LOG_LEVEL: process.env['PARLEY_LOG_LEVEL'] ?? 'warn',
  });
  const commenters = fixedCommenters(Number(process.env['BENCH_COMMENTERS'] ?? 16));
  let turn = 0;
  const unverified = { verifyRequest: async () => commenters[turn++ % commenters.length]! };
  const unlimited = [{ limit: 1_000_000_000, windowSeconds: 60 }];
  const service = await createCommentService(settings, {
    rateLimits: unlimited,
    ...(process.env['BENCH_VERIFY'] === 'off' ? { verifier: unverified } : {}),
  });
  const server = http.createServer(service.app);
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  process.send!({ ready: true, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  answerMeasurementQueries();
  process.on('message', (message: { seed?: SeedRequest[] }) => {
    if (!message.seed) return;
    const started = Date.now();
    const written = seed(path.join(dataDir, COMMENTS_DB_FILE), message.seed);
    process.send!({ written, ms: Date.now() - started });
  });
  stopOnSigterm(server, service, dataDir);
}

main().catch((error) => {
  process.send!({ ready: false, error: String(error) });
  process.exit(1);
});
