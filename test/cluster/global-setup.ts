import { randomBytes } from 'node:crypto';
import baseSetup from '../global-setup';
import { withClient } from '../helpers/postgres';
import { pingRedis } from '../helpers/redis';

/**
 * The cluster suite needs a real PostgreSQL (PARLEY_TEST_POSTGRES_URL, default the machine's own on
 * 127.0.0.1:5432) and a real Redis (PARLEY_TEST_REDIS_URL, default 127.0.0.1:6379). It fails here,
 * loudly, when either is missing: it never falls back to SQLite or skips. Each run gets an id; its
 * databases and keys are removed by global-teardown.ts.
 */
export const DEFAULT_TEST_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_TEST_REDIS_URL = 'redis://127.0.0.1:6379';

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
  const redis = process.env['PARLEY_TEST_REDIS_URL'] ?? DEFAULT_TEST_REDIS_URL;
  try {
    await pingRedis(redis);
  } catch (error) {
    throw new Error(
      `npm run test:cluster needs Redis at ${redis} (set PARLEY_TEST_REDIS_URL to another): ${(error as Error).message}. ` +
        'Start it (README, "Running the tests") and run again.',
    );
  }
  process.env['PARLEY_TEST_POSTGRES_URL'] = server;
  process.env['PARLEY_TEST_REDIS_URL'] = redis;
  process.env['PARLEY_TEST_RUN_ID'] = randomBytes(4).toString('hex');
}
