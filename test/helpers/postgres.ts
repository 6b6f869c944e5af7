import { createHash } from 'node:crypto';
import pg from 'pg';
import { testRedis } from './redis';

/**
 * PostgreSQL for the cluster suite (`npm run test:cluster`, jest.cluster.config.js): its global
 * setup names the server (PARLEY_TEST_POSTGRES_URL) and a run id. Every data directory a test
 * starts a gateway or a comment service in gets a database of its own, made on first use and
 * named after the run and the directory, so a restart in the same directory finds its data again,
 * two services of one test never share tables by accident, and runs never see each other. The
 * suite's global teardown drops the run's databases. Outside that suite: SQLite, as always.
 */
const created = new Map<string, Promise<string>>();

/** The run's databases: `parley_t_<run id>_…`. */
export function testDatabasePrefix(runId: string): string {
  return `parley_t_${runId}_`;
}

/** DATABASE_URL for a service kept in `dataDir`, or undefined outside the cluster suite. */
export function testDatabaseUrl(dataDir: string): Promise<string | undefined> {
  const server = process.env['PARLEY_TEST_POSTGRES_URL'];
  const runId = process.env['PARLEY_TEST_RUN_ID'];
  if (server === undefined || runId === undefined) return Promise.resolve(undefined);
  const name = `${testDatabasePrefix(runId)}${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}`;
  let database = created.get(name);
  if (database === undefined) {
    database = createDatabase(server, name);
    created.set(name, database);
  }
  return database;
}

/**
 * The scale-out settings for a service kept in `dataDir` in the cluster suite: its own database,
 * and Redis under its own key prefix (test/helpers/redis.ts); nothing outside that suite.
 */
export async function testStoreEnv(dataDir: string): Promise<Record<string, string>> {
  const url = await testDatabaseUrl(dataDir);
  if (url === undefined) return {};
  const redis = testRedis(createHash('sha256').update(dataDir).digest('hex').slice(0, 16));
  return { DATABASE_URL: url, ...(redis ? { REDIS_URL: redis.url, PARLEY_REDIS_PREFIX: redis.prefix } : {}) };
}

async function createDatabase(server: string, name: string): Promise<string> {
  await withClient(server, async (client) => {
    try {
      await client.query(`create database ${name}`);
    } catch (error) {
      // 42P04 duplicate_database: a restart of the same directory in another worker.
      if ((error as { code?: string }).code !== '42P04') throw error;
    }
  });
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.href;
}

/** Drops every database of the run (the suite's global teardown). */
export async function dropTestDatabases(server: string, runId: string): Promise<void> {
  await withClient(server, async (client) => {
    const { rows } = await client.query<{ datname: string }>('select datname from pg_database where starts_with(datname, $1)', [testDatabasePrefix(runId)]);
    for (const { datname } of rows) await client.query(`drop database if exists ${datname} with (force)`);
  });
}

export async function withClient<T>(server: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: server, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

