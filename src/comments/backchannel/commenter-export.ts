import { commentUrl, type ExportedComment } from '../../backchannel/protocol';
import type { CommentsDb } from '../database';
import { moderationState } from '../moderation';
import type { CommentRow } from '../storage';
import { CommentApiError } from '../errors';

/**
 * A commenter's comments as the back-channel export gives them (protocol.ts ExportedComment):
 * every state, a hidden one with its text (it is still stored, and it is theirs), a deleted one
 * with none (deleting erased it). Read a page at a time in insertion order, so a commenter of
 * ten thousand comments never costs more than a page of rows at once.
 */

const PAGE_SIZE = 500;

export function exportedComment(row: CommentRow): ExportedComment {
  const state = moderationState(row);
  return {
    site: row.site_id,
    postId: row.post_id,
    id: row.id,
    parentId: row.parent_id,
    body: state === 'deleted' ? '' : row.body,
    createdAt: row.created_at,
    editedAt: row.edited_at,
    state,
    authorName: row.author_name,
    notifyReplies: row.notify_replies === 1,
    url: commentUrl(row.page_url, row.id),
  };
}

/** The rows of these subjects on one site, oldest first, a page at a time. */
export async function* commentsOfSubjects(db: CommentsDb, siteId: string, subs: readonly string[], afterSeq = 0): AsyncGenerator<CommentRow> {
  if (subs.length === 0) return;
  for (;;) {
    const page = await db
      .selectFrom('comments')
      .selectAll()
      .where('site_id', '=', siteId)
      .where('author_sub', 'in', subs)
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(PAGE_SIZE)
      .execute();
    yield* page;
    if (page.length < PAGE_SIZE) return;
    afterSeq = page[page.length - 1]!.seq;
  }
}

/** Where an export page ended: the last comment's site and `seq`. */
export interface ExportPosition {
  readonly site: string;
  readonly seq: number;
}

export function exportCursor(position: ExportPosition): string {
  return Buffer.from(JSON.stringify([position.site, position.seq])).toString('base64url');
}

/** The position an `after` names; undefined without one; throws on one this service did not write. */
export function parseExportCursor(after: unknown): ExportPosition | undefined {
  if (after === undefined || after === null) return undefined;
  try {
    if (typeof after !== 'string' || after.length > 400) throw new Error('not a cursor');
    const [site, seq] = JSON.parse(Buffer.from(after, 'base64url').toString('utf8')) as unknown[];
    if (typeof site !== 'string' || typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) throw new Error('not a cursor');
    return { site, seq };
  } catch {
    throw new CommentApiError('invalid_request', '"after" must be the cursor of an earlier export page.');
  }
}
