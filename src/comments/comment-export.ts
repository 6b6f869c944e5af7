import type { Kysely } from 'kysely';
import { moderationState, type ModerationState } from './moderation';
import { presentAuthor } from './presentation';
import type { CommentsSchema } from './schema';

/**
 * `parley comments export <site>`: every comment of a site as JSON Lines (one JSON object per
 * line, UTF-8, oldest first), so that a blog owner is never locked in. The format is documented in
 * docs/export.md; a line is:
 *
 *   { "id", "site", "post", "parentId" (null at top level), "author": { "sub", "name", "picture",
 *     "idp", "website" (a guest's, when given) }, "body", "createdAt" (ISO 8601), "state" ("visible" | "hidden" | "deleted" | "pending"),
 *     "hiddenAt", "deletedAt" (ISO 8601 or null) }
 *
 * Hidden comments keep their text (the owner may want it); deleted ones have none left to give.
 * Read in pages by insertion order, never loaded whole: a site of a million comments costs a page
 * of memory, and a comment written meanwhile is either in the export or after it, never half.
 */
export interface ExportedComment {
  readonly id: string;
  readonly site: string;
  readonly post: string;
  readonly parentId: string | null;
  readonly author: { readonly sub: string; readonly name: string; readonly picture: string | null; readonly idp: string; readonly website?: string };
  readonly body: string;
  readonly createdAt: string;
  readonly state: ModerationState;
  readonly hiddenAt: string | null;
  readonly deletedAt: string | null;
}

const PAGE_SIZE = 1000;

const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Writes each line through `write`, which may return a promise (to wait for a slow reader). */
export async function exportComments(db: Kysely<CommentsSchema>, siteId: string, write: (line: string) => void | Promise<void>): Promise<number> {
  let after = 0;
  let count = 0;
  for (;;) {
    const rows = await db.selectFrom('comments').selectAll().where('site_id', '=', siteId).where('seq', '>', after).orderBy('seq').limit(PAGE_SIZE).execute();
    for (const row of rows) {
      const line: ExportedComment = {
        id: row.id,
        site: row.site_id,
        post: row.post_id,
        parentId: row.parent_id,
        author: { sub: row.author_sub, ...presentAuthor(row) },
        body: row.body,
        createdAt: new Date(row.created_at).toISOString(),
        state: moderationState(row),
        hiddenAt: isoOrNull(row.hidden_at),
        deletedAt: isoOrNull(row.deleted_at),
      };
      await write(`${JSON.stringify(line)}\n`);
      count += 1;
    }
    if (rows.length < PAGE_SIZE) return count;
    after = Number(rows[rows.length - 1]!.seq);
  }
}
