import baseTeardown from '../global-teardown';
import { dropTestDatabases } from '../helpers/postgres';

/** Drops the run's databases (global-setup.ts), then the run's temporary folder. */
export default async function globalTeardown(): Promise<void> {
  const server = process.env['PARLEY_TEST_POSTGRES_URL'];
  const runId = process.env['PARLEY_TEST_RUN_ID'];
  if (server !== undefined && runId !== undefined) await dropTestDatabases(server, runId);
  baseTeardown();
}
