import type { Kysely, Selectable } from 'kysely';
import type { CommentsSchema, ModerationActionsTable } from '../schema';

/**
 * The moderation log: every action taken on the moderation page, with who took it (the
 * moderator's pairwise subject and name, from their token), what, on what and when. Written in
 * the same transaction as the action itself, so the log never misses one nor lists one that did
 * not happen. Actions that changed nothing (hiding a hidden comment) are not logged.
 */

export type ModerationActionName = 'hide' | 'unhide' | 'delete' | 'approve' | 'ban' | 'unban';

export type ModerationActionRow = Selectable<ModerationActionsTable>;

export interface ModerationActionRecord {
  readonly siteId: string;
  readonly moderator: { readonly sub: string; readonly name: string };
  readonly action: ModerationActionName;
  readonly target: string;
  readonly at: number;
}

export class ModerationLog {
  constructor(private readonly db: Kysely<CommentsSchema>) {}

  async record(entry: ModerationActionRecord): Promise<void> {
    await this.db
      .insertInto('moderation_actions')
      .values({
        site_id: entry.siteId,
        moderator_sub: entry.moderator.sub,
        moderator_name: entry.moderator.name,
        action: entry.action,
        target: entry.target,
        created_at: entry.at,
      })
      .execute();
  }

  /** The site's actions, newest first; `beforeSeq` pages back. */
  list(siteId: string, limit: number, beforeSeq?: number): Promise<ModerationActionRow[]> {
    let select = this.db.selectFrom('moderation_actions').selectAll().where('site_id', '=', siteId);
    if (beforeSeq !== undefined) select = select.where('seq', '<', beforeSeq);
    return select.orderBy('seq', 'desc').limit(limit).execute();
  }
}
