import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { build } from 'esbuild';
import { PROJECT_ROOT } from '../../src/paths';
import { makeDataDir } from './data-dir';

/**
 * A Parley service (`parley comments`, `parley gateway`) as a real child process, so a test can
 * end it the way a crash or the OOM killer does (SIGKILL: no handler, no cleanup) and start it
 * again where it stood.
 *
 * - What runs is the `parley` command built from the TypeScript sources when a test file first
 *   asks for it (src/cli.ts bundled by esbuild as scripts/build.js bundles dist/cli.js, npm
 *   packages left external): a stale or missing dist/ cannot change what is tested.
 * - The bundle goes into the run's temporary folder (removed by the global teardown), outside the
 *   repository, so the child finds the npm packages through NODE_PATH and the project's own
 *   files (config/, src/gateway/assets) through its working directory, which src/paths.ts falls
 *   back to.
 * - The child gets only PATH, NODE_PATH and the settings the test passes: nothing from the
 *   developer's shell (a PARLEY_* or DATABASE_URL there) leaks in.
 * - Started means listening and ready: /readyz answered 200, so its database takes writes.
 */

export type ServiceCommand = 'comments' | 'gateway';

const PORT_SETTING: Readonly<Record<ServiceCommand, string>> = { comments: 'PARLEY_COMMENTS_PORT', gateway: 'PARLEY_GATEWAY_PORT' };
/** Both commands print `parley <command>: listening on port N, ...` once bound. */
const LISTENING_LINE = /listening on port (\d+)/;
const READY_TIMEOUT_MS = 30_000;
const READY_POLL_INTERVAL_MS = 50;
/** How long `stop` lets SIGTERM's graceful shutdown run before it uses SIGKILL. */
const STOP_GRACE_MS = 5_000;
/** Enough of the child's output to explain a failure, without growing without bound. */
const OUTPUT_KEPT_CHARS = 20_000;

export interface ServiceExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ServiceProcess {
  /** http://127.0.0.1:PORT; the port stays the same across restarts. */
  readonly url: string;
  readonly port: number;
  /** The current child's process id. */
  pid(): number;
  running(): boolean;
  /** Sends `signal` and resolves once the process has exited. */
  kill(signal: NodeJS.Signals): Promise<ServiceExit>;
  /** Starts the same command again, with the same settings and port; resolves once ready. */
  restart(): Promise<void>;
  /** SIGTERM, then SIGKILL if it has not exited after a grace period; nothing if it is not running. */
  stop(): Promise<void>;
  /** What the process printed (stdout and stderr, interleaved), for failure messages. */
  output(): string;
}

let bundled: Promise<string> | undefined;

/** The `parley` command from the current sources, built once per test file. */
function parleyBundle(): Promise<string> {
  bundled ??= (async () => {
    const outfile = path.join(makeDataDir(), 'parley.js');
    await build({
      entryPoints: [path.join(PROJECT_ROOT, 'src', 'cli.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      packages: 'external',
      logLevel: 'warning',
    });
    return outfile;
  })();
  return bundled;
}

class ChildService implements ServiceProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<ServiceExit> = Promise.resolve({ code: null, signal: null });
  private printed = '';
  private boundPort = 0;

  constructor(
    private readonly command: ServiceCommand,
    private readonly env: Readonly<Record<string, string>>,
  ) {}

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `http://127.0.0.1:${this.boundPort}`;
  }

  pid(): number {
    if (this.child?.pid === undefined) throw new Error(`parley ${this.command} is not running`);
    return this.child.pid;
  }

  running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  output(): string {
    return this.printed;
  }

  /** Spawns the process on `port` (0: any free port) and waits until it listens and is ready. */
  async start(port: number): Promise<void> {
    const bundle = await parleyBundle();
    const child = spawn(process.execPath, [bundle, this.command], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env['PATH'] ?? '', NODE_PATH: path.join(PROJECT_ROOT, 'node_modules'), ...this.env, [PORT_SETTING[this.command]]: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const listening = new Promise<number>((resolve) => {
      let heard = '';
      const keep = (chunk: Buffer) => {
        const text = chunk.toString();
        this.printed = (this.printed + text).slice(-OUTPUT_KEPT_CHARS);
        heard = (heard + text).slice(-1_000);
        const match = LISTENING_LINE.exec(heard);
        if (match) resolve(Number(match[1]));
      };
      child.stdout!.on('data', keep);
      child.stderr!.on('data', keep);
    });
    // Settles with the first of the two; the exit, should it come later, is then no error.
    const first = await Promise.race([listening.then((bound) => ({ bound })), this.exited.then((exit) => ({ exit }))]);
    if ('exit' in first) this.failure(`exited before listening (${describeExit(first.exit)})`);
    this.boundPort = first.bound;
    await this.waitUntilReady();
  }

  private async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (!this.running()) this.failure(`exited before it was ready (${describeExit(await this.exited)})`);
      const status = await fetch(`${this.url}/readyz`).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) return;
      if (Date.now() > deadline) this.failure(`not ready after ${READY_TIMEOUT_MS} ms (last /readyz: ${status || 'no answer'})`);
      await new Promise((resolve) => setTimeout(resolve, READY_POLL_INTERVAL_MS));
    }
  }

  private failure(what: string): never {
    throw new Error(`parley ${this.command} ${what}; it printed:\n${this.printed}`);
  }

  async kill(signal: NodeJS.Signals): Promise<ServiceExit> {
    if (this.running()) this.child!.kill(signal);
    return this.exited;
  }

  async restart(): Promise<void> {
    if (this.running()) throw new Error(`parley ${this.command} is still running (pid ${this.pid()}): kill it first`);
    await this.start(this.boundPort);
  }

  async stop(): Promise<void> {
    if (!this.running()) return;
    const forced = setTimeout(() => this.child?.kill('SIGKILL'), STOP_GRACE_MS);
    try {
      await this.kill('SIGTERM');
    } finally {
      clearTimeout(forced);
    }
  }
}

function describeExit(exit: ServiceExit): string {
  return exit.signal !== null ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

/**
 * Starts `parley <command>` as a child process with these settings (PARLEY_*, DATABASE_URL,
 * REDIS_URL...) on a free loopback port, and resolves once it is ready.
 */
export async function startServiceProcess(command: ServiceCommand, env: Readonly<Record<string, string>>): Promise<ServiceProcess> {
  const service = new ChildService(command, env);
  await service.start(0);
  return service;
}
