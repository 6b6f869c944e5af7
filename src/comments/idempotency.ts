import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { CommentsSchema } from './schema';

/**
 * `Idempotency-Key` on a POST (after the IETF httpapi draft and Stripe): a client that lost the
 * answer to a POST retries with the same key and gets the first answer again, not a second
 * comment.
 *
 * - Keys belong to a commenter (site, sub): two commenters may pick the same key.
 * - Only a 201 is remembered. A refused request writes nothing, so fixing it and retrying with
 *   the same key is fine.
 * - The key is bound to what was asked (post, body as sent, parentId): the same key with another
 *   request is a client bug, refused with 422 rather than answered with an unrelated comment.
 * - Records are kept for IDEMPOTENCY_TTL_SECONDS by default, far longer than any client retries.
 */

export const DEFAULT_IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

export interface RememberedResponse {
  readonly requestHash: string;
  readonly status: number;
  readonly body: unknown;
}

/** A digest of the request a key was first used for; `extra` binds a guest's name, email and website too. */
export function requestFingerprint(postId: string, rawBody: string, parentId: string | null, extra?: string): string {
  const asked = extra === undefined ? [postId, rawBody, parentId] : [postId, rawBody, parentId, extra];
  return createHash('sha256').update(JSON.stringify(asked)).digest('hex');
}

export class IdempotencyStore {
  constructor(
    private readonly db: Kysely<CommentsSchema>,
    private readonly ttlMs: number,
  ) {}

  /** The first response given under this key, unless it is older than the retention period. */
  async find(siteId: string, sub: string, key: string, now: number): Promise<RememberedResponse | undefined> {
    const row = await this.db
      .selectFrom('idempotency_keys')
      .select(['request_hash', 'status', 'response'])
      .where('site_id', '=', siteId)
      .where('sub', '=', sub)
      .where('key', '=', key)
      .where('created_at', '>', now - this.ttlMs)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return { requestHash: row.request_hash, status: row.status, body: JSON.parse(row.response) as unknown };
  }

  /** Records the response; replaces an expired record under the same key. */
  async remember(siteId: string, sub: string, key: string, response: RememberedResponse, now: number): Promise<void> {
    const values = {
      request_hash: response.requestHash,
      status: response.status,
      response: JSON.stringify(response.body),
      created_at: now,
    };
    await this.db
      .insertInto('idempotency_keys')
      .values({ site_id: siteId, sub, key, ...values })
      .onConflict((oc) => oc.columns(['site_id', 'sub', 'key']).doUpdateSet(values))
      .execute();
  }

  /** Forgets records past the retention period. */
  async sweep(now: number): Promise<void> {
    await this.db.deleteFrom('idempotency_keys').where('created_at', '<=', now - this.ttlMs).execute();
  }
}
