import { spawn } from 'node:child_process';
import path from 'node:path';

/** Debian's Python with python3-jwt; the `python3` on PATH may be another one without PyJWT. */
export const DEBIAN_PYTHON = '/usr/bin/python3';

const DRIVER = path.join(__dirname, 'verify_tokens.py');
const WSGI_APP = path.join(__dirname, '..', '..', 'docs', 'examples', 'python', 'wsgi_app.py');

export type PythonVerdict =
  | { ok: true; commenter: { sub: string; site: string; name: string; idp: string; sid: string | null; jti: string } }
  | { ok: false; reason: string; status: number; message: string };

export interface PythonVerifierRun {
  readonly issuer: string;
  readonly audience: string;
  readonly siteId: string;
  /** A forward proxy every request of the Python process goes through (counting-proxy.ts). */
  readonly proxyUrl: string;
}

/**
 * Verifies `tokens`, in order, with one ParleyVerifier of docs/examples/python/parley_verify.py in
 * a fresh Python process; one verdict per token.
 */
/** The environment of a Python process: only what it needs, so no proxy setting of the machine bypasses the counting proxy. */
function pythonEnv(proxyUrl: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'] ?? '/usr/bin:/bin', http_proxy: proxyUrl, LANG: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1', ...extra };
}

export function verifyInPython(run: PythonVerifierRun, tokens: readonly string[]): Promise<PythonVerdict[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(DEBIAN_PYTHON, [DRIVER], {
      env: pythonEnv(run.proxyUrl),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`${DEBIAN_PYTHON} ${DRIVER} exited with ${code}: ${stderr}`));
        return;
      }
      resolve(JSON.parse(stdout) as PythonVerdict[]);
    });
    child.stdin.end(JSON.stringify({ issuer: run.issuer, audience: run.audience, site_id: run.siteId, tokens }));
  });
}

export interface RunningWsgiApp {
  readonly url: string;
  /** What the app wrote to stderr (its log: wsgiref's request lines and the refusal reasons). */
  log(): string;
  stop(): Promise<void>;
}

/** Starts docs/examples/python/wsgi_app.py on a free loopback port, as its docstring says to. */
export function startWsgiApp(run: PythonVerifierRun): Promise<RunningWsgiApp> {
  return new Promise((resolve, reject) => {
    const child = spawn(DEBIAN_PYTHON, [WSGI_APP], {
      env: pythonEnv(run.proxyUrl, { PARLEY_ISSUER: run.issuer, PARLEY_COMMENTS_URL: run.audience, PARLEY_SITE_ID: run.siteId, PORT: '0' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const exited = new Promise<void>((done) => child.on('exit', () => done()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`${WSGI_APP} exited with ${code} before listening: ${stderr}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const listening = /listening on (http:\/\/\S+)/.exec(stdout);
      if (listening === null) return;
      resolve({
        url: listening[1]!,
        log: () => stderr,
        async stop() {
          child.kill();
          await exited;
        },
      });
    });
  });
}
