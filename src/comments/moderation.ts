import type { Kysely } from 'kysely';
import type { CommentsSchema } from './schema';
import { recordReplyNotice } from './backchannel/reply-notices';
import { CommentStore, type CommentRow } from './storage';

/**
 * What a site owner can do from the command line or the moderation page (moderation-page/), and
 * the ban check the service runs on every POST. Everything is read from and written to the
 * database directly, never cached: a ban or a hide made by `parley comments` in another process
 * holds from the service's very next request; one made on the page drops the thread's cached
 * answer itself (moderation-page/moderation-api.ts).
 *
 * - Hiding is reversible: the text stays stored, the API shows a placeholder (presentation.ts).
 * - Deleting is final: the text and the author's name and picture are erased from the row; the
 *   row stays (with the author's pairwise subject) so replies keep their place and a ban can
 *   still be made afterwards.
 * - A ban refuses new comments from (site, sub); the commenter's earlier comments stay as they are.
 * - Approving shows a comment that pre-moderation held (sites file `moderation: "pre"`); a reply
 *   approved goes into the reply outbox then (backchannel/reply-notices.ts).
 */

export type ModerationOutcome = 'done' | 'unchanged' | 'not_found' | 'deleted';

/** Where a comment stands, as the moderation page shows and filters it. */
export type ModerationState = 'visible' | 'hidden' | 'deleted' | 'pending';

export const MODERATION_STATES: readonly ModerationState[] = ['visible', 'hidden', 'deleted', 'pending'];

/** Deleted wins over hidden, hidden over pending: the strongest thing done to it. */
export function moderationState(row: CommentRow): ModerationState {
  if (row.deleted_at !== null) return 'deleted';
  if (row.hidden_at !== null) return 'hidden';
  if (row.pending_at !== null) return 'pending';
  return 'visible';
}

/** What the moderation page lists: a site's comments, newest first, a page at a time. */
export interface RecentCommentsQuery {
  readonly postId?: string | undefined;
  readonly state?: ModerationState | undefined;
  readonly authorSub?: string | undefined;
  /** Only comments written before this one (its `seq`): the next page. */
  readonly beforeSeq?: number | undefined;
  readonly limit: number;
}

export class Moderation {
  private readonly comments: CommentStore;

  constructor(
    private readonly db: Kysely<CommentsSchema>,
    private readonly now: () => number = Date.now,
  ) {
    this.comments = new CommentStore(db);
  }

  async isBanned(siteId: string, sub: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('bans')
      .select('sub')
      .where('site_id', '=', siteId)
      .where('sub', '=', sub)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** `unchanged` when the commenter was banned already. */
  async ban(siteId: string, sub: string): Promise<ModerationOutcome> {
    const result = await this.db
      .insertInto('bans')
      .values({ site_id: siteId, sub, created_at: this.now() })
      .onConflict((oc) => oc.columns(['site_id', 'sub']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0 ? 'done' : 'unchanged';
  }

  /** `unchanged` when the commenter was not banned. */
  async unban(siteId: string, sub: string): Promise<ModerationOutcome> {
    const result = await this.db.deleteFrom('bans').where('site_id', '=', siteId).where('sub', '=', sub).executeTakeFirst();
    return Number(result.numDeletedRows) > 0 ? 'done' : 'unchanged';
  }

  hide(siteId: string, commentId: string): Promise<ModerationOutcome> {
    return this.setHidden(siteId, commentId, true);
  }

  unhide(siteId: string, commentId: string): Promise<ModerationOutcome> {
    return this.setHidden(siteId, commentId, false);
  }

  /** Erases the comment's text and author; `unchanged` when it was deleted already. */
  async delete(siteId: string, commentId: string): Promise<ModerationOutcome> {
    const comment = await this.comments.find(siteId, commentId);
    if (comment === undefined) return 'not_found';
    if (comment.deleted_at !== null) return 'unchanged';
    await this.db
      .updateTable('comments')
      .set({ deleted_at: this.now(), body: '', author_name: '', author_picture: null, author_website: null, author_email_hash: null })
      .where('site_id', '=', siteId)
      .where('id', '=', commentId)
      .execute();
    return 'done';
  }

  /** Shows a comment that pre-moderation held; `unchanged` when it was not held. */
  async approve(siteId: string, commentId: string): Promise<ModerationOutcome> {
    const comment = await this.comments.find(siteId, commentId);
    if (comment === undefined) return 'not_found';
    if (comment.deleted_at !== null) return 'deleted';
    if (comment.pending_at === null) return 'unchanged';
    // The reply becomes visible and is announced in one transaction (backchannel/reply-notices.ts).
    const approve = async (trx: Kysely<CommentsSchema>) => {
      await trx.updateTable('comments').set({ pending_at: null }).where('site_id', '=', siteId).where('id', '=', commentId).execute();
      await recordReplyNotice(trx, { ...comment, pending_at: null });
    };
    await (this.db.isTransaction ? approve(this.db) : this.db.transaction().execute(approve));
    return 'done';
  }

  /** A site's comments across posts, newest first, filtered as asked (the moderation page). */
  recent(siteId: string, query: RecentCommentsQuery): Promise<CommentRow[]> {
    let select = this.db.selectFrom('comments').selectAll().where('site_id', '=', siteId);
    if (query.postId !== undefined) select = select.where('post_id', '=', query.postId);
    if (query.authorSub !== undefined) select = select.where('author_sub', '=', query.authorSub);
    if (query.beforeSeq !== undefined) select = select.where('seq', '<', query.beforeSeq);
    switch (query.state) {
      case 'deleted':
        select = select.where('deleted_at', 'is not', null);
        break;
      case 'hidden':
        select = select.where('deleted_at', 'is', null).where('hidden_at', 'is not', null);
        break;
      case 'pending':
        select = select.where('deleted_at', 'is', null).where('hidden_at', 'is', null).where('pending_at', 'is not', null);
        break;
      case 'visible':
        select = select.where('deleted_at', 'is', null).where('hidden_at', 'is', null).where('pending_at', 'is', null);
        break;
      case undefined:
        break;
    }
    return select.orderBy('seq', 'desc').limit(query.limit).execute();
  }

  /** Which of these commenters are banned on the site. */
  async bannedAmong(siteId: string, subs: readonly string[]): Promise<Set<string>> {
    if (subs.length === 0) return new Set();
    const rows = await this.db.selectFrom('bans').select('sub').where('site_id', '=', siteId).where('sub', 'in', [...new Set(subs)]).execute();
    return new Set(rows.map((row) => row.sub));
  }

  /** Every comment of a post with its author's subject (what `ban` takes), oldest first. */
  list(siteId: string, postId: string): Promise<CommentRow[]> {
    return this.comments.thread(siteId, postId);
  }

  private async setHidden(siteId: string, commentId: string, hidden: boolean): Promise<ModerationOutcome> {
    const comment = await this.comments.find(siteId, commentId);
    if (comment === undefined) return 'not_found';
    if (comment.deleted_at !== null) return 'deleted';
    if ((comment.hidden_at !== null) === hidden) return 'unchanged';
    await this.db
      .updateTable('comments')
      .set({ hidden_at: hidden ? this.now() : null })
      .where('site_id', '=', siteId)
      .where('id', '=', commentId)
      .execute();
    return 'done';
  }
}
