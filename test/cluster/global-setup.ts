import { randomBytes } from 'node:crypto';
import baseSetup from '../global-setup';
import { withClient } from '../helpers/postgres';

/**
 * The cluster suite needs a real PostgreSQL (PARLEY_TEST_POSTGRES_URL, default the machine's own on
 * 127.0.0.1:5432). It fails here, loudly, when there is none: it never falls back to SQLite or
 * skips. Each run gets an id; its databases are dropped by global-teardown.ts.
 */
export const DEFAULT_TEST_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export default async function globalSetup(): Promise<void> {
  baseSetup();
  const server = process.env['PARLEY_TEST_POSTGRES_URL'] ?? DEFAULT_TEST_POSTGRES_URL;
  try {
    await withClient(server, (client) => client.query('select 1'));
  } catch (error) {
    throw new Error(
      `npm run test:cluster needs PostgreSQL at ${server} (set PARLEY_TEST_POSTGRES_URL to another): ${(error as Error).message}. ` +
        'Start it (README, "Running the tests") and run again.',
    );
  }
  process.env['PARLEY_TEST_POSTGRES_URL'] = server;
  process.env['PARLEY_TEST_RUN_ID'] = randomBytes(4).toString('hex');
}
