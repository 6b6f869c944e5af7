import { sql, type Kysely } from 'kysely';
import { RateLimiter, type RateLimitRule } from '../store/rate-limits';
import type { Commenter } from '../../packages/verify/src';
import { CommentApiError, formatNumber } from './errors';
import type { CommentsSchema } from './schema';

/**
 * The per-commenter flood limit: every rule must allow a new comment. The defaults let a person
 * hold a lively conversation (a reply every 12 seconds for a minute) but not a bot (30 an hour).
 *
 * Counters are bumped inside the posting transaction, so a refused comment (bad parent,
 * duplicate, or this very 429) rolls its hit back: only comments actually written are counted.
 */
export const DEFAULT_COMMENT_RATE_LIMITS: readonly RateLimitRule[] = Object.freeze([
  Object.freeze({ limit: 5, windowSeconds: 60 }),
  Object.freeze({ limit: 30, windowSeconds: 60 * 60 }),
]);

/**
 * Whose budget a comment counts against: a signed-in commenter's (site, sub), or for a guest
 * (guest-comments.ts) the client address, as `guest-address:<ip>`, which no `sub` can be.
 */
export type RateLimitedActor = Pick<Commenter, 'siteId' | 'sub'>;

/** Site ids have no "|" and the window is digits, so the subject can go last as it is. */
function counterKey(commenter: RateLimitedActor, rule: RateLimitRule): string {
  return `comments|${commenter.siteId}|${rule.windowSeconds}|${commenter.sub}`;
}

/** Counts one comment against every rule; throws 429 with the longest wait when any refuses. */
export async function countComment(
  db: Kysely<CommentsSchema>,
  commenter: RateLimitedActor,
  rules: readonly RateLimitRule[],
  now: number,
): Promise<void> {
  const limiter = new RateLimiter(db, () => now);
  let retryAfterSeconds = 0;
  for (const rule of rules) {
    const decision = await limiter.hit(counterKey(commenter, rule), rule);
    if (!decision.allowed) retryAfterSeconds = Math.max(retryAfterSeconds, decision.retryAfterSeconds);
  }
  if (retryAfterSeconds > 0) {
    throw new CommentApiError(
      'rate_limited',
      `You are commenting too fast; try again in ${formatNumber(retryAfterSeconds)} ${retryAfterSeconds === 1 ? 'second' : 'seconds'}.`,
      retryAfterSeconds,
    );
  }
}

/** Deletes counters older than the longest window. */
export async function sweepRateLimits(db: Kysely<CommentsSchema>, rules: readonly RateLimitRule[], now: number): Promise<void> {
  const longestMs = Math.max(0, ...rules.map((rule) => rule.windowSeconds)) * 1000;
  await new RateLimiter(db, () => now).sweep(longestMs);
}

/** Escapes LIKE's wildcards (and the escape character) so `value` matches only itself. */
function likeLiteral(value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/**
 * Deletes a commenter's counters at one site, whatever the windows (erasure: rules may have
 * changed since they were written). The key format is counterKey's.
 */
export async function deleteCommenterCounters(db: Kysely<CommentsSchema>, siteId: string, sub: string): Promise<void> {
  const pattern = `${likeLiteral(`comments|${siteId}|`)}%${likeLiteral(`|${sub}`)}`;
  await db.deleteFrom('rate_limits').where(sql<boolean>`key like ${pattern} escape ${'\\'}`).execute();
}
