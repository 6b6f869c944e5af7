import baseTeardown from '../global-teardown';
import { dropTestDatabases } from '../helpers/postgres';
import { deleteTestKeys } from '../helpers/redis';

/** Drops the run's databases and Redis keys (global-setup.ts), then the run's temporary folder. */
export default async function globalTeardown(): Promise<void> {
  const server = process.env['PARLEY_TEST_POSTGRES_URL'];
  const redis = process.env['PARLEY_TEST_REDIS_URL'];
  const runId = process.env['PARLEY_TEST_RUN_ID'];
  if (server !== undefined && runId !== undefined) await dropTestDatabases(server, runId);
  if (redis !== undefined && runId !== undefined) await deleteTestKeys(redis, runId);
  baseTeardown();
}
