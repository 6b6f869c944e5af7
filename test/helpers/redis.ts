import { Redis } from 'ioredis';

/**
 * Redis for the cluster suite: its global setup names the server (PARLEY_TEST_REDIS_URL) and the
 * run id; every key a test writes starts with the run's prefix, and the global teardown deletes
 * them, so runs never see each other on the shared server.
 */
export function testRedisPrefix(runId: string): string {
  return `parley_t_${runId}:`;
}

/** REDIS_URL and a key prefix for a test, or undefined outside the cluster suite. */
export function testRedis(label: string): { url: string; prefix: string } | undefined {
  const url = process.env['PARLEY_TEST_REDIS_URL'];
  const runId = process.env['PARLEY_TEST_RUN_ID'];
  if (url === undefined || runId === undefined) return undefined;
  return { url, prefix: `${testRedisPrefix(runId)}${label}:` };
}

/** Deletes every key of the run (the suite's global teardown). */
export async function deleteTestKeys(url: string, runId: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${testRedisPrefix(runId)}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Answers whether a Redis server answers PING at `url`. */
export async function pingRedis(url: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 3_000, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } finally {
    redis.disconnect();
  }
}
