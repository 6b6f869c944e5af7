import type { Comment } from './api';
import { avatar } from './avatar';
import { formatCommentDate } from './dates';
import { h } from './dom';
import { strings } from './strings';
import { commentText } from './text';
import { buildThread, type ThreadNode } from './thread-tree';

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

function withReplies(item: HTMLLIElement, node: ThreadNode, now: number, onReply: (comment: Comment) => void, views: Map<string, CommentView>): HTMLLIElement {
  if (node.replies.length > 0) item.appendChild(commentList(node.replies, now, onReply, views, 'replies'));
  return item;
}

function commentItem(node: ThreadNode, now: number, onReply: (comment: Comment) => void, views: Map<string, CommentView>): HTMLLIElement {
  const comment = node.comment;
  if (comment.removed) return withReplies(h('li', { class: 'comment' }, removedArticle({ ...comment, removed: comment.removed })), node, now, onReply, views);
  const headingId = `parley-c-${views.size}`;
  const date = formatCommentDate(comment.createdAt, now, strings.locale);
  const replyButton = h('button', { type: 'button', class: 'reply-button', 'aria-describedby': headingId }, strings.reply);
  replyButton.addEventListener('click', () => onReply(comment));
  const slot = h('div', { class: 'reply-slot' });
  const article = h(
    'article',
    { tabindex: '-1', 'aria-labelledby': headingId },
    avatar(comment.author.name, comment.author.picture),
    h(
      'div',
      { class: 'meta', id: headingId },
      h('span', { class: 'name' }, comment.author.name),
      comment.author.idp && h('span', { class: 'via' }, strings.via(comment.author.idp)),
      date && h('time', { datetime: comment.createdAt, title: date.full }, date.text),
    ),
    h('div', { class: 'body' }, commentText(comment.body)),
    replyButton,
    slot,
  );
  views.set(comment.id, { article, replyButton, slot });
  return withReplies(h('li', { class: 'comment' }, article), node, now, onReply, views);
}

function commentList(nodes: readonly ThreadNode[], now: number, onReply: (comment: Comment) => void, views: Map<string, CommentView>, className: string): HTMLOListElement {
  const list = h('ol', { class: className });
  for (const node of nodes) list.appendChild(commentItem(node, now, onReply, views));
  return list;
}

/** Renders the whole thread; returns the list and each comment's view by id. */
export function renderThread(comments: readonly Comment[], now: number, onReply: (comment: Comment) => void): { list: HTMLOListElement; views: Map<string, CommentView> } {
  const views = new Map<string, CommentView>();
  const list = commentList(buildThread(comments), now, onReply, views, 'comments');
  return { list, views };
}
