import os from 'node:os';
import type { ChildServer } from './child';
import { contextSwitches, StoreCpuMeter } from './store-cpu';

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
  /** Context switches of the services' and the backends' main threads (store-cpu.ts). */
  readonly serviceSwitches: number;
  readonly backendSwitches: number;
}

export const NO_CPU: CpuBreakdown = { service: 0, postgresBackends: 0, postgresShared: 0, redis: 0, driver: 0, wall: 0, backendsLost: 0, serviceSwitches: 0, backendSwitches: 0 };

export function addCpu(a: CpuBreakdown, b: CpuBreakdown): CpuBreakdown {
  return {
    service: a.service + b.service,
    postgresBackends: a.postgresBackends + b.postgresBackends,
    postgresShared: a.postgresShared + b.postgresShared,
    redis: a.redis + b.redis,
    driver: a.driver + b.driver,
    wall: a.wall + b.wall,
    backendsLost: a.backendsLost + b.backendsLost,
    serviceSwitches: a.serviceSwitches + b.serviceSwitches,
    backendSwitches: a.backendSwitches + b.backendSwitches,
  };
}

async function serviceCpuMicros(servers: readonly ChildServer[]): Promise<number> {
  let total = 0;
  for (const server of servers) total += Number((await server.ask({ cpu: true }))['cpuMicros']);
  return total;
}

/** The scale servers report their pid when ready. */
function serviceSwitches(servers: readonly ChildServer[]): number {
  return servers.reduce((sum, server) => sum + (contextSwitches(Number(server.info['pid'])) ?? 0), 0);
}

/** Runs `work` and reads what every process involved spent on it. */
export async function measureCpu<T>(
  servers: readonly ChildServer[],
  meter: StoreCpuMeter,
  databases: readonly string[],
  work: () => Promise<T>,
): Promise<{ result: T; cpu: CpuBreakdown }> {
  const serviceBefore = await serviceCpuMicros(servers);
  const switchesBefore = serviceSwitches(servers);
  const storesBefore = await meter.snapshot(databases);
  const driverBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const result = await work();
  const wall = Number(process.hrtime.bigint() - started) / 1000;
  const driver = process.cpuUsage(driverBefore);
  const stores = StoreCpuMeter.between(storesBefore, await meter.snapshot(databases));
  const service = (await serviceCpuMicros(servers)) - serviceBefore;
  const switches = serviceSwitches(servers) - switchesBefore;
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
      serviceSwitches: switches,
      backendSwitches: stores.postgresBackendsSwitches,
    },
  };
}

/**
 * "service 2.44, PostgreSQL backends 2.25 (+ shared processes 0.01*), Redis 0.02*, load driver
 * 0.27 ms; 0.70 cores busy; context switches per unit: service 9.1, backends 12.0": milliseconds
 * of CPU per unit of work (a comment, a sign-in) in each kind of process, how many of the
 * machine's cores the window kept busy in all, and how often the main threads slept and woke.
 */
export function describeCpu(cpu: CpuBreakdown, units: number): string {
  const ms = (micros: number) => (micros / 1000 / Math.max(1, units)).toFixed(2);
  const busy = (cpu.service + cpu.postgresBackends + cpu.postgresShared + cpu.redis + cpu.driver) / Math.max(1, cpu.wall);
  const lost = cpu.backendsLost ? `; ${cpu.backendsLost} backend(s) ended mid-window, their CPU is missing` : '';
  const switches = (count: number) => (count / Math.max(1, units)).toFixed(1);
  return `service ${ms(cpu.service)}, PostgreSQL backends ${ms(cpu.postgresBackends)} (+ shared processes ${ms(cpu.postgresShared)}*), Redis ${ms(cpu.redis)}*, load driver ${ms(cpu.driver)} ms; ${busy.toFixed(2)} cores busy; context switches per unit: service ${switches(cpu.serviceSwitches)}, backends ${switches(cpu.backendSwitches)}${lost}`;
}

/** The 1-minute load average: how many runnable processes the shared machine had (2 cores). */
export function loadAverage(): string {
  return os.loadavg()[0]!.toFixed(1);
}
