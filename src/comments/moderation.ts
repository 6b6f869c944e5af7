import type { Kysely } from 'kysely';
import type { CommentsSchema } from './schema';
import { CommentStore, type CommentRow } from './storage';

/**
 * What a site owner can do from the command line, and the ban check the service runs on every
 * POST. Everything is read from and written to the database directly, never cached: a ban or a
 * hide made by `parley comments` in another process holds from the service's very next request.
 *
 * - Hiding is reversible: the text stays stored, the API shows a placeholder (presentation.ts).
 * - Deleting is final: the text and the author's name and picture are erased from the row; the
 *   row stays (with the author's pairwise subject) so replies keep their place and a ban can
 *   still be made afterwards.
 * - A ban refuses new comments from (site, sub); the commenter's earlier comments stay as they are.
 */

export type ModerationOutcome = 'done' | 'unchanged' | 'not_found' | 'deleted';

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
      .set({ deleted_at: this.now(), body: '', author_name: '', author_picture: null })
      .where('site_id', '=', siteId)
      .where('id', '=', commentId)
      .execute();
    return 'done';
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
