import type { Kysely } from 'kysely';
import type { RequestHandler } from 'express';
import { commentUrl, type RepliesPage, type ReplyNotice } from '../../backchannel/protocol';
import { CommentApiError } from '../errors';
import { IMPORTED_SUB_PREFIX } from '../import/imported-identity';
import { GUEST_SUB_PREFIX } from '../guest-identity';
import type { CommentsSchema } from '../schema';
import { CommentStore, type CommentRow } from '../storage';
import type { BackchannelRouteDeps } from './routes';

/**
 * The reply outbox (src/backchannel/protocol.ts, RepliesPage): the comment service's half of
 * reply notifications. It never knows an address; it only says "someone replied to (site, sub),
 * who asked to hear about it", and the gateway, which knows who that is, mails them.
 *
 * Written (recordReplyNotice) in the transaction that makes a reply visible, so a notice exists
 * exactly when the reply does: on posting where the site does not pre-moderate, or on a
 * moderator's approval. Rules at writing:
 * - the parent exists, is visible, and its author ticked "Notify me of replies by email";
 * - the replier is not the parent's author (same pairwise `sub` on the same site);
 * - the parent's author is a signed-in commenter: a guest or an imported author has no account
 *   at the gateway to mail;
 * - once per reply (`reply_id` unique): approving twice, or approving after posting, adds nothing.
 *
 * Rules at reading (`GET /backchannel/replies`), since things change between the reply and the
 * gateway's next poll: a reply or parent since hidden, deleted or (again) pending, a replier
 * since banned on the site, or a site no longer in the sites file, is left out. The cursor moves
 * past what was left out all the same: a notice is read once, and a reply shown again later is
 * not worth a late email.
 */

/** Notices per page; the gateway asks again at once while `moreAvailable`. */
export const REPLIES_PAGE_SIZE = 100;
/** How much of the replied-to comment the email quotes, in characters (code points). */
export const PARENT_EXCERPT_CHARACTERS = 200;
const CURSOR_PATTERN = /^(0|[1-9]\d{0,15})$/;

function isVisible(row: Pick<CommentRow, 'hidden_at' | 'deleted_at' | 'pending_at'>): boolean {
  return row.hidden_at === null && row.deleted_at === null && row.pending_at === null;
}

function isSignedInCommenter(sub: string): boolean {
  return !sub.startsWith(GUEST_SUB_PREFIX) && !sub.startsWith(IMPORTED_SUB_PREFIX);
}

/**
 * Records that `reply` should be announced to its parent's author, if the rules above say so.
 * Call it inside the transaction that made the reply visible, with that transaction, and with
 * the parent's row when the caller has just read it in that transaction (posting checks it).
 * Returns true when a notice was written now.
 */
export async function recordReplyNotice(trx: Kysely<CommentsSchema>, reply: CommentRow, parentRow?: CommentRow): Promise<boolean> {
  if (reply.parent_id === null || !isVisible(reply)) return false;
  const parent = parentRow ?? (await new CommentStore(trx).find(reply.site_id, reply.parent_id));
  if (parent === undefined || !isVisible(parent) || parent.notify_replies !== 1) return false;
  if (parent.author_sub === reply.author_sub || !isSignedInCommenter(parent.author_sub)) return false;
  const result = await trx
    .insertInto('reply_notices')
    .values({ site_id: reply.site_id, recipient_sub: parent.author_sub, parent_id: parent.id, reply_id: reply.id, created_at: reply.created_at })
    .onConflict((oc) => oc.column('reply_id').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

function parseAfter(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'string' || !CURSOR_PATTERN.test(value)) {
    throw new CommentApiError('invalid_request', '`after` must be the cursor of a previous page, given once.');
  }
  return Number(value);
}

function excerptOf(body: string): string {
  return Array.from(body).slice(0, PARENT_EXCERPT_CHARACTERS).join('');
}

/** `GET /backchannel/replies?after=<cursor>`: the next page of notices, oldest first. */
export function replyNoticesRoute({ db, sites }: BackchannelRouteDeps): RequestHandler {
  return async (req, res) => {
    const after = parseAfter(req.query.after);
    const rows = await db
      .selectFrom('reply_notices as n')
      .innerJoin('comments as r', (join) => join.onRef('r.site_id', '=', 'n.site_id').onRef('r.id', '=', 'n.reply_id'))
      .innerJoin('comments as p', (join) => join.onRef('p.site_id', '=', 'n.site_id').onRef('p.id', '=', 'n.parent_id'))
      .leftJoin('bans as b', (join) => join.onRef('b.site_id', '=', 'n.site_id').onRef('b.sub', '=', 'r.author_sub'))
      .select([
        'n.seq',
        'n.site_id',
        'n.recipient_sub',
        'r.id as reply_id',
        'r.post_id',
        'r.author_name as reply_author_name',
        'r.body as reply_body',
        'r.created_at as reply_created_at',
        'r.page_url as reply_page_url',
        'r.hidden_at as reply_hidden_at',
        'r.deleted_at as reply_deleted_at',
        'r.pending_at as reply_pending_at',
        'p.id as parent_id',
        'p.body as parent_body',
        'p.created_at as parent_created_at',
        'p.page_url as parent_page_url',
        'p.hidden_at as parent_hidden_at',
        'p.deleted_at as parent_deleted_at',
        'p.pending_at as parent_pending_at',
        'b.sub as banned_sub',
      ])
      .where('n.seq', '>', after)
      .orderBy('n.seq')
      .limit(REPLIES_PAGE_SIZE + 1)
      .execute();
    const scanned = rows.slice(0, REPLIES_PAGE_SIZE);
    const replies: ReplyNotice[] = scanned
      .filter(
        (row) =>
          sites.has(row.site_id) &&
          row.banned_sub === null &&
          isVisible({ hidden_at: row.reply_hidden_at, deleted_at: row.reply_deleted_at, pending_at: row.reply_pending_at }) &&
          isVisible({ hidden_at: row.parent_hidden_at, deleted_at: row.parent_deleted_at, pending_at: row.parent_pending_at }),
      )
      .map((row) => ({
        id: String(row.seq),
        recipient: { site: row.site_id, sub: row.recipient_sub },
        postId: row.post_id,
        parent: { id: row.parent_id, createdAt: Number(row.parent_created_at), excerpt: excerptOf(row.parent_body) },
        reply: { id: row.reply_id, authorName: row.reply_author_name, body: row.reply_body, createdAt: Number(row.reply_created_at) },
        threadUrl: commentUrl(row.reply_page_url ?? row.parent_page_url, row.reply_id),
      }));
    const last = scanned[scanned.length - 1];
    const page: RepliesPage = { replies, cursor: String(last === undefined ? after : Number(last.seq)), moreAvailable: rows.length > REPLIES_PAGE_SIZE };
    res.set('Cache-Control', 'no-store').json(page);
  };
}
