import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The verifier as it was before the revocation check existed (but for FILES_OF_TODAY): the
 * baseline issue 11's "must not regress by more than 5 %" is about. A verifier of today against an issuer without a feed still
 * runs the check (two lookups in empty Maps), so that comparison alone cannot show what the check
 * costs; this one can. Built from git (src/verify, now packages/verify/src, at the commit before 4f94dcb, which added the
 * check; the verifier had no imports outside src/verify then), so it needs a checkout with history.
 */
export const COMMIT_BEFORE_REVOCATION = '4f94dcb^';
/**
 * Files of today taken over that build: changes made since that have nothing to do with
 * revocation, so that the comparison shows the check alone. (token-cache.ts: a hit no longer
 * re-inserts its Map entry, which cost ~20,000 instructions a hit in the suite's workload.)
 */
export const FILES_OF_TODAY = ['token-cache.ts'] as const;

/** Path of a CommonJS build of the pre-revocation verifier, or the reason there is none. */
export async function buildVerifierBeforeRevocation(): Promise<{ module: string } | { unavailable: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-verify-before-revocation-'));
  try {
    // From the top of the checkout: git archive refuses to run in an untracked folder (the build's).
    const root = execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: __dirname, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    // `commit:path` archives that folder's files at the top of the archive.
    const archive = execFileSync('git', ['archive', `${COMMIT_BEFORE_REVOCATION}:src/verify`], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    execFileSync('tar', ['-x', '-C', dir], { input: archive });
    for (const file of FILES_OF_TODAY) fs.copyFileSync(path.join(root, 'packages', 'verify', 'src', file), path.join(dir, file));
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    return { unavailable: `git cannot give src/verify at ${COMMIT_BEFORE_REVOCATION} (${(error as Error).message.split('\n')[0]})` };
  }
  const esbuild = (await import('esbuild')) as typeof import('esbuild');
  const module = path.join(dir, 'verify.js');
  await esbuild.build({
    entryPoints: [path.join(dir, 'index.ts')],
    outfile: module,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    logLevel: 'warning',
  });
  return { module };
}
