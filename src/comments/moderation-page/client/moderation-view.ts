import type { CommentAction, CommenterAction, LoggedAction, ModeratedComment } from './moderation-client';

/**
 * The moderation page's DOM: rows of comments with their one-click actions, and the log. Text
 * from the API goes in with textContent only (never as HTML), as the widget does.
 */

export type RowAction = { readonly kind: 'comment'; readonly action: CommentAction; readonly comment: ModeratedComment } | { readonly kind: 'commenter'; readonly action: CommenterAction; readonly comment: ModeratedComment } | { readonly kind: 'filter-author'; readonly comment: ModeratedComment };

const STATE_NAMES: Readonly<Record<ModeratedComment['state'], string>> = { visible: 'Visible', hidden: 'Hidden', deleted: 'Deleted', pending: 'Awaiting approval' };

const ACTION_NAMES: Readonly<Record<string, string>> = {
  hide: 'hid comment',
  unhide: 'showed comment',
  delete: 'deleted comment',
  approve: 'approved comment',
  ban: 'banned commenter',
  unban: 'lifted the ban on commenter',
};

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function when(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

function button(label: string, onClick: () => void, accessibleName?: string): HTMLButtonElement {
  const node = element('button', undefined, label);
  node.type = 'button';
  if (accessibleName) node.setAttribute('aria-label', accessibleName);
  node.addEventListener('click', onClick);
  return node;
}

/** One comment and its buttons; `act` runs when one is pressed. */
export function commentRow(comment: ModeratedComment, act: (action: RowAction) => void): HTMLLIElement {
  const row = element('li', `comment state-${comment.state}`);
  row.dataset['commentId'] = comment.id;
  const author = comment.author.name || '(erased)';

  const meta = element('p', 'meta');
  meta.append(element('strong', 'author', author));
  if (comment.byAuthor) meta.append(' ', element('span', 'badge author-badge', 'Post author'));
  if (comment.author.banned) meta.append(' ', element('span', 'badge banned', 'Banned'));
  meta.append(' on ', element('code', 'post', comment.postId), ' · ', element('time', undefined, when(comment.createdAt)), ' · ');
  meta.append(element('span', 'state', STATE_NAMES[comment.state]));
  row.append(meta);

  row.append(element('p', 'body', comment.state === 'deleted' ? '(deleted)' : comment.body));
  const subject = element('p', 'subject');
  subject.append('Commenter ', element('code', undefined, comment.author.sub), ` · ${comment.author.idp}`);
  if (comment.parentId) subject.append(' · reply to ', element('code', undefined, comment.parentId));
  row.append(subject);

  const actions = element('div', 'actions');
  const onComment = (action: CommentAction) => () => act({ kind: 'comment', action, comment });
  if (comment.state === 'pending') actions.append(button('Approve', onComment('approve'), `Approve the comment by ${author}`));
  if (comment.state === 'visible' || comment.state === 'pending') actions.append(button('Hide', onComment('hide'), `Hide the comment by ${author}`));
  if (comment.state === 'hidden') actions.append(button('Unhide', onComment('unhide'), `Unhide the comment by ${author}`));
  if (comment.state !== 'deleted') actions.append(button('Delete', onComment('delete'), `Delete the comment by ${author}`));
  const commenterAction: CommenterAction = comment.author.banned ? 'unban' : 'ban';
  actions.append(
    // Accessible names start with the visible text, so speech input finds the button by what it shows.
    button(comment.author.banned ? 'Unban author' : 'Ban author', () => act({ kind: 'commenter', action: commenterAction, comment }), `${comment.author.banned ? 'Unban' : 'Ban'} author ${author}`),
    button('Their comments', () => act({ kind: 'filter-author', comment }), `Their comments: only those by ${author}`),
  );
  row.append(actions);
  return row;
}

export function logRow(entry: LoggedAction): HTMLLIElement {
  const row = element('li', 'logged');
  row.append(element('time', undefined, when(entry.at)), ' ', element('strong', undefined, entry.moderator.name || entry.moderator.sub), ` ${ACTION_NAMES[entry.action] ?? entry.action} `, element('code', undefined, entry.target));
  return row;
}
