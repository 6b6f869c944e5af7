import { Redis } from 'ioredis';
import { ConfigError } from '../config/errors';
import type { DependencyCheck } from '../http/health-routes';
import { DEPENDENCY_TIMEOUTS } from './dependency-timeouts';

/**
 * Redis (REDIS_URL), for what is short-lived or must reach every instance at once. The client is
 * ioredis: pure JavaScript, pub/sub and Lua scripts built in, and reconnects on its own.
 *
 * - Every key starts with `prefix` (PARLEY_REDIS_PREFIX), so several deployments or test runs can
 *   share one server without seeing each other's keys.
 * - No command waits longer than DEPENDENCY_TIMEOUTS.redisCommandMs, whether it was sent or is
 *   queued while the client reconnects, and it is not retried on a new connection more than once:
 *   a request meets a clean 503 with Retry-After rather than hanging, and the client keeps
 *   reconnecting in the background, so the instance recovers by itself when Redis is back.
 */
export type RedisClient = Redis;

export async function openRedis(url: string, prefix: string): Promise<Redis> {
  const redis = new Redis(url, {
    keyPrefix: prefix,
    maxRetriesPerRequest: 1,
    commandTimeout: DEPENDENCY_TIMEOUTS.redisCommandMs,
    connectTimeout: DEPENDENCY_TIMEOUTS.connectMs,
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

/** Redis as /readyz asks it: PING answers (within the command timeout). */
export function redisCheck(redis: Redis): DependencyCheck {
  return { name: 'Redis', check: () => redis.ping() };
}
