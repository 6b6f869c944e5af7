import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Instruction counts with valgrind's callgrind: the work a program does, independent of what else
 * runs on the machine (timings on the shared 2-core machine swing by 20–30 %, instruction counts of
 * the same workload by well under 1 %). Node runs 50–100 times slower under valgrind, so workloads
 * are small and fixed (bench/servers/verify-workload.ts).
 */

/**
 * V8's --predictable: one thread (no concurrent compiler or GC threads racing the main one) and
 * fixed hash and random seeds. Identical runs of the verifier's workload then differ by 0.03 %
 * instead of 0.8 % (also 0.8 % with --single-threaded alone: the seeds matter as much).
 */
const DETERMINISTIC_V8 = ['--predictable'];

/**
 * Functions of V8's optimising compiler (TurboFan). Its work is real but done once per function
 * (and again after a deoptimisation), and when it happens depends on call counts; a workload's
 * steady cost per request is the rest.
 */
const OPTIMISING_COMPILER = /v8::internal::(compiler|turboshaft)::/;

export interface InstructionCount {
  /** Every instruction of every thread. */
  readonly total: number;
  /** Of which in V8's optimising compiler. */
  readonly compiler: number;
}

/** valgrind's version line, or undefined when it is not installed. */
export function valgrindVersion(): string | undefined {
  const probe = spawnSync('valgrind', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.trim() : undefined;
}

/** Instructions executed by `node script`, with `env` added to the environment. */
export async function countInstructions(script: string, env: Record<string, string>): Promise<InstructionCount> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-callgrind-'));
  const out = path.join(dir, 'callgrind.out');
  try {
    await run('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, ...DETERMINISTIC_V8, script], env);
    return selfCosts(spawnSync('callgrind_annotate', ['--threshold=100', '--auto=no', out], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 }).stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(command: string, args: readonly string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.at(-1)} exited with ${code}:\n${stderr.split('\n').slice(-15).join('\n')}`));
    });
  });
}

/** Sums callgrind_annotate's lines ("  1,234 (0.1%)  file:function [object]"): all, and the compiler's. */
function selfCosts(annotated: string): InstructionCount {
  const total = /^\s*([\d,]+)\s.*PROGRAM TOTALS/m.exec(annotated);
  if (!total) throw new Error(`callgrind_annotate gave no total:\n${annotated.slice(0, 500)}`);
  let compiler = 0;
  for (const line of annotated.split('\n')) {
    const cost = /^\s*([\d,]+)\s/.exec(line);
    if (cost && OPTIMISING_COMPILER.test(line)) compiler += Number(cost[1]!.replaceAll(',', ''));
  }
  return { total: Number(total[1]!.replaceAll(',', '')), compiler };
}

/** Runs the tasks `concurrency` at a time (valgrind runs one thread at a time: one per core). */
export async function inBatches<T>(tasks: ReadonlyArray<() => Promise<T>>, concurrency: number): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
  return results;
}
