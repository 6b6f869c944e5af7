import { randomBytes } from 'node:crypto';
import { dropTestDatabases, testDatabasePrefix, withClient } from '../../test/helpers/postgres';
import { deleteTestKeys, testRedisPrefix } from '../../test/helpers/redis';

/**
 * PostgreSQL and Redis for the scale-out benchmarks (issue 12): the machine's shared servers, as
 * the cluster tests use them (PARLEY_TEST_POSTGRES_URL / PARLEY_TEST_REDIS_URL name others). A run
 * makes a fresh database per mode and a Redis key prefix of its own, named like the cluster
 * suite's (test/helpers/postgres.ts, redis.ts) so their helpers drop them, and removes both when
 * it ends. The shared servers are never restarted or reconfigured.
 */
export const BENCH_POSTGRES_URL = process.env['PARLEY_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const BENCH_REDIS_URL = process.env['PARLEY_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** What a scale bench server reads (bench/lib/bench-store-settings.ts) to run on the shared stores. */
export interface ScaleStoreEnv {
  readonly BENCH_DATABASE_URL: string;
  readonly BENCH_DATABASE_NAME: string;
  readonly BENCH_REDIS_URL?: string;
  readonly BENCH_REDIS_PREFIX?: string;
}

export interface ScaleStores {
  /** A new, empty database (and, with `redis`, a key prefix) for one mode of the run. */
  create(label: string, options?: { redis?: boolean }): Promise<ScaleStoreEnv>;
  /** Drops the run's databases and deletes its Redis keys. */
  remove(): Promise<void>;
}

export function scaleStores(): ScaleStores {
  const runId = `bench${randomBytes(3).toString('hex')}`;
  return {
    async create(label, options = {}) {
      const name = `${testDatabasePrefix(runId)}${label}`;
      await withClient(BENCH_POSTGRES_URL, (client) => client.query(`create database ${name}`));
      const url = new URL(BENCH_POSTGRES_URL);
      url.pathname = `/${name}`;
      return {
        BENCH_DATABASE_URL: url.href,
        BENCH_DATABASE_NAME: name,
        ...(options.redis ? { BENCH_REDIS_URL, BENCH_REDIS_PREFIX: `${testRedisPrefix(runId)}${label}:` } : {}),
      };
    },
    async remove() {
      await dropTestDatabases(BENCH_POSTGRES_URL, runId);
      await deleteTestKeys(BENCH_REDIS_URL, runId);
    },
  };
}

/** "PostgreSQL 15.20, Redis 7.0.15": the versions the run measured, for the record. */
export async function storeVersions(): Promise<string> {
  const postgres = await withClient(BENCH_POSTGRES_URL, (client) => client.query<{ server_version: string }>('show server_version'));
  const { Redis } = await import('ioredis');
  const redis = new Redis(BENCH_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const info = await redis.info('server');
    return `PostgreSQL ${postgres.rows[0]?.server_version ?? '?'}, Redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? '?'}`;
  } finally {
    redis.disconnect();
  }
}
