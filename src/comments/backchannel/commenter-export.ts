import type { ExportedComment } from '../../backchannel/protocol';
import type { CommentsDb } from '../database';
import { moderationState } from '../moderation';
import type { CommentRow } from '../storage';

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
    // The anchor the widget gives each comment (src/widget/comment-links.ts), as reply emails link it.
    url: row.page_url === null ? null : `${row.page_url}#parley-comment-${row.id}`,
  };
}

/** The rows of these subjects on one site, oldest first, a page at a time. */
export async function* commentsOfSubjects(db: CommentsDb, siteId: string, subs: readonly string[]): AsyncGenerator<CommentRow> {
  if (subs.length === 0) return;
  let afterSeq = 0;
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
