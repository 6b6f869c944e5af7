import { startChild, type ChildServer } from '../lib/child';
import { load, type LoadOptions, type LoadResult } from '../lib/load';
import { mebibytes, printTable, perSecond, type Row } from '../lib/report';
import { percentile, timed } from '../lib/timing';
import { startBenchIssuer } from '../lib/tokens';

const SECONDS = 3;
/** Each mode is measured this many times, interleaved with the others; the best run counts. */
const ROUNDS = 2;
const CONNECTIONS = 16;
/** "Several commenters", each posting with one token of their own in the reused mode. */
const COMMENTERS = 16;
/** Comments spread over this many posts, as on a blog, so no one commenter's recent list grows long. */
const POSTS = 64;
/** Larger than the verifier's 10,000-entry cache: cycling through it, every token is new to it. */
const FRESH_POOL = 12_000;

type Mode = 'baseline' | 'reused' | 'fresh';

/**
 * Issue 6, item 1: the cost of the token check in the real comment service. The same service, in
 * the same kind of process, with the real verifier and with verification switched off; every
 * request carries a different comment (no duplicate suppression) on one of POSTS posts.
 */
export async function commentsSuite(): Promise<Row[]> {
  const issuer = await startBenchIssuer('http://localhost:4100');
  const env = { BENCH_ISSUER: issuer.issuer, BENCH_AUDIENCE: issuer.audience, BENCH_COMMENTERS: String(COMMENTERS) };
  // One server per mode: every mode writes as many comments into its own database, so none is
  // measured on a bigger database than another (a shared verified server used to carry the
  // comments of both token modes, which tilted both ratios down).
  const servers: Partial<Record<Mode, ChildServer>> = {};
  try {
    servers.baseline = await startChild('comments-server', { ...env, BENCH_VERIFY: 'off' });
    servers.reused = await startChild('comments-server', { ...env, BENCH_VERIFY: 'on' });
    servers.fresh = await startChild('comments-server', { ...env, BENCH_VERIFY: 'on' });
    const reused = Array.from({ length: COMMENTERS }, (_, i) => issuer.mint(`commenter-${i}`));
    // Fresh tokens belong to the same commenters, so the database work is the same in every mode.
    const fresh = Array.from({ length: FRESH_POOL }, (_, i) => issuer.mint(`commenter-${i % COMMENTERS}`));

    let counter = 0;
    const options = (server: ChildServer, tokens: readonly string[]): LoadOptions => ({
      url: `${server.url}/api/sites/demo-blog/posts/bench-0/comments`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      seconds: SECONDS,
      connections: CONNECTIONS,
      perRequest: () => {
        const n = counter++;
        return {
          path: `/api/sites/demo-blog/posts/bench-${n % POSTS}/comments`,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[n % tokens.length]}` },
          body: JSON.stringify({ body: `Comment number ${n}, of ordinary length, long enough to be realistic.` }),
        };
      },
    });
    const plan: Record<Mode, LoadOptions> = {
      baseline: options(servers.baseline, reused),
      reused: options(servers.reused, reused),
      fresh: options(servers.fresh, fresh),
    };

    // Warm up (JIT, key fetch, SQLite pages) before measuring.
    for (const mode of ['baseline', 'reused', 'fresh'] as const) await load({ ...plan[mode], seconds: 1 });

    const best: Partial<Record<Mode, LoadResult>> = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of ['baseline', 'reused', 'fresh'] as const) {
        const result = await load(plan[mode]);
        if (result.non2xx || result.errors) throw new Error(`comments ${mode}: ${result.non2xx} refused, ${result.errors} errors`);
        if (!best[mode] || result.requestsPerSecond > best[mode].requestsPerSecond) best[mode] = result;
      }
    }
    const base = best.baseline!;
    const reusedRatio = best.reused!.requestsPerSecond / base.requestsPerSecond;
    const freshRatio = best.fresh!.requestsPerSecond / base.requestsPerSecond;
    const latency = (result: LoadResult) => `${perSecond(result.requestsPerSecond)} (p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms)`;
    const rows: Row[] = [
      { name: 'POST comment, verification off (baseline)', value: latency(base), ratio: 1 },
      { name: `POST comment, reused tokens (${COMMENTERS} commenters)`, value: latency(best.reused!), ratio: reusedRatio, target: '≥ 0.90×', met: reusedRatio >= 0.9 },
      { name: `POST comment, fresh tokens (pool of ${FRESH_POOL.toLocaleString('en-US')})`, value: latency(best.fresh!), ratio: freshRatio, target: '≥ 0.75×', met: freshRatio >= 0.75 },
    ];
    printTable(`Token check in the comment service (POST, ${CONNECTIONS} connections, best of ${ROUNDS} × ${SECONDS} s)`, rows);
    return rows;
  } finally {
    await Promise.all(Object.values(servers).map((server) => server.stop()));
    await issuer.close();
  }
}

const THREAD_SECONDS = 3;
const THREAD_CONNECTIONS = 8;
const LARGE_THREAD = 5_000;
const SMALL_THREAD = 10;
const TOTAL_COMMENTS = 100_000;
const CACHE_MISSES = 20;

/**
 * Issue 6, item 4: GET of a post with 5,000 comments against one with 10, with 100,000 comments in
 * the database (written straight into comments.sqlite: only the reads are measured), and the
 * service's resident memory before and after.
 */
export async function threadSuite(): Promise<Row[]> {
  const server = await startChild('comments-server', { BENCH_ISSUER: 'http://127.0.0.1:9', BENCH_AUDIENCE: 'http://localhost:4100', BENCH_VERIFY: 'off' });
  try {
    const empty = await server.ask({ memory: true });
    const others = Array.from({ length: (TOTAL_COMMENTS - LARGE_THREAD - SMALL_THREAD) / 10 }, (_, i) => ({ postId: `other-${i}`, count: 10 }));
    const seeded = await server.ask({ seed: [{ postId: 'large', count: LARGE_THREAD }, { postId: 'small', count: SMALL_THREAD }, ...others] });
    if (seeded['written'] !== TOTAL_COMMENTS) throw new Error(`seeding wrote ${String(seeded['written'])} comments`);
    const seededMemory = await server.ask({ memory: true });
    const url = (post: string) => `${server.url}/api/sites/demo-blog/posts/${post}/comments`;
    const large = await fetch(url('large'));
    const largeBytes = (await large.arrayBuffer()).byteLength;

    await load({ url: url('small'), seconds: 1, connections: THREAD_CONNECTIONS });
    await load({ url: url('large'), seconds: 1, connections: THREAD_CONNECTIONS });
    const best: Record<string, LoadResult> = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const post of ['small', 'large']) {
        const result = await load({ url: url(post), seconds: THREAD_SECONDS, connections: THREAD_CONNECTIONS });
        if (result.non2xx || result.errors) throw new Error(`GET ${post}: ${result.non2xx} refused, ${result.errors} errors`);
        if (!best[post] || result.requestsPerSecond > best[post].requestsPerSecond) best[post] = result;
      }
    }
    // The cache serves both above. A GET right after the thread changed is a miss: read, present
    // and serialise all 5,000 again. Another connection adds one comment (as `parley comments`
    // would; the service notices by PRAGMA data_version), then one GET is timed, a number of times.
    const missMs: number[] = [];
    for (let i = 0; i < CACHE_MISSES; i++) {
      await server.ask({ seed: [{ postId: 'large', count: 1 }] });
      await timed(missMs, async () => (await fetch(url('large'))).arrayBuffer());
    }
    const after = await server.ask({ memory: true });
    const small = best['small']!;
    const big = best['large']!;
    const rows: Row[] = [
      { name: `GET a post with ${SMALL_THREAD} comments (baseline)`, value: `${perSecond(small.requestsPerSecond)} (p50 ${small.p50Ms} ms, p99 ${small.p99Ms} ms)`, ratio: 1 },
      {
        name: `GET a post with ${LARGE_THREAD.toLocaleString('en-US')} comments (${(largeBytes / 2 ** 20).toFixed(1)} MiB of JSON)`,
        value: `${perSecond(big.requestsPerSecond)} (p50 ${big.p50Ms} ms, p99 ${big.p99Ms} ms)`,
        ratio: big.requestsPerSecond / small.requestsPerSecond,
      },
      {
        name: `GET a post with ${LARGE_THREAD.toLocaleString('en-US')} comments right after it changed (cache miss, one at a time, ${CACHE_MISSES} times)`,
        value: `p50 ${percentile(missMs, 50).toFixed(1)} ms, max ${Math.max(...missMs).toFixed(1)} ms`,
      },
      { name: 'comment service RSS / heap, empty database, after GC', value: `${mebibytes(empty['rss'], 0)} / ${mebibytes(empty['heapUsed'], 0)}` },
      { name: `comment service RSS / heap, ${TOTAL_COMMENTS.toLocaleString('en-US')} comments written, before any GET, after GC`, value: `${mebibytes(seededMemory['rss'], 0)} / ${mebibytes(seededMemory['heapUsed'], 0)}` },
      {
        name: `comment service RSS / heap, ${TOTAL_COMMENTS.toLocaleString('en-US')} comments, after the GETs, after GC`,
        value: `${mebibytes(after['rss'], 0)} / ${mebibytes(after['heapUsed'], 0)} (seeded in ${String(seeded['ms'])} ms)`,
      },
    ];
    printTable(`Thread size (GET, ${THREAD_CONNECTIONS} connections, best of ${ROUNDS} × ${THREAD_SECONDS} s)`, rows);
    return rows;
  } finally {
    await server.stop();
  }
}
