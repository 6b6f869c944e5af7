import type { Redis } from 'ioredis';
import type { RateLimitDecision, RateLimitRule, RateLimits } from './rate-limits';

/**
 * The fixed-window counters of rate-limits.ts in Redis: one atomic script per hit (count, and
 * start the window's expiry with the first hit), seen at once by every instance, forgotten by
 * Redis itself when the window ends (nothing to sweep).
 */
const HIT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return { hits, ttl }
`;

export class RedisRateLimiter implements RateLimits {
  constructor(private readonly redis: Redis) {}

  async hit(key: string, rule: RateLimitRule): Promise<RateLimitDecision> {
    const windowMs = rule.windowSeconds * 1000;
    const [hits, ttlMs] = (await this.redis.eval(HIT, 1, `rate:${rule.windowSeconds}:${key}`, windowMs)) as [number, number];
    return { allowed: hits <= rule.limit, retryAfterSeconds: Math.max(1, Math.ceil(ttlMs / 1000)) };
  }

  /** Redis expires the counters itself. */
  async sweep(): Promise<void> {}
}
