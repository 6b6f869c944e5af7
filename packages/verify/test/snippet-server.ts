import { spawn } from 'node:child_process';

/** A README example that serves HTTP, running as its own `node` process in the blog's project. */
export interface SnippetServer {
  readonly url: string;
  /** What the process printed so far, for a failure message. */
  output(): string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 15_000;
const POLL_INTERVAL_MS = 50;

/** Starts `node <file>` in `cwd` and resolves once `port` answers HTTP. */
export async function startSnippetServer(file: string, cwd: string, port: number): Promise<SnippetServer> {
  const child = spawn(process.execPath, [file], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;

  const url = `http://127.0.0.1:${port}`;
  const server: SnippetServer = {
    url,
    output: () => output,
    async stop() {
      if (!hasExited()) child.kill();
      await exited;
    },
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (hasExited()) throw new Error(`node ${file} exited (${child.exitCode ?? child.signalCode}) before serving:\n${output}`);
    try {
      await fetch(url, { method: 'HEAD' });
      return server;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`node ${file} did not serve ${url} within ${START_TIMEOUT_MS} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}
