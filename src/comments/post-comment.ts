import type { Kysely } from 'kysely';
import { lockForTransaction } from '../store/postgres';
import type { RateLimitRule } from '../store/rate-limits';
import { CommentApiError } from './errors';
import { IdempotencyStore, requestFingerprint } from './idempotency';
import { presentComment } from './presentation';
import { countComment } from './rate-limits';
import type { CommentsSchema } from './schema';
import { CommentStore, newCommentId, type CommentRow } from './storage';
import type { ThreadCache } from './thread-cache';
import { recordReplyNotice } from './backchannel/reply-notices';
import { GUEST_IDP } from './guest-identity';
import { pageUrlOfSite, type NewComment } from './validation';

/**
 * Posting a comment, once the request is known to be well formed and its commenter allowed on
 * the site. The rules, in order, all inside one transaction so a refusal writes nothing:
 *
 * 1. An Idempotency-Key seen before replays its first response (or 422 for another request).
 * 2. The commenter's rate limits (429 with Retry-After).
 * 3. A parent must be a comment on the same site and post, and not removed (422).
 * 4. The same text by the same commenter in the same place (the post's top level, or replying to
 *    the same comment) within the duplicate window (409).
 * 5. The comment is written with the author as the token names them now (held for approval on a
 *    pre-moderated site, marked when by one of the site's authors), with the commenter's wish to
 *    hear about replies (never a guest's: nobody could be mailed) and the page it was posted from
 *    when that is a page of the site; a reply shown at once is put in the reply outbox
 *    (backchannel/reply-notices.ts); and the response is remembered under the Idempotency-Key.
 * 6. Once the transaction has committed (not before: a GET in between would cache the old rows
 *    again), the post's cached thread is dropped, so the very next GET lists the comment.
 *
 * On SQLite, Kysely runs a transaction alone on the connection (and IMMEDIATE, so alone in the
 * file), so two retries racing with one key cannot both get past step 1. On PostgreSQL other
 * instances write at the same time: the transaction first takes a lock on the commenter (site,
 * sub), so one commenter's posts run one at a time everywhere, each seeing what the one before
 * committed: its key, its rate-limit hit, its text for the duplicate check.
 */

export interface PostCommentPolicy {
  readonly rateLimits: readonly RateLimitRule[];
  readonly duplicateWindowMs: number;
  readonly idempotencyTtlMs: number;
}

/** Who the comment is by, as it will be stored: a token's commenter, or a guest (guest-comments.ts). */
export interface CommentAuthor {
  readonly sub: string;
  readonly name: string;
  /** An https URL, or absent. */
  readonly picture?: string;
  readonly idp: string;
  /** A guest's website; absent for signed-in commenters. */
  readonly website?: string | null;
  /** A guest's email digest; absent for signed-in commenters. */
  readonly emailHash?: string | null;
}

export interface PostCommentRequest {
  readonly siteId: string;
  readonly postId: string;
  readonly commenter: CommentAuthor;
  /**
   * Whose lock, rate limits and Idempotency-Keys the comment goes through: the commenter's `sub`
   * (the default), or for a guest, whose `sub` is new on every comment, their client address.
   */
  readonly actor?: string;
  /**
   * What else an Idempotency-Key is bound to besides post, body and parent (a guest's details).
   * Not notifyReplies nor pageUrl: a retry is the same comment, whatever the box says by then,
   * and gets the first answer; the first request's choices stand.
   */
  readonly fingerprintExtra?: string;
  readonly comment: NewComment;
  readonly idempotencyKey: string | undefined;
  readonly now: number;
  /** Hold the comment until a moderator approves it (pre-moderation.ts); default false. */
  readonly held?: boolean;
  /** Mark it as written by one of the site's authors; default false. */
  readonly byAuthor?: boolean;
  /** The site's origins: `pageUrl` is kept only on one of them; absent, it is never kept. */
  readonly siteOrigins?: readonly string[];
}

export interface PostCommentResult {
  readonly status: number;
  /** `{ comment }` for a 201; for a replay, whatever was first answered. */
  readonly body: unknown;
  /** True when this is the remembered answer to an earlier request with the same key. */
  readonly replayed: boolean;
}

/** The parent a reply names, once checked (the reply notice reads it too); undefined for a top-level comment. */
async function checkParent(store: CommentStore, request: PostCommentRequest): Promise<CommentRow | undefined> {
  const { parentId } = request.comment;
  if (parentId === null) return undefined;
  const parent = await store.find(request.siteId, parentId);
  if (parent === undefined) {
    throw new CommentApiError('parent_not_found', 'parentId does not name any comment on this site.');
  }
  if (parent.post_id !== request.postId) {
    throw new CommentApiError('parent_not_found', 'parentId names a comment on another post; a reply goes on its parent\'s post.');
  }
  if (parent.hidden_at !== null || parent.deleted_at !== null) {
    throw new CommentApiError('parent_not_found', 'parentId names a comment that a moderator removed.');
  }
  if (parent.pending_at !== null) {
    throw new CommentApiError('parent_not_found', 'parentId names a comment that is waiting for a moderator\'s approval.');
  }
  return parent;
}

export async function postComment(
  db: Kysely<CommentsSchema>,
  policy: PostCommentPolicy,
  request: PostCommentRequest,
  threads: Pick<ThreadCache, 'invalidatePost'>,
): Promise<PostCommentResult> {
  const { siteId, postId, commenter, comment, idempotencyKey, now } = request;
  const actor = request.actor ?? commenter.sub;
  const result = await db.transaction().execute(async (trx): Promise<PostCommentResult> => {
    await lockForTransaction<CommentsSchema>(trx, `comments:${siteId}:${actor}`);
    const idempotency = new IdempotencyStore(trx, policy.idempotencyTtlMs);
    const fingerprint = requestFingerprint(postId, comment.rawBody, comment.parentId, request.fingerprintExtra);
    if (idempotencyKey !== undefined) {
      const earlier = await idempotency.find(siteId, actor, idempotencyKey, now);
      if (earlier !== undefined) {
        if (earlier.requestHash !== fingerprint) throw new CommentApiError('idempotency_key_reused');
        return { status: earlier.status, body: earlier.body, replayed: true };
      }
    }

    await countComment(trx, { siteId, sub: actor }, policy.rateLimits, now);

    const store = new CommentStore(trx);
    const parent = await checkParent(store, request);
    if (await store.hasRecentDuplicate(siteId, postId, comment.parentId, commenter.sub, comment.text, now - policy.duplicateWindowMs)) {
      throw new CommentApiError('duplicate_comment');
    }

    const row = await store.insert({
      id: newCommentId(),
      siteId,
      postId,
      parentId: comment.parentId,
      authorSub: commenter.sub,
      authorName: commenter.name,
      authorPicture: commenter.picture ?? null,
      authorIdp: commenter.idp,
      body: comment.text,
      createdAt: now,
      pendingAt: request.held === true ? now : null,
      byAuthor: request.byAuthor === true,
      authorWebsite: commenter.website ?? null,
      authorEmailHash: commenter.emailHash ?? null,
      notifyReplies: comment.notifyReplies && commenter.idp !== GUEST_IDP,
      pageUrl: pageUrlOfSite(comment.pageUrl, request.siteOrigins ?? []),
    });
    await recordReplyNotice(trx, row, parent);
    const body = { comment: presentComment(row) };
    if (idempotencyKey !== undefined) {
      await idempotency.remember(siteId, actor, idempotencyKey, { requestHash: fingerprint, status: 201, body }, now);
    }
    return { status: 201, body, replayed: false };
  });
  // A replay wrote nothing; its first request dropped the entry already.
  if (!result.replayed) threads.invalidatePost(siteId, postId);
  return result;
}
