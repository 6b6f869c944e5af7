import { moderationState, type ModerationState } from '../moderation';
import { presentAuthor } from '../presentation';
import type { CommentRow } from '../storage';
import type { ModerationActionRow } from './audit-log';

/**
 * How the moderation API shows comments and logged actions. Unlike the public thread it shows
 * every comment in whatever state, the author's pairwise subject (what a ban takes; it is the
 * site's own name for the commenter, the one `parley comments list` prints) and whether they are
 * banned. Text stays text: the page puts it in with textContent.
 */

export interface ModeratedComment {
  readonly id: string;
  readonly postId: string;
  readonly parentId: string | null;
  readonly author: { readonly sub: string; readonly name: string; readonly picture: string | null; readonly idp: string; readonly banned: boolean; readonly website?: string };
  readonly body: string;
  readonly createdAt: string;
  readonly state: ModerationState;
  /** Written by one of the site's authors ("bypostauthor"). */
  readonly byAuthor: boolean;
}

export interface LoggedAction {
  readonly id: string;
  readonly moderator: { readonly sub: string; readonly name: string };
  readonly action: string;
  readonly target: string;
  readonly at: string;
}

export function presentModeratedComment(row: CommentRow, banned: boolean): ModeratedComment {
  return {
    id: row.id,
    postId: row.post_id,
    parentId: row.parent_id,
    author: { sub: row.author_sub, ...presentAuthor(row), banned },
    body: row.body,
    createdAt: new Date(row.created_at).toISOString(),
    state: moderationState(row),
    byAuthor: row.by_author === 1,
  };
}

export function presentLoggedAction(row: ModerationActionRow): LoggedAction {
  return {
    id: String(row.seq),
    moderator: { sub: row.moderator_sub, name: row.moderator_name },
    action: row.action,
    target: row.target,
    at: new Date(row.created_at).toISOString(),
  };
}
