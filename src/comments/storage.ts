import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { CommentsSchema, CommentsTable } from './schema';

/**
 * Comment rows: reading a thread, finding a parent or a recent duplicate, adding a comment.
 * Works on the database or on a transaction (both are a Kysely); the rules that combine these
 * live in post-comment.ts, moderation in moderation.ts.
 */

export type CommentRow = Selectable<CommentsTable>;

/** 96 random bits, 16 URL-safe characters: unguessable, so ids say nothing about volume. */
const COMMENT_ID_BYTES = 12;

export function newCommentId(): string {
  return randomBytes(COMMENT_ID_BYTES).toString('base64url');
}

export interface NewCommentRow {
  readonly id: string;
  readonly siteId: string;
  readonly postId: string;
  readonly parentId: string | null;
  readonly authorSub: string;
  readonly authorName: string;
  readonly authorPicture: string | null;
  readonly authorIdp: string;
  readonly body: string;
  readonly createdAt: number;
  /** Held for approval since then (pre-moderation); absent: shown at once. */
  readonly pendingAt?: number | null;
  /** Written by one of the site's authors. */
  readonly byAuthor?: boolean;
  /** A guest's website and email digest (guest-comments.ts); absent for signed-in commenters. */
  readonly authorWebsite?: string | null;
  readonly authorEmailHash?: string | null;
  /** Its author asked to hear about replies (backchannel/reply-notices.ts); absent: no. */
  readonly notifyReplies?: boolean;
  /** The page of the site it was posted from; absent: unknown. */
  readonly pageUrl?: string | null;
}

export class CommentStore {
  constructor(private readonly db: Kysely<CommentsSchema>) {}

  /** Every comment of a post, hidden and deleted ones included, in the order they were written. */
  thread(siteId: string, postId: string): Promise<CommentRow[]> {
    return this.db
      .selectFrom('comments')
      .selectAll()
      .where('site_id', '=', siteId)
      .where('post_id', '=', postId)
      .orderBy('seq')
      .execute();
  }

  find(siteId: string, id: string): Promise<CommentRow | undefined> {
    return this.db
      .selectFrom('comments')
      .selectAll()
      .where('site_id', '=', siteId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /**
   * True when this commenter posted exactly this text at or after `since` in the same place: on the
   * post at the top level, or as a reply to the same comment. The same "Thanks!" to two people is
   * two comments; the rate limits, not this, stop a commenter repeating it down a whole thread.
   */
  async hasRecentDuplicate(siteId: string, postId: string, parentId: string | null, sub: string, body: string, since: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('comments')
      .select('id')
      .where('site_id', '=', siteId)
      .where('author_sub', '=', sub)
      .where('post_id', '=', postId)
      // `is` with a value is SQLite's; PostgreSQL accepts it only with null.
      .where((eb) => (parentId === null ? eb('parent_id', 'is', null) : eb('parent_id', '=', parentId)))
      .where('created_at', '>=', since)
      .where('body', '=', body)
      .executeTakeFirst();
    return row !== undefined;
  }

  async insert(comment: NewCommentRow): Promise<CommentRow> {
    return this.db
      .insertInto('comments')
      .values({
        id: comment.id,
        site_id: comment.siteId,
        post_id: comment.postId,
        parent_id: comment.parentId,
        author_sub: comment.authorSub,
        author_name: comment.authorName,
        author_picture: comment.authorPicture,
        author_idp: comment.authorIdp,
        body: comment.body,
        created_at: comment.createdAt,
        hidden_at: null,
        deleted_at: null,
        pending_at: comment.pendingAt ?? null,
        edited_at: null,
        by_author: comment.byAuthor === true ? 1 : 0,
        author_website: comment.authorWebsite ?? null,
        author_email_hash: comment.authorEmailHash ?? null,
        notify_replies: comment.notifyReplies === true ? 1 : 0,
        page_url: comment.pageUrl ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }
}
