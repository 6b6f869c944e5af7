import { createHash } from 'node:crypto';
import type { CommentRow } from './storage';

/**
 * How stored comments look in the API.
 *
 * A visible comment has exactly the contract's fields. A hidden or deleted comment is listed only
 * while a visible reply (at any depth) hangs under it, as a placeholder that keeps the thread's
 * shape: its id, parentId and createdAt, `author: null`, `body: ""` and `state` saying why. With
 * no visible reply below it, it is left out altogether.
 *
 * A comment held for approval (pre-moderation) is listed only to those the caller names (its
 * author, the site's moderators), with `state: "pending"`; to everyone else it does not exist.
 * Nobody can reply to it, so it never has to stand as a placeholder. A comment by one of the
 * site's authors says so with `byAuthor: true` (absent otherwise).
 *
 * Every visible comment carries `authorKey` (see `authorKeyOf`) so the widget can offer Edit and
 * Delete on the reader's own comments, and an edited one its `editedAt` (absent otherwise).
 */

/** 16 base64url characters, 96 bits: no collisions among a site's commenters in practice. */
const AUTHOR_KEY_LENGTH = 16;

/**
 * base64url(SHA-256(site + "\n" + sub)), cut to AUTHOR_KEY_LENGTH characters: the same for every
 * comment of one commenter on one site, so a widget that holds the commenter's token (and so
 * their `sub`) recognises their comments by computing it, while the API still never serves the
 * `sub` itself. It does let anyone see which comments of a site share an author, which the
 * author's name mostly showed already; a pairwise `sub` differs per site, so keys do not link
 * a commenter across sites.
 */
export function authorKeyOf(siteId: string, sub: string): string {
  return createHash('sha256').update(`${siteId}\n${sub}`).digest('base64url').slice(0, AUTHOR_KEY_LENGTH);
}

export interface ApiAuthor {
  readonly name: string;
  /** An https URL, or null when the commenter has none. */
  readonly picture: string | null;
  readonly idp: string;
  /** A guest's website (idp `guest`), an http(s) URL to show as a `rel="nofollow ugc"` link; absent otherwise. */
  readonly website?: string;
}

/**
 * The author as every view shows them (the public thread, the moderation API, the export); the
 * views that may name the commenter add their `sub` themselves.
 */
export function presentAuthor(row: CommentRow): ApiAuthor {
  return {
    name: row.author_name,
    picture: row.author_picture,
    idp: row.author_idp,
    ...(row.author_website !== null ? { website: row.author_website } : {}),
  };
}

export interface ApiComment {
  readonly id: string;
  readonly parentId: string | null;
  readonly author: ApiAuthor;
  readonly body: string;
  /** ISO 8601, UTC. */
  readonly createdAt: string;
  /** Who wrote it, as `authorKeyOf` says: equal keys, same commenter. */
  readonly authorKey: string;
  /** ISO 8601, UTC: when its author last changed the text; absent when never. */
  readonly editedAt?: string;
  /** Held until a moderator approves it; shown only to its author and the moderators. */
  readonly state?: 'pending';
  /** Written by one of the site's authors (WordPress's "bypostauthor"). */
  readonly byAuthor?: true;
}

export type RemovedState = 'hidden' | 'deleted';

export interface ApiRemovedComment {
  readonly id: string;
  readonly parentId: string | null;
  readonly author: null;
  readonly body: '';
  readonly createdAt: string;
  readonly state: RemovedState;
}

export type ApiThreadEntry = ApiComment | ApiRemovedComment;

export function removedState(row: CommentRow): RemovedState | undefined {
  if (row.deleted_at !== null) return 'deleted';
  if (row.hidden_at !== null) return 'hidden';
  return undefined;
}

export function presentComment(row: CommentRow): ApiComment {
  return {
    id: row.id,
    parentId: row.parent_id,
    author: presentAuthor(row),
    body: row.body,
    createdAt: new Date(row.created_at).toISOString(),
    authorKey: authorKeyOf(row.site_id, row.author_sub),
    ...(row.edited_at !== null ? { editedAt: new Date(row.edited_at).toISOString() } : {}),
    ...(row.pending_at !== null ? { state: 'pending' as const } : {}),
    ...(row.by_author === 1 ? { byAuthor: true as const } : {}),
  };
}

/** Nobody sees held comments: the public thread, the one the cache keeps. */
const NO_PENDING = (): boolean => false;

/**
 * The thread as the API lists it; `rows` in creation order, as CommentStore.thread returns them.
 * `showsPending` says which held comments this reader may see (see pre-moderation.ts).
 */
export function presentThread(rows: readonly CommentRow[], showsPending: (row: CommentRow) => boolean = NO_PENDING): ApiThreadEntry[] {
  // A reply is always written after its parent, so one pass from the end sees every reply
  // before its parent and can mark the parents that must stay as placeholders.
  const needed = new Set<string>();
  const kept: ApiThreadEntry[] = [];
  for (let index = rows.length - 1; index >= 0; index -= 1) {
    const row = rows[index]!;
    const state = removedState(row);
    if (state === undefined && row.pending_at !== null && !showsPending(row)) continue;
    if (state !== undefined && !needed.has(row.id)) continue;
    if (row.parent_id !== null) needed.add(row.parent_id);
    kept.push(
      state === undefined
        ? presentComment(row)
        : {
            id: row.id,
            parentId: row.parent_id,
            author: null,
            body: '',
            createdAt: new Date(row.created_at).toISOString(),
            state,
          },
    );
  }
  return kept.reverse();
}
