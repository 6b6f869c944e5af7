import fs from 'node:fs';
import { Redis } from 'ioredis';
import pg from 'pg';
import { BENCH_POSTGRES_URL, BENCH_REDIS_URL } from './scale-stores';

/**
 * CPU time spent by the shared PostgreSQL and Redis servers during a measured window, so a
 * benchmark can state what a comment or a sign-in costs them, not only the Node processes.
 *
 * - PostgreSQL backends: one process per connection; those connected to the run's databases are
 *   found in pg_stat_activity and their CPU read from /proc/<pid>/stat (utime + stime, in clock
 *   ticks of 10 ms). This is exact for the run: no one else uses its databases. (pg_stat_statements
 *   would need a restart of the shared server to load, which is not ours to do.)
 * - PostgreSQL's shared processes (WAL writer, checkpointer, background writer) work for every
 *   database on the server, so their CPU includes other people's tests running at the same time.
 * - Redis: INFO's used_cpu_user + used_cpu_sys, for the whole server, other users included.
 *
 * The two server-wide figures are read in every mode of a run, those that do not use the server
 * too: there they show what the neighbours cost in the same window, the figure to subtract.
 */
const CLOCK_TICK_MICROS = 10_000;

export interface StoreCpuSnapshot {
  /** Backend pid → CPU micros, for the backends of the watched databases. */
  readonly backends: ReadonlyMap<number, number>;
  /** Backend pid → context switches. */
  readonly backendSwitches: ReadonlyMap<number, number>;
  readonly postgresSharedMicros: number;
  readonly redisMicros: number;
}

export interface StoreCpu {
  readonly postgresBackendsMicros: number;
  readonly postgresBackendsSwitches: number;
  readonly postgresSharedMicros: number;
  readonly redisMicros: number;
  /** Backends that ended during the window: their CPU is missing from the figure. */
  readonly backendsLost: number;
}

function processCpuMicros(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, so split after its closing parenthesis):
    // state is field 3, utime 14 and stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MICROS;
  } catch {
    return undefined;
  }
}

/**
 * Voluntary and involuntary context switches of a process's main thread so far (/proc/<pid>/status):
 * every round trip to another process that has to wait for its answer sleeps once and wakes once.
 */
export function contextSwitches(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const count = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return count('voluntary_ctxt_switches') + count('nonvoluntary_ctxt_switches');
  } catch {
    return undefined;
  }
}

const SHARED_BACKEND_TYPES = ['walwriter', 'checkpointer', 'background writer'];

export class StoreCpuMeter {
  private constructor(
    private readonly postgres: pg.Client,
    private readonly redis: Redis,
  ) {}

  static async open(): Promise<StoreCpuMeter> {
    const postgres = new pg.Client({ connectionString: BENCH_POSTGRES_URL });
    await postgres.connect();
    const redis = new Redis(BENCH_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    return new StoreCpuMeter(postgres, redis);
  }

  /** The server-wide figures, and the backends connected to `databases` (a mode's database names). */
  async snapshot(databases: readonly string[]): Promise<StoreCpuSnapshot> {
    const { rows } = await this.postgres.query<{ pid: number; datname: string | null; backend_type: string }>(
      'select pid, datname, backend_type from pg_stat_activity where datname = any($1) or backend_type = any($2)',
      [databases, SHARED_BACKEND_TYPES],
    );
    const backends = new Map<number, number>();
    const backendSwitches = new Map<number, number>();
    let postgresSharedMicros = 0;
    for (const row of rows) {
      const micros = processCpuMicros(row.pid);
      if (micros === undefined) continue;
      if (row.datname === null) postgresSharedMicros += micros;
      else {
        backends.set(row.pid, micros);
        backendSwitches.set(row.pid, contextSwitches(row.pid) ?? 0);
      }
    }
    const info = await this.redis.info('cpu');
    const seconds = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
    return { backends, backendSwitches, postgresSharedMicros, redisMicros: (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1e6 };
  }

  /** CPU used between two snapshots; a backend born in between counts from zero. */
  static between(before: StoreCpuSnapshot, after: StoreCpuSnapshot): StoreCpu {
    let postgresBackendsMicros = 0;
    for (const [pid, micros] of after.backends) postgresBackendsMicros += micros - (before.backends.get(pid) ?? 0);
    let postgresBackendsSwitches = 0;
    for (const [pid, switches] of after.backendSwitches) postgresBackendsSwitches += switches - (before.backendSwitches.get(pid) ?? 0);
    const backendsLost = [...before.backends.keys()].filter((pid) => !after.backends.has(pid)).length;
    return {
      postgresBackendsMicros,
      postgresBackendsSwitches,
      postgresSharedMicros: after.postgresSharedMicros - before.postgresSharedMicros,
      redisMicros: after.redisMicros - before.redisMicros,
      backendsLost,
    };
  }

  async close(): Promise<void> {
    this.redis.disconnect();
    await this.postgres.end();
  }
}
