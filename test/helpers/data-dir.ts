import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh data directory, inside the run's temporary folder that global-teardown.ts removes. */
export function makeDataDir(): string {
  return fs.mkdtempSync(path.join(process.env['PARLEY_TEST_TMP'] ?? os.tmpdir(), 'parley-test-'));
}
