import { spawn } from 'node:child_process';
import path from 'node:path';

/** Debian's Python with python3-jwt; the `python3` on PATH may be another one without PyJWT. */
export const DEBIAN_PYTHON = '/usr/bin/python3';

const DRIVER = path.join(__dirname, 'verify_tokens.py');

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
export function verifyInPython(run: PythonVerifierRun, tokens: readonly string[]): Promise<PythonVerdict[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(DEBIAN_PYTHON, [DRIVER], {
      // Only what Python needs, so no proxy setting of the machine's bypasses the counting proxy.
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', http_proxy: run.proxyUrl, LANG: 'C.UTF-8' },
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
