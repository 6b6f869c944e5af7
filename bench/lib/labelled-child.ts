import path from 'node:path';
import { startChild, type ChildServer } from './child';

/**
 * startChild, with the CPU profile (BENCH_CPU_PROF=dir) of this server written under
 * dir/<label>/: the scale suites run several servers of the same kind, one profile each, where
 * startChild names a profile after the server's kind alone. startChild reads the variable while it
 * forks, synchronously, so setting it around the call is enough.
 *
 * A profiled server prints its CPU time over its whole life when it stops. V8's profiler samples
 * the main thread at wall-clock intervals whenever it is not idle, so a thread that waits for the
 * CPU (for instance in a write that woke a PostgreSQL backend on the same two cores) shows in the
 * profile as busy: its "busy" total above this CPU time is such waiting.
 */
export async function startLabelledChild(name: string, label: string, env: Record<string, string>): Promise<ChildServer> {
  const profiles = process.env['BENCH_CPU_PROF'];
  if (profiles === undefined) return startChild(name, env);
  process.env['BENCH_CPU_PROF'] = path.join(profiles, label);
  let child: Promise<ChildServer>;
  try {
    child = startChild(name, env);
  } finally {
    process.env['BENCH_CPU_PROF'] = profiles;
  }
  const server = await child;
  return {
    ...server,
    async stop() {
      const cpuMicros = Number((await server.ask({ cpu: true }))['cpuMicros']);
      console.log(`${label} (${name}): ${(cpuMicros / 1e6).toFixed(1)} s of CPU over its life (profile in ${path.join(profiles, label)})`);
      await server.stop();
    },
  };
}
