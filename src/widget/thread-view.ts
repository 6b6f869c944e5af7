import type { Comment } from './api';
import { avatar } from './avatar';
import { formatCommentDate } from './dates';
import { h } from './dom';
import { strings } from './strings';
import { commentText } from './text';
import { buildThread, type ThreadNode } from './thread-tree';

/**
 * Replies are indented this many levels deep, no further (the styles stop there): past it they
 * line up under the last indented reply and say whom they answer instead.
 */
export const MAX_INDENTED_DEPTH = 3;

/** The parts of a rendered comment the widget works with. */
export interface CommentView {
  readonly article: HTMLElement;
  readonly replyButton: HTMLButtonElement;
  /** Where the form goes when replying to this comment. */
  readonly slot: HTMLElement;
}

/** A moderated comment that still has replies: a placeholder keeps the thread's shape. */
function removedArticle(comment: Comment & { removed: 'hidden' | 'deleted' }): HTMLElement {
  return h('article', { class: 'removed' }, h('span', { class: 'avatar', 'aria-hidden': 'true' }), h('p', { class: 'muted' }, strings.removed(comment.removed)));
}

/** Where a comment sits: how deep, and under whom. */
interface Place {
  readonly depth: number;
  readonly parent: Comment | undefined;
}

interface Rendering {
  readonly now: number;
  readonly onReply: (comment: Comment) => void;
  readonly views: Map<string, CommentView>;
}

function withReplies(item: HTMLLIElement, node: ThreadNode, depth: number, rendering: Rendering): HTMLLIElement {
  if (node.replies.length > 0) item.appendChild(commentList(node.replies, { depth: depth + 1, parent: node.comment }, rendering, 'replies'));
  return item;
}

function commentItem(node: ThreadNode, place: Place, rendering: Rendering): HTMLLIElement {
  const views = rendering.views;
  const comment = node.comment;
  if (comment.removed) return withReplies(h('li', { class: 'comment' }, removedArticle({ ...comment, removed: comment.removed })), node, place.depth, rendering);
  const inReplyTo = place.depth > MAX_INDENTED_DEPTH && place.parent ? strings.inReplyTo(place.parent.removed ? strings.removedAuthor : place.parent.author.name) : undefined;
  const headingId = `parley-c-${views.size}`;
  const date = formatCommentDate(comment.createdAt, rendering.now, strings.locale);
  const replyButton = h('button', { type: 'button', class: 'reply-button', 'aria-describedby': headingId }, strings.reply);
  replyButton.addEventListener('click', () => rendering.onReply(comment));
  // A held comment cannot be answered until a moderator approves it (the service says 422).
  replyButton.hidden = comment.pending === true;
  const slot = h('div', { class: 'reply-slot' });
  const article = h(
    'article',
    { tabindex: '-1', 'aria-labelledby': headingId },
    avatar(comment.author.name, comment.author.picture),
    h(
      'div',
      { class: 'meta', id: headingId },
      h('span', { class: 'name' }, comment.author.name),
      comment.byAuthor === true && h('span', { class: 'by-author' }, strings.byAuthor),
      comment.author.idp && h('span', { class: 'via' }, strings.via(comment.author.idp)),
      comment.pending === true && h('span', { class: 'pending-note' }, strings.awaitingApproval),
      inReplyTo && h('span', { class: 'in-reply-to' }, inReplyTo),
      date && h('time', { datetime: comment.createdAt, title: date.full }, date.text),
    ),
    h('div', { class: 'body' }, commentText(comment.body)),
    replyButton,
    slot,
  );
  views.set(comment.id, { article, replyButton, slot });
  return withReplies(h('li', { class: 'comment' }, article), node, place.depth, rendering);
}

function commentList(nodes: readonly ThreadNode[], place: Place, rendering: Rendering, className: string): HTMLOListElement {
  const list = h('ol', { class: className });
  for (const node of nodes) list.appendChild(commentItem(node, place, rendering));
  return list;
}

/** Renders the whole thread; returns the list and each comment's view by id. */
export function renderThread(comments: readonly Comment[], now: number, onReply: (comment: Comment) => void): { list: HTMLOListElement; views: Map<string, CommentView> } {
  const views = new Map<string, CommentView>();
  const list = commentList(buildThread(comments), { depth: 0, parent: undefined }, { now, onReply, views }, 'comments');
  return { list, views };
}
