import { randomBytes } from 'node:crypto';
import { FORMER_COMMENTER_NAME } from '../../backchannel/protocol';
import type { SiteErasure } from '../../config/sites';
import { lockForTransaction } from '../../store/postgres';
import type { CommentsDb } from '../database';
import { Moderation } from '../moderation';
import type { CommentsSchema } from '../schema';
import { deleteCommenterCounters } from '../rate-limits';

/**
 * Erasing commenters at one site (`POST /backchannel/erase`, protocol.ts EraseRequest): what
 * the gateway asks once a commenter has deleted their account. In one transaction, under the
 * same per-commenter lock as posting (so a comment being written meanwhile is either erased too
 * or refused by the gateway's revocation, never left half-done):
 *
 * - Each of their comments gets a subject of its own, `erased:` and 96 random bits: no token can
 *   carry one (pairwise subjects have no ":"), and no two comments share one, so nothing (the
 *   thread's `authorKey`, the moderation page's commenter) links them to each other any more.
 *   Name "a former commenter", no picture, website or email digest, no reply emails, not marked
 *   as the post author's, `idp` `erased` (the widget shows the name without a provider, as for
 *   imported authors).
 * - With the site's `erasure: "remove-text"` the text goes too, exactly as a deletion removes it
 *   (moderation.ts): a placeholder while replies hang below, gone otherwise. Replies by others
 *   stay as they are.
 * - Their ban, Idempotency-Keys (whose stored answers name them) and rate-limit counters are
 *   deleted; reply notices to them or about their replies are dropped; in the moderation log,
 *   their actions as a moderator and bans of them name a fresh `erased:` subject instead.
 *
 * A repeat finds no comment under their subject any more: it changes nothing and counts 0.
 * On PostgreSQL every comment update raises its thread's version (the thread_versions trigger),
 * so every instance drops its cached copy; the caller drops this instance's.
 */

export const ERASED_SUB_PREFIX = 'erased:';
/** What an erased commenter's comments give as `author.idp`. */
export const ERASED_IDP = 'erased';
const ERASED_SUB_BYTES = 12;

export function erasedSubject(): string {
  return `${ERASED_SUB_PREFIX}${randomBytes(ERASED_SUB_BYTES).toString('base64url')}`;
}

export interface SiteErasureResult {
  /** Comments anonymised. */
  readonly comments: number;
  /** The posts whose threads changed. */
  readonly posts: ReadonlySet<string>;
}

export async function eraseCommentersAtSite(db: CommentsDb, siteId: string, subs: readonly string[], erasure: SiteErasure, now: number): Promise<SiteErasureResult> {
  if (subs.length === 0) return { comments: 0, posts: new Set() };
  return db.transaction().execute(async (trx) => {
    // Sorted (parseSubjectsRequest sorts them): two erasures never wait for each other in a cycle.
    for (const sub of subs) await lockForTransaction<CommentsSchema>(trx, `comments:${siteId}:${sub}`);

    const rows = await trx.selectFrom('comments').select(['id', 'post_id', 'deleted_at']).where('site_id', '=', siteId).where('author_sub', 'in', subs).orderBy('seq').execute();

    await trx
      .deleteFrom('reply_notices')
      .where('site_id', '=', siteId)
      .where((eb) =>
        eb.or([
          eb('recipient_sub', 'in', subs),
          eb('reply_id', 'in', eb.selectFrom('comments').select('id').where('site_id', '=', siteId).where('author_sub', 'in', subs)),
        ]),
      )
      .execute();

    if (erasure === 'remove-text') {
      const moderation = new Moderation(trx, () => now);
      for (const row of rows) if (row.deleted_at === null) await moderation.delete(siteId, row.id);
    }
    for (const row of rows) {
      await trx
        .updateTable('comments')
        .set({
          author_sub: erasedSubject(),
          author_name: FORMER_COMMENTER_NAME,
          author_picture: null,
          author_idp: ERASED_IDP,
          author_website: null,
          author_email_hash: null,
          notify_replies: 0,
          by_author: 0,
        })
        .where('site_id', '=', siteId)
        .where('id', '=', row.id)
        .execute();
    }

    await trx.deleteFrom('bans').where('site_id', '=', siteId).where('sub', 'in', subs).execute();
    await trx.deleteFrom('idempotency_keys').where('site_id', '=', siteId).where('sub', 'in', subs).execute();
    for (const sub of subs) await deleteCommenterCounters(trx, siteId, sub);

    const logged = await trx
      .selectFrom('moderation_actions')
      .select(['seq', 'moderator_sub', 'target', 'action'])
      .where('site_id', '=', siteId)
      .where((eb) => eb.or([eb('moderator_sub', 'in', subs), eb.and([eb('action', 'in', ['ban', 'unban']), eb('target', 'in', subs)])]))
      .execute();
    const erased = new Set(subs);
    for (const entry of logged) {
      const asModerator = erased.has(entry.moderator_sub);
      const asTarget = (entry.action === 'ban' || entry.action === 'unban') && erased.has(entry.target);
      await trx
        .updateTable('moderation_actions')
        .set({
          ...(asModerator ? { moderator_sub: erasedSubject(), moderator_name: FORMER_COMMENTER_NAME } : {}),
          ...(asTarget ? { target: erasedSubject() } : {}),
        })
        .where('seq', '=', entry.seq)
        .execute();
    }

    return { comments: rows.length, posts: new Set(rows.map((row) => row.post_id)) };
  });
}
