import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * One temporary folder for the whole run: test gateways and comment services keep their data
 * directories in it (test/helpers/data-dir.ts), and global-teardown.ts removes it.
 * A directory cannot be removed when its own test file ends, because restart tests reuse it and
 * a file's afterAll hooks may still be closing the database in it. Workers are started after
 * this runs, so they inherit the variable.
 */
export default function globalSetup(): void {
  process.env['PARLEY_TEST_TMP'] = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-tests-'));
}
