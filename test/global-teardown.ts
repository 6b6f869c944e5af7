import fs from 'node:fs';

/** Removes the run's temporary folder (see global-setup.ts). */
export default function globalTeardown(): void {
  const root = process.env['PARLEY_TEST_TMP'];
  if (root) fs.rmSync(root, { recursive: true, force: true });
}
