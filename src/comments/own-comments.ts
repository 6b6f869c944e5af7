import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Commenter } from '../../packages/verify/src';
import { lockForTransaction } from '../store/postgres';
import { CommentApiError } from './errors';
import { IdempotencyStore } from './idempotency';
import { Moderation } from './moderation';
import { presentComment } from './presentation';
import type { PostCommentPolicy, PostCommentResult } from './post-comment';
import { countComment } from './rate-limits';
import type { CommentsSchema } from './schema';
import { CommentStore, type CommentRow } from './storage';
import type { ThreadCache } from './thread-cache';
import type { CommentEdit } from './validation';

/**
 * A commenter editing or deleting their own comment (`PATCH` and `DELETE .../comments/:id`),
 * once the request is known to be well formed and its commenter a commenter of the site.
 *
 * Edit, inside one transaction (on PostgreSQL under the same per-commenter lock as posting):
 * 1. An Idempotency-Key seen before replays its first answer, or 422 when it was used for
 *    another request (a POST, or an edit of another comment or with other text).
 * 2. 404 `comment_not_found` for an id that names no comment of this post; 403 `not_author`
 *    for anyone but its author (moderators included: they have the moderation API); 409
 *    `comment_deleted` / `comment_hidden` for a removed one (the author cannot bring hidden
 *    text back by rewriting it); 403 `edit_window_closed` after EDIT_WINDOW_MS.
 * 3. The rate limits count an edit as they count a comment (429).
 * 4. The text and `edited_at` are written; 200 `{ comment }`. Sending the text it already has
 *    changes nothing and does not mark it edited.
 *
 * Delete: the same 404 and 403, at any time, banned or not (a commenter may always take their
 * words back); then exactly what a moderator's deletion does (moderation.ts), so the comment
 * stays as a "deleted" placeholder while visible replies hang under it and disappears otherwise.
 * Deleting a deleted comment again is 204 again: the outcome the client wanted holds.
 *
 * After each write commits, the post's cached thread is dropped here; other instances see the
 * update through outside-writes.ts (PostgreSQL's thread_versions trigger, SQLite's data_version).
 */

/** How long after posting its author may still edit a comment. */
export const EDIT_WINDOW_MS = 15 * 60 * 1000;

export interface OwnCommentRequest {
  readonly siteId: string;
  readonly postId: string;
  readonly commentId: string;
  readonly commenter: Commenter;
  readonly now: number;
}

export interface EditCommentRequest extends OwnCommentRequest {
  readonly edit: CommentEdit;
  readonly idempotencyKey: string | undefined;
}

/** A digest of an edit, so a key first used for it is refused for anything else. */
function editFingerprint(postId: string, commentId: string, rawBody: string): string {
  return createHash('sha256').update(JSON.stringify(['edit', postId, commentId, rawBody])).digest('hex');
}

/** The comment, if the request's commenter wrote it; refuses otherwise (404, 403). */
async function findOwnComment(store: CommentStore, request: OwnCommentRequest): Promise<CommentRow> {
  const row = await store.find(request.siteId, request.commentId);
  if (row === undefined || row.post_id !== request.postId) throw new CommentApiError('comment_not_found');
  if (row.author_sub !== request.commenter.sub) throw new CommentApiError('not_author');
  return row;
}

export async function editOwnComment(
  db: Kysely<CommentsSchema>,
  policy: PostCommentPolicy,
  request: EditCommentRequest,
  threads: Pick<ThreadCache, 'invalidatePost'>,
): Promise<PostCommentResult> {
  const { siteId, postId, commentId, commenter, edit, idempotencyKey, now } = request;
  const result = await db.transaction().execute(async (trx): Promise<PostCommentResult> => {
    await lockForTransaction<CommentsSchema>(trx, `comments:${siteId}:${commenter.sub}`);
    const idempotency = new IdempotencyStore(trx, policy.idempotencyTtlMs);
    const fingerprint = editFingerprint(postId, commentId, edit.rawBody);
    if (idempotencyKey !== undefined) {
      const earlier = await idempotency.find(siteId, commenter.sub, idempotencyKey, now);
      if (earlier !== undefined) {
        if (earlier.requestHash !== fingerprint) throw new CommentApiError('idempotency_key_reused');
        return { status: earlier.status, body: earlier.body, replayed: true };
      }
    }

    const store = new CommentStore(trx);
    const row = await findOwnComment(store, request);
    if (row.deleted_at !== null) throw new CommentApiError('comment_deleted', 'This comment was deleted; it cannot be edited.');
    if (row.hidden_at !== null) throw new CommentApiError('comment_hidden');
    if (now - row.created_at > EDIT_WINDOW_MS) throw new CommentApiError('edit_window_closed');

    await countComment(trx, commenter, policy.rateLimits, now);

    const updated =
      row.body === edit.text
        ? row
        : await trx
            .updateTable('comments')
            .set({ body: edit.text, edited_at: now })
            .where('site_id', '=', siteId)
            .where('id', '=', commentId)
            .returningAll()
            .executeTakeFirstOrThrow();
    const body = { comment: presentComment(updated) };
    if (idempotencyKey !== undefined) {
      await idempotency.remember(siteId, commenter.sub, idempotencyKey, { requestHash: fingerprint, status: 200, body }, now);
    }
    return { status: 200, body, replayed: false };
  });
  if (!result.replayed) threads.invalidatePost(siteId, postId);
  return result;
}

export async function deleteOwnComment(db: Kysely<CommentsSchema>, request: OwnCommentRequest, threads: Pick<ThreadCache, 'invalidatePost'>): Promise<void> {
  const { siteId, postId, commentId } = request;
  await db.transaction().execute(async (trx) => {
    await findOwnComment(new CommentStore(trx), request);
    await new Moderation(trx, () => request.now).delete(siteId, commentId);
  });
  threads.invalidatePost(siteId, postId);
}
