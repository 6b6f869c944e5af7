import path from 'node:path';
import { startChild, type ChildServer } from './child';

/**
 * startChild, with the CPU profile (BENCH_CPU_PROF=dir) of this server written under
 * dir/<label>/: the scale suites run several servers of the same kind, one profile each, where
 * startChild names a profile after the server's kind alone. startChild reads the variable while it
 * forks, synchronously, so setting it around the call is enough.
 */
export function startLabelledChild(name: string, label: string, env: Record<string, string>): Promise<ChildServer> {
  const profiles = process.env['BENCH_CPU_PROF'];
  if (profiles === undefined) return startChild(name, env);
  process.env['BENCH_CPU_PROF'] = path.join(profiles, label);
  try {
    return startChild(name, env);
  } finally {
    process.env['BENCH_CPU_PROF'] = profiles;
  }
}
