import type { Comment } from './api';
import { avatar } from './avatar';
import { commentAnchorId } from './comment-links';
import { formatCommentDate } from './dates';
import { h } from './dom';
import { editTimeLeft, isOwnComment } from './own-comments';
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
  /** The text, which an edit replaces with its editor. */
  readonly body: HTMLElement;
  /** Reply, and on the reader's own comments Edit (while it may be edited) and Delete. */
  readonly actions: HTMLElement;
  readonly editButton: HTMLButtonElement | undefined;
  readonly deleteButton: HTMLButtonElement | undefined;
  /** The id of the comment's heading, which names its buttons' comment. */
  readonly headingId: string;
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

/** What the thread does when a comment's buttons are pressed. */
export interface ThreadActions {
  readonly onReply: (comment: Comment) => void;
  readonly onEdit: (comment: Comment) => void;
  readonly onDelete: (comment: Comment) => void;
}

interface Rendering extends ThreadActions {
  readonly now: number;
  /** The reader's author key (own-comments.ts): their comments get Edit and Delete. */
  readonly readerKey: string | undefined;
  readonly views: Map<string, CommentView>;
}

function withReplies(item: HTMLLIElement, node: ThreadNode, depth: number, rendering: Rendering): HTMLLIElement {
  if (node.replies.length > 0) item.appendChild(commentList(node.replies, { depth: depth + 1, parent: node.comment }, rendering, 'replies'));
  return item;
}

/**
 * The author's name; a guest's website makes it a link (only ever http(s): api.ts checked), and
 * `nofollow ugc` tells search engines a stranger put it there, as WordPress does.
 */
function authorName(comment: Comment): HTMLElement {
  const website = comment.author.website;
  if (website === undefined) return h('span', { class: 'name' }, comment.author.name);
  return h('a', { class: 'name', href: website, rel: 'nofollow ugc noopener' }, comment.author.name);
}

function commentItem(node: ThreadNode, place: Place, rendering: Rendering): HTMLLIElement {
  const views = rendering.views;
  const comment = node.comment;
  // A removed comment keeps its anchor: a link to it still lands at its place in the thread.
  if (comment.removed) return withReplies(h('li', { class: 'comment', id: commentAnchorId(comment.id) }, removedArticle({ ...comment, removed: comment.removed })), node, place.depth, rendering);
  const inReplyTo = place.depth > MAX_INDENTED_DEPTH && place.parent ? strings.inReplyTo(place.parent.removed ? strings.removedAuthor : place.parent.author.name) : undefined;
  const headingId = `parley-c-${views.size}`;
  const date = formatCommentDate(comment.createdAt, rendering.now, strings.locale);
  const replyButton = h('button', { type: 'button', class: 'reply-button', 'aria-describedby': headingId }, strings.reply);
  replyButton.addEventListener('click', () => rendering.onReply(comment));
  // A held comment cannot be answered until a moderator approves it (the service says 422).
  replyButton.hidden = comment.pending === true;
  const own = isOwnComment(comment, rendering.readerKey);
  const editButton = own && editTimeLeft(comment, rendering.now) > 0 ? h('button', { type: 'button', class: 'reply-button', 'aria-describedby': headingId }, strings.edit) : undefined;
  editButton?.addEventListener('click', () => rendering.onEdit(comment));
  const deleteButton = own ? h('button', { type: 'button', class: 'reply-button', 'aria-describedby': headingId }, strings.delete) : undefined;
  deleteButton?.addEventListener('click', () => rendering.onDelete(comment));
  const edited = comment.editedAt === undefined ? undefined : formatCommentDate(comment.editedAt, rendering.now, strings.locale);
  const body = h('div', { class: 'body' }, commentText(comment.body));
  const actions = h('div', { class: 'comment-actions' }, replyButton, editButton, deleteButton);
  const slot = h('div', { class: 'reply-slot' });
  const article = h(
    'article',
    { tabindex: '-1', 'aria-labelledby': headingId },
    avatar(comment.author.name, comment.author.picture),
    h(
      'div',
      { class: 'meta', id: headingId },
      authorName(comment),
      comment.byAuthor === true && h('span', { class: 'by-author' }, strings.byAuthor),
      comment.author.idp && h('span', { class: 'via' }, strings.via(comment.author.idp)),
      comment.author.guest === true && h('span', { class: 'via' }, strings.guest),
      comment.pending === true && h('span', { class: 'pending-note' }, strings.awaitingApproval),
      inReplyTo && h('span', { class: 'in-reply-to' }, inReplyTo),
      date && h('time', { datetime: comment.createdAt, title: date.full }, date.text),
      comment.editedAt !== undefined && h('span', { class: 'edited', title: edited ? strings.editedAt(edited.full) : undefined }, strings.edited),
    ),
    body,
    actions,
    slot,
  );
  views.set(comment.id, { article, replyButton, body, actions, editButton, deleteButton, headingId, slot });
  // The anchor a reply email links to (comment-links.ts); the item holds the comment's replies too.
  return withReplies(h('li', { class: 'comment', id: commentAnchorId(comment.id) }, article), node, place.depth, rendering);
}

function commentList(nodes: readonly ThreadNode[], place: Place, rendering: Rendering, className: string): HTMLOListElement {
  const list = h('ol', { class: className });
  for (const node of nodes) list.appendChild(commentItem(node, place, rendering));
  return list;
}

/** Renders the whole thread; returns the list and each comment's view by id. */
export function renderThread(
  comments: readonly Comment[],
  now: number,
  readerKey: string | undefined,
  actions: ThreadActions,
): { list: HTMLOListElement; views: Map<string, CommentView> } {
  const views = new Map<string, CommentView>();
  const list = commentList(buildThread(comments), { depth: 0, parent: undefined }, { ...actions, now, readerKey, views }, 'comments');
  return { list, views };
}
