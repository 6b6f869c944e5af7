import { createHash } from 'node:crypto';
import { codePointLength, sanitiseCommentText } from '../text';
import type { ImportFormat } from './source-records';

/**
 * Who and what an imported comment is, derived only from the export, so that importing the same
 * file twice names everything the same way (and the second time adds nothing).
 *
 * - A comment's id: 16 base64url characters of SHA-256 over (site, format, source id), the same
 *   shape as the ids the service makes (storage.ts), so nothing tells them apart.
 * - An imported author's subject: `imported:<format>:` and 22 base64url characters of SHA-256
 *   over (site, format, what tells the author apart). The gateway's pairwise subjects are 43
 *   base64url characters, which never contain ":", so no token can ever carry an imported
 *   author's subject: nobody can post, edit or delete as them, whatever name they sign in with.
 *   The export's email address (when that is what tells an author apart) is hashed, never kept.
 * - Their `idp` is `imported`: the widget shows the name without a provider.
 */

export const IMPORTED_IDP = 'imported';
export const IMPORTED_SUB_PREFIX = 'imported:';
/** The longest author name kept (a display name, not an essay). */
export const MAX_AUTHOR_NAME_CODE_POINTS = 100;
const ANONYMOUS = 'Anonymous';

function digest(...parts: string[]): string {
  // NUL never appears in a site id, a format or an XML text, so the parts cannot run together.
  return createHash('sha256').update(parts.join('\0')).digest('base64url');
}

export function importedCommentId(siteId: string, format: ImportFormat, sourceId: string): string {
  return digest('parley-import-comment', siteId, format, sourceId).slice(0, 16);
}

export function importedAuthorSub(siteId: string, format: ImportFormat, authorKey: string): string {
  return `${IMPORTED_SUB_PREFIX}${format}:${digest('parley-import-author', siteId, format, authorKey).slice(0, 22)}`;
}

/** The name as shown: one line, bounded, "Anonymous" when the export has none. */
export function importedAuthorName(name: string): string {
  const line = sanitiseCommentText(name.replace(/\s+/g, ' '));
  if (line === '') return ANONYMOUS;
  return codePointLength(line) <= MAX_AUTHOR_NAME_CODE_POINTS ? line : `${Array.from(line).slice(0, MAX_AUTHOR_NAME_CODE_POINTS - 1).join('')}…`;
}
