import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface ChildServer {
  readonly url: string;
  readonly info: Record<string, unknown>;
  /** Sends a request to the child and waits for its answer (e.g. memory usage). */
  ask(message: Record<string, unknown>): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/**
 * Starts a benchmark server in its own process (compiled from bench/servers/NAME.ts) and waits
 * for it to report `{ ready: true, url }` over IPC.
 */
export function startChild(name: string, env: Record<string, string> = {}): Promise<ChildServer> {
  const child: ChildProcess = fork(path.join(__dirname, 'servers', `${name}.js`), [], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // BENCH_CPU_PROF=dir writes a CPU profile of every benchmark server (node --cpu-prof), to find out why a target is missed.
    execArgv: ['--max-old-space-size=4096', '--expose-gc', ...(process.env['BENCH_CPU_PROF'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_CPU_PROF']}`, `--cpu-prof-name=${name}.cpuprofile`] : [])],
  });
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`bench server ${name} exited with ${code} before it was ready`));
    child.once('exit', onExit);
    child.once('message', (message: Record<string, unknown>) => {
      child.off('exit', onExit);
      if (!message['ready']) return reject(new Error(`bench server ${name}: ${JSON.stringify(message)}`));
      resolve({
        url: String(message['url']),
        info: message,
        ask: (request) =>
          new Promise((answer) => {
            child.once('message', (reply: Record<string, unknown>) => answer(reply));
            child.send(request);
          }),
        stop: () =>
          new Promise((done) => {
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
