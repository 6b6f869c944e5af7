import type { ChildServer } from './child';
import { StoreCpuMeter } from './store-cpu';

/**
 * Where the CPU of a measured window went, in microseconds: the Parley processes under test, the
 * PostgreSQL backends of their database, PostgreSQL's shared processes and Redis (both
 * server-wide, see store-cpu.ts), and the load driver (this process, on the same two cores).
 */
export interface CpuBreakdown {
  readonly service: number;
  readonly postgresBackends: number;
  readonly postgresShared: number;
  readonly redis: number;
  readonly driver: number;
  readonly wall: number;
  readonly backendsLost: number;
}

export const NO_CPU: CpuBreakdown = { service: 0, postgresBackends: 0, postgresShared: 0, redis: 0, driver: 0, wall: 0, backendsLost: 0 };

export function addCpu(a: CpuBreakdown, b: CpuBreakdown): CpuBreakdown {
  return {
    service: a.service + b.service,
    postgresBackends: a.postgresBackends + b.postgresBackends,
    postgresShared: a.postgresShared + b.postgresShared,
    redis: a.redis + b.redis,
    driver: a.driver + b.driver,
    wall: a.wall + b.wall,
    backendsLost: a.backendsLost + b.backendsLost,
  };
}

async function serviceCpuMicros(servers: readonly ChildServer[]): Promise<number> {
  let total = 0;
  for (const server of servers) total += Number((await server.ask({ cpu: true }))['cpuMicros']);
  return total;
}

/** Runs `work` and reads what every process involved spent on it. */
export async function measureCpu<T>(
  servers: readonly ChildServer[],
  meter: StoreCpuMeter,
  databases: readonly string[],
  work: () => Promise<T>,
): Promise<{ result: T; cpu: CpuBreakdown }> {
  const serviceBefore = await serviceCpuMicros(servers);
  const storesBefore = await meter.snapshot(databases);
  const driverBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const result = await work();
  const wall = Number(process.hrtime.bigint() - started) / 1000;
  const driver = process.cpuUsage(driverBefore);
  const stores = StoreCpuMeter.between(storesBefore, await meter.snapshot(databases));
  const service = (await serviceCpuMicros(servers)) - serviceBefore;
  return {
    result,
    cpu: {
      service,
      postgresBackends: stores.postgresBackendsMicros,
      postgresShared: stores.postgresSharedMicros,
      redis: stores.redisMicros,
      driver: driver.user + driver.system,
      wall,
      backendsLost: stores.backendsLost,
    },
  };
}

/**
 * "service 2.44, PostgreSQL backends 2.25 (+ shared processes 0.01*), Redis 0.02*, load driver
 * 0.27 ms; 0.70 cores busy": milliseconds of CPU per unit of work (a comment, a sign-in) in each
 * kind of process, and how many of the machine's cores the window kept busy in all.
 */
export function describeCpu(cpu: CpuBreakdown, units: number): string {
  const ms = (micros: number) => (micros / 1000 / Math.max(1, units)).toFixed(2);
  const busy = (cpu.service + cpu.postgresBackends + cpu.postgresShared + cpu.redis + cpu.driver) / Math.max(1, cpu.wall);
  const lost = cpu.backendsLost ? `; ${cpu.backendsLost} backend(s) ended mid-window, their CPU is missing` : '';
  return `service ${ms(cpu.service)}, PostgreSQL backends ${ms(cpu.postgresBackends)} (+ shared processes ${ms(cpu.postgresShared)}*), Redis ${ms(cpu.redis)}*, load driver ${ms(cpu.driver)} ms; ${busy.toFixed(2)} cores busy${lost}`;
}
