import type { Insertable, Kysely } from 'kysely';
import type { CommentsSchema, CommentsTable } from '../schema';
import { importedText, type ImportPlan } from './import-plan';
import { IMPORTED_IDP, importedAuthorName, importedAuthorSub } from './imported-identity';
import type { ImportFormat, SourceComment } from './source-records';

/**
 * The second pass of an import: the comments the plan keeps, read again from the file, written
 * inside the caller's transaction. A post's comments are held until the last of them has been
 * read (the plan knows how many), then written in the plan's order: in a WordPress export that
 * is one `<item>` at a time; a Disqus export, which does not group comments by thread, may hold
 * more. A comment already in the database (same id: an earlier import of the same file) is left
 * as it is, so a second run adds nothing.
 */

/** Rows per INSERT: 12 columns each, well under both databases' limits on parameters. */
const ROWS_PER_INSERT = 200;

/** The file no longer says what the first pass read: nothing of this import may stay. */
export class ImportFileChangedError extends Error {
  constructor(detail: string) {
    super(`the file changed while it was being imported (${detail}); nothing was imported, run the import again`);
    this.name = 'ImportFileChangedError';
  }
}

export class ImportWriter {
  private readonly held = new Map<string, { rank: number; row: Insertable<CommentsTable> }[]>();
  private readonly seen = new Set<string>();
  private written = 0;
  private inserted = 0;

  constructor(
    private readonly db: Kysely<CommentsSchema>,
    private readonly siteId: string,
    private readonly format: ImportFormat,
    private readonly plan: ImportPlan,
    /** When pending comments are hidden: the import's own time. */
    private readonly now: number,
  ) {}

  async add(comment: SourceComment): Promise<void> {
    const planned = this.plan.comments.get(comment.sourceId);
    if (planned === undefined) return;
    if (this.seen.has(comment.sourceId)) throw new ImportFileChangedError(`comment ${comment.sourceId} appears twice`);
    this.seen.add(comment.sourceId);
    const row: Insertable<CommentsTable> = {
      id: planned.id,
      site_id: this.siteId,
      post_id: planned.postId,
      parent_id: planned.parentId,
      author_sub: importedAuthorSub(this.siteId, this.format, comment.authorKey),
      author_name: importedAuthorName(comment.authorName),
      author_picture: null,
      author_idp: IMPORTED_IDP,
      body: importedText(comment),
      created_at: comment.createdAt ?? 0,
      hidden_at: planned.hidden ? this.now : null,
      deleted_at: null,
    };
    const held = this.held.get(planned.postId) ?? [];
    if (held.length === 0) this.held.set(planned.postId, held);
    held.push({ rank: planned.rank, row });
    if (held.length === this.plan.perPost.get(planned.postId)) {
      this.held.delete(planned.postId);
      await this.write(held.sort((a, b) => a.rank - b.rank).map((entry) => entry.row));
    }
  }

  /** How many rows were new; throws when the file no longer held every planned comment. */
  finish(): { inserted: number; alreadyThere: number } {
    if (this.held.size > 0 || this.written !== this.plan.comments.size) {
      throw new ImportFileChangedError(`${this.plan.comments.size - this.seen.size} planned comments were not found again`);
    }
    return { inserted: this.inserted, alreadyThere: this.written - this.inserted };
  }

  private async write(rows: Insertable<CommentsTable>[]): Promise<void> {
    for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
      const batch = rows.slice(start, start + ROWS_PER_INSERT);
      const result = await this.db
        .insertInto('comments')
        .values(batch)
        .onConflict((conflict) => conflict.column('id').doNothing())
        .executeTakeFirst();
      this.inserted += Number(result.numInsertedOrUpdatedRows ?? 0);
      this.written += batch.length;
    }
  }
}
