import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { RateLimitsTable } from './schema';

/** Any database with a rate_limits table (the gateway's and the comment service's both have one). */
export interface RateLimitSchema {
  rate_limits: RateLimitsTable;
}

export interface RateLimitRule {
  /** How many hits a key may make within one window. */
  readonly limit: number;
  readonly windowSeconds: number;
}

export interface RateLimitDecision {
  readonly allowed: boolean;
  /** Seconds until the window resets, for Retry-After. */
  readonly retryAfterSeconds: number;
}

/** Fixed-window rate limits, wherever they are kept (the database here, or Redis: redis-rate-limits.ts). */
export interface RateLimits {
  hit(key: string, rule: RateLimitRule): Promise<RateLimitDecision>;
  /** Drops counters whose window ended more than `olderThanMs` ago (a no-op where they expire). */
  sweep(olderThanMs: number): Promise<void>;
}

/**
 * Fixed-window counters kept in the database, so limits hold across restarts and instances.
 * One statement per hit: insert the key, or bump it, or restart its window when it has passed.
 */
export class RateLimiter<Schema extends RateLimitSchema = RateLimitSchema> implements RateLimits {
  private readonly db: Kysely<RateLimitSchema>;

  constructor(
    db: Kysely<Schema>,
    private readonly now: () => number = Date.now,
  ) {
    // Kysely's database type is invariant; narrowing to the one table used here is safe.
    this.db = db as unknown as Kysely<RateLimitSchema>;
  }

  async hit(key: string, rule: RateLimitRule): Promise<RateLimitDecision> {
    const now = this.now();
    const windowMs = rule.windowSeconds * 1000;
    const row = await this.db
      .insertInto('rate_limits')
      .values({ key, window_started_at: now, hits: 1 })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          hits: sql<number>`case when rate_limits.window_started_at <= ${now - windowMs} then 1 else rate_limits.hits + 1 end`,
          window_started_at: sql<number>`case when rate_limits.window_started_at <= ${now - windowMs} then ${now} else rate_limits.window_started_at end`,
        }),
      )
      .returning(['hits', 'window_started_at'])
      .executeTakeFirstOrThrow();
    const retryAfterSeconds = Math.max(1, Math.ceil((row.window_started_at + windowMs - now) / 1000));
    return { allowed: row.hits <= rule.limit, retryAfterSeconds };
  }

  /** Deletes counters whose window ended long ago. */
  async sweep(olderThanMs: number): Promise<void> {
    await this.db.deleteFrom('rate_limits').where('window_started_at', '<=', this.now() - olderThanMs).execute();
  }
}
