import { discover } from '../../test/helpers/oidc-client';
import { startChild, type ChildServer } from '../lib/child';
import { mebibytes, printTable, type Row } from '../lib/report';
import { parleyEmailSignIn } from './signin';

/** The issue asks for 10,000; the run stops earlier when the time below is up (at least MIN_SIGN_INS). */
const TARGET_SIGN_INS = 10_000;
const MIN_SIGN_INS = 1_000;
const MAX_SECONDS = 60;
const CONCURRENT_SIGN_INS = 8;
const WARM_UP_SIGN_INS = 200;

async function signIns(count: number, deadlineMs: number, minimum: number, run: (index: number) => Promise<void>): Promise<number> {
  let started = 0;
  let completed = 0;
  await Promise.all(
    Array.from({ length: CONCURRENT_SIGN_INS }, async () => {
      while (started < count && (Date.now() < deadlineMs || started < minimum)) {
        await run(started++);
        completed++;
      }
    }),
  );
  return completed;
}

/**
 * Issue 6, item 5: the gateway's resident memory after many complete email sign-ins, and its
 * growth per sign-in (RSS and heap after a forced GC, before and after). When 10,000 do not fit in
 * the time budget, the rest is extrapolated at the second half's growth per sign-in (the rate
 * after the caches have filled), and the table says so.
 */
export async function memorySuite(): Promise<Row[]> {
  const emulator = await startChild('emulator-server');
  let gateway: ChildServer | undefined;
  try {
    gateway = await startChild('gateway-server', { BENCH_TWITTER_API_URL: String(emulator.info['twitterApiUrl']) });
    const discovery = await discover(gateway.url);
    await signIns(WARM_UP_SIGN_INS, Number.POSITIVE_INFINITY, 0, (i) => parleyEmailSignIn(discovery, -1 - i, []));
    const before = await gateway.ask({ memory: true });
    // Two halves, each measured: growth that slows in the second half is a cache filling, not a leak.
    const started = Date.now();
    const first = await signIns(TARGET_SIGN_INS / 2, started + (MAX_SECONDS / 2) * 1000, MIN_SIGN_INS / 2, (i) => parleyEmailSignIn(discovery, i, []));
    const middle = await gateway.ask({ memory: true });
    const second = await signIns(TARGET_SIGN_INS / 2, started + MAX_SECONDS * 1000, MIN_SIGN_INS / 2, (i) => parleyEmailSignIn(discovery, first + i, []));
    const seconds = (Date.now() - started) / 1000;
    const after = await gateway.ask({ memory: true });
    const count = first + second;
    const growth = (from: Record<string, unknown>, to: Record<string, unknown>, n: number) =>
      `${((Number(to['rss']) - Number(from['rss'])) / n / 1024).toFixed(2)} KiB / ${((Number(to['heapUsed']) - Number(from['heapUsed'])) / n / 1024).toFixed(2)} KiB`;
    const secondHalfGrowth = (Number(after['rss']) - Number(middle['rss'])) / Math.max(1, second);
    const measured = count >= TARGET_SIGN_INS;
    const projected = Number(after['rss']) + Math.max(0, secondHalfGrowth) * (TARGET_SIGN_INS - count);
    const rows: Row[] = [
      { name: `gateway RSS / heap after ${WARM_UP_SIGN_INS} warm-up sign-ins, after GC`, value: `${mebibytes(before['rss'])} / ${mebibytes(before['heapUsed'])}` },
      { name: `… after ${first.toLocaleString('en-US')} more complete email sign-ins`, value: `${mebibytes(middle['rss'])} / ${mebibytes(middle['heapUsed'])}` },
      { name: `… after ${count.toLocaleString('en-US')} more (${(count / seconds).toFixed(0)}/s)`, value: `${mebibytes(after['rss'])} / ${mebibytes(after['heapUsed'])}` },
      { name: 'growth per sign-in, RSS / heap, first half', value: growth(before, middle, first) },
      { name: 'growth per sign-in, RSS / heap, second half', value: growth(middle, after, second) },
      {
        name: `gateway RSS after ${TARGET_SIGN_INS.toLocaleString('en-US')} sign-ins${measured ? '' : ` (${count.toLocaleString('en-US')} measured, the rest at the second half's rate)`}`,
        value: mebibytes(measured ? Number(after['rss']) : projected),
      },
    ];
    printTable('Gateway memory over complete email sign-ins', rows);
    return rows;
  } finally {
    await gateway?.stop();
    await emulator.stop();
  }
}
