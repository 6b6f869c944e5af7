import path from 'node:path';
import type { ChildServer } from '../lib/child';
import { addCpu, describeCpu, loadAverage, measureCpu, NO_CPU, type CpuBreakdown } from '../lib/cpu-window';
import { startLabelledChild } from '../lib/labelled-child';
import { perSecond, printTable, type Row } from '../lib/report';
import { scaleStores, storeVersions } from '../lib/scale-stores';
import { StoreCpuMeter } from '../lib/store-cpu';
import { discover } from '../../test/helpers/oidc-client';
import { parleyEmailSignIn, throughput } from './signin';

/** Seconds of sign-ins per mode before anything is measured, in two interleaved passes (see signin.ts: the gateway's JIT settles after ~15 s of load). */
const WARM_UP_SECONDS = 10;
const WARM_UP_PASSES = 2;
const ROUND_SECONDS = 6;
const ROUNDS = 3;

/**
 * BENCH_OTHER_GATEWAY=/path/to/scale-gateway-server.js adds a fourth mode: that build of the
 * gateway on PostgreSQL + Redis, e.g. one made from an earlier commit to show what a change to the
 * stores did (docs/benchmarks.md, "Scale out", says how it was built).
 */
const OTHER_GATEWAY = process.env['BENCH_OTHER_GATEWAY'];

type Mode = 'sqlite' | 'postgres' | 'postgresRedis' | 'otherPostgresRedis';
const MODES: readonly Mode[] = ['sqlite', 'postgres', 'postgresRedis', ...(OTHER_GATEWAY ? ['otherPostgresRedis' as const] : [])];
const MODE_NAMES: Record<Mode, string> = {
  sqlite: 'SQLite (baseline)',
  postgres: 'PostgreSQL, no Redis',
  postgresRedis: 'PostgreSQL + Redis',
  otherPostgresRedis: `PostgreSQL + Redis, the build in ${OTHER_GATEWAY ?? ''}`,
};

interface ModeResult {
  best: number;
  readonly rounds: number[];
  completed: number;
  failures: number;
  cpu: CpuBreakdown;
}

/**
 * Issue 12: the CPU one complete email sign-in costs with the gateway on SQLite, on PostgreSQL
 * alone, and on PostgreSQL + Redis (page sessions, rate limits and oidc-provider's short-lived
 * models in Redis), each gateway in its own process; the PostgreSQL backends' CPU is counted
 * exactly, Redis's server-wide (see store-cpu.ts). The sign-ins are the browser-like flows of
 * the signin suite (8 at a time, a new address each), through the dev mailbox.
 */
export async function scaleSigninSuite(): Promise<Row[]> {
  console.log(`\nStores: ${await storeVersions()}`);
  const loadAtStart = loadAverage();
  const stores = scaleStores();
  const started: ChildServer[] = [];
  let meter: StoreCpuMeter | undefined;
  try {
    const postgres = await stores.create('gateway_pg');
    const postgresRedis = await stores.create('gateway_pg_redis', { redis: true });
    const start = async (label: string, env: Record<string, string> = {}, name = 'scale-gateway-server') => {
      const server = await startLabelledChild(name, label, env);
      started.push(server);
      return { server, discovery: await discover(server.url) };
    };
    const gateways: Partial<Record<Mode, Awaited<ReturnType<typeof start>> & { databases: string[] }>> = {
      sqlite: { ...(await start('sqlite')), databases: [] },
      postgres: { ...(await start('postgres', { ...postgres })), databases: [postgres.BENCH_DATABASE_NAME] },
      postgresRedis: { ...(await start('postgres-redis', { ...postgresRedis })), databases: [postgresRedis.BENCH_DATABASE_NAME] },
    };
    if (OTHER_GATEWAY) {
      const other = await stores.create('gateway_other', { redis: true });
      // startChild forks servers/<name>.js next to the compiled suites; a relative name reaches the other build.
      const name = path.relative(path.join(__dirname, 'servers'), path.resolve(OTHER_GATEWAY)).replace(/\.js$/, '');
      gateways.otherPostgresRedis = { ...(await start('other-postgres-redis', { ...other }, name)), databases: [other.BENCH_DATABASE_NAME] };
    }
    meter = await StoreCpuMeter.open();

    for (let pass = 0; pass < WARM_UP_PASSES; pass++) {
      for (const mode of MODES) await throughput((i, latencies) => parleyEmailSignIn(gateways[mode]!.discovery, i, latencies), WARM_UP_SECONDS);
    }
    const measured = Object.fromEntries(MODES.map((mode) => [mode, { best: 0, rounds: [], completed: 0, failures: 0, cpu: NO_CPU }])) as unknown as Record<Mode, ModeResult>;
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of MODES) {
        const { server, discovery, databases } = gateways[mode]!;
        const { result, cpu } = await measureCpu([server], meter, databases, () => throughput((i, latencies) => parleyEmailSignIn(discovery, i, latencies), ROUND_SECONDS));
        const entry = measured[mode];
        entry.best = Math.max(entry.best, result.perSecond);
        entry.rounds.push(result.perSecond);
        entry.completed += result.completed;
        entry.failures += result.failures;
        entry.cpu = addCpu(entry.cpu, cpu);
      }
    }

    const serviceMs = (mode: Mode) => measured[mode].cpu.service / 1000 / Math.max(1, measured[mode].completed);
    const storesMs = (mode: Mode) => (measured[mode].cpu.postgresBackends + measured[mode].cpu.redis) / 1000 / Math.max(1, measured[mode].completed);
    const rows: Row[] = [
      ...MODES.map((mode): Row => ({
        name: `gateway CPU per email sign-in, ${MODE_NAMES[mode]}`,
        value: `${serviceMs(mode).toFixed(2)} ms (${perSecond(measured[mode].best)} best; rounds ${measured[mode].rounds.map((value) => value.toFixed(0)).join(' / ')}${measured[mode].failures ? `; **${measured[mode].failures} failed**` : ''})`,
        ratio: serviceMs('sqlite') / serviceMs(mode),
      })),
      ...MODES.map((mode): Row => ({
        name: `gateway + PostgreSQL backends + Redis CPU per email sign-in, ${MODE_NAMES[mode]}`,
        value: `${(serviceMs(mode) + storesMs(mode)).toFixed(2)} ms`,
        ratio: serviceMs('sqlite') / (serviceMs(mode) + storesMs(mode)),
      })),
      ...MODES.map((mode): Row => ({ name: `CPU ms per sign-in, ${MODE_NAMES[mode]}`, value: describeCpu(measured[mode].cpu, measured[mode].completed) })),
      { name: 'sign-ins completed in the measured rounds, per mode', value: MODES.map((mode) => String(measured[mode].completed)).join(' / ') },
      { name: 'machine load average (1 min), start / end of the suite', value: `${loadAtStart} / ${loadAverage()}` },
    ];
    printTable(`Scale-out: email sign-in CPU (8 concurrent sign-ins, ${ROUNDS} × ${ROUND_SECONDS} s per mode, interleaved, after ${WARM_UP_PASSES} × ${WARM_UP_SECONDS} s of warm-up; ratio = SQLite's gateway CPU ÷ this; * server-wide, includes other users)`, rows);
    return rows;
  } finally {
    await meter?.close();
    await Promise.all(started.map((server) => server.stop()));
    await stores.remove();
  }
}
