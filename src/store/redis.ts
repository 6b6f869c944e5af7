import { Redis } from 'ioredis';
import { ConfigError } from '../config/errors';

/**
 * Redis (REDIS_URL), for what is short-lived or must reach every instance at once. The client is
 * ioredis: pure JavaScript, pub/sub and Lua scripts built in, and reconnects on its own.
 *
 * - Every key starts with `prefix` (PARLEY_REDIS_PREFIX), so several deployments or test runs can
 *   share one server without seeing each other's keys.
 * - A command waits for a lost connection at most once (`maxRetriesPerRequest: 1`) and then fails,
 *   so a request meets a clean 503 with Retry-After rather than hanging.
 */
export type RedisClient = Redis;

export async function openRedis(url: string, prefix: string): Promise<Redis> {
  const redis = new Redis(url, {
    keyPrefix: prefix,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    lazyConnect: true,
    // Reconnect in the background with a short, capped back-off.
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  // Errors are reported by the commands that fail; an unhandled 'error' event would end the process.
  // The first one says best why the server cannot be used at start-up (ECONNREFUSED, auth...).
  let firstError: Error | undefined;
  redis.on('error', (error: Error) => (firstError ??= error));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new ConfigError('REDIS_URL', `Redis cannot be used: ${(firstError ?? (error as Error)).message || 'no answer'}`);
  }
  return redis;
}
