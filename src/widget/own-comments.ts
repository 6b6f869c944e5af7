import type { Comment } from './api';
import { bytesToBase64url } from './base64url';

/**
 * Which comments are the reader's own, so the thread offers Edit and Delete on them.
 *
 * The service never serves a commenter's `sub`; it sends with each comment an `authorKey`, the
 * first 16 characters of base64url(SHA-256(site + "\n" + sub)), and the widget computes the same
 * from the `sub` of its own access token. A key is not a proof: the service checks the token on
 * every edit and delete, so a forged key only shows buttons that would be refused (403).
 *
 * Limits: without WebCrypto (a page on plain http other than localhost) there is no key, and
 * the reader sees no Edit or Delete; a comment posted under another login (another provider
 * gives another `sub`) is not the reader's as far as the service is concerned either.
 */

/** As the service cuts it (src/comments/presentation.ts). */
const AUTHOR_KEY_LENGTH = 16;

/** How long after posting a comment may be edited: the service's rule, shown to the reader. */
export const EDIT_WINDOW_MS = 15 * 60 * 1000;

/** The reader's author key on this site, or undefined when it cannot be computed here. */
export async function readerAuthorKey(siteId: string, sub: string): Promise<string | undefined> {
  try {
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${siteId}\n${sub}`));
    return bytesToBase64url(new Uint8Array(digest)).slice(0, AUTHOR_KEY_LENGTH);
  } catch {
    return undefined;
  }
}

export function isOwnComment(comment: Comment, readerKey: string | undefined): boolean {
  return readerKey !== undefined && !comment.removed && comment.authorKey === readerKey;
}

/** Milliseconds left to edit the comment (0 when the window has closed, or the date is unreadable). */
export function editTimeLeft(comment: Comment, now: number): number {
  const created = Date.parse(comment.createdAt);
  if (Number.isNaN(created)) return 0;
  return Math.max(0, created + EDIT_WINDOW_MS - now);
}
