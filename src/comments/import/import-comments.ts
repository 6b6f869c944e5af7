import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../../store/postgres';
import type { CommentsSchema } from '../schema';
import { ImportWriter } from './comment-writer';
import { DISQUS_RECORDS, DISQUS_ROOT, mapDisqusRecord } from './disqus';
import { ImportPlanner, type ImportCounts, type ImportPlan, type ImportProblem } from './import-plan';
import type { ImportFormat, SourceRecord } from './source-records';
import { WXR_RECORDS, WXR_ROOT, mapWxrRecord } from './wxr';
import { readXmlRecords, XmlReadError, type RecordSelection, type XmlElement } from './xml-reader';

/**
 * `parley comments import <site> <file>`: a WordPress (WXR) or Disqus export into a site's
 * comments, all or nothing (docs/import.md).
 *
 * The file is read twice as a stream, never whole: the first pass checks everything and plans
 * (import-plan.ts), writing nothing; the second, only when the first found no problem, writes the
 * planned comments in one transaction (comment-writer.ts). A dry run stops after the first pass
 * and says how many comments are new. The size cap is checked before anything is read, and again
 * while reading (a file that grows meanwhile).
 */

export const DEFAULT_MAX_IMPORT_BYTES = 512 * 2 ** 20;

export interface ImportOptions {
  readonly siteId: string;
  readonly file: string;
  /** Told by the file's root element when absent. */
  readonly format?: ImportFormat | undefined;
  readonly dryRun?: boolean;
  readonly maxBytes?: number;
}

export interface ImportResult {
  readonly format: ImportFormat;
  readonly bytes: number;
  readonly counts: ImportCounts;
  /** Comments written now (or that a dry run would write). */
  readonly added: number;
  /** Comments an earlier import of the same file already wrote. */
  readonly alreadyThere: number;
  readonly dryRun: boolean;
}

/** The file was refused: every problem, with its line (0 when it concerns the whole file). */
export class ImportRefusedError extends Error {
  constructor(
    readonly problems: readonly ImportProblem[],
    message = problems.length === 1 && problems[0]!.line === 0 ? problems[0]!.message : `${problems.length} problem${problems.length === 1 ? '' : 's'} in the file`,
  ) {
    super(message);
    this.name = 'ImportRefusedError';
  }
}

const refuse = (message: string, line = 0): never => {
  throw new ImportRefusedError([{ line, message }]);
};

const FORMATS: Readonly<Record<ImportFormat, { root: string; records: RecordSelection; map: (element: XmlElement) => Iterable<SourceRecord>; label: string }>> = {
  wxr: { root: WXR_ROOT, records: WXR_RECORDS, map: mapWxrRecord, label: 'a WordPress export (WXR, root <rss>)' },
  disqus: { root: DISQUS_ROOT, records: DISQUS_RECORDS, map: mapDisqusRecord, label: 'a Disqus export (root <disqus>)' },
};

/** Records of whichever format the root names: the format is not known before the root is read. */
const EITHER_FORMAT: RecordSelection = {
  isRecord: (path, name) => Object.values(FORMATS).some((format) => path[0] === format.root && format.records.isRecord(path, name)),
  dropText: new Set(Object.values(FORMATS).flatMap((format) => [...(format.records.dropText ?? [])])),
};

const READ_CHUNK_BYTES = 256 * 1024;
/** Ids looked up per query by a dry run. */
const IDS_PER_LOOKUP = 500;

export async function importComments(db: Kysely<CommentsSchema>, options: ImportOptions): Promise<ImportResult> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_IMPORT_BYTES;
  const before = await checkedFile(options.file, maxBytes);
  const { format, plan } = await planImport(options, maxBytes);
  if (options.dryRun === true) {
    const alreadyThere = await countExisting(db, [...plan.comments.values()].map((comment) => comment.id));
    return { format, bytes: before.size, counts: plan.counts, added: plan.counts.comments - alreadyThere, alreadyThere, dryRun: true };
  }
  const now = Date.now();
  const postgres = isPostgres(db);
  const { inserted, alreadyThere } = await db.transaction().execute(async (trx) => {
    if (postgres) {
      // The service's pool ends a transaction left idle for 10 s (a vanished client); this one
      // may be idle while a long Disqus thread is read, and is ended only by its own outcome.
      await sql`set local idle_in_transaction_session_timeout = 0`.execute(trx);
    }
    const after = await checkedFile(options.file, maxBytes);
    if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) refuse('the file changed while it was being imported; nothing was imported, run the import again');
    const writer = new ImportWriter(trx, options.siteId, format, plan, now);
    for await (const record of sourceRecords(options.file, maxBytes, format)) {
      if (record.kind === 'comment') await writer.add(record);
    }
    return writer.finish();
  });
  return { format, bytes: before.size, counts: plan.counts, added: inserted, alreadyThere, dryRun: false };
}

async function checkedFile(file: string, maxBytes: number): Promise<fs.Stats> {
  let stats: fs.Stats;
  try {
    stats = await fs.promises.stat(file);
  } catch (error) {
    return refuse(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  // A device or a pipe (/dev/zero, a FIFO) has no size to check, and may never end.
  if (!stats.isFile()) refuse(`${file} is not a regular file`);
  if (stats.size > maxBytes) refuse(`${file} is ${megabytes(stats.size)}; imports read at most ${megabytes(maxBytes)} (--max-size raises the limit)`);
  return stats;
}

const megabytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 2 : 0)} MB`;

/** The first pass: the format, and the plan or every problem. */
async function planImport(options: ImportOptions, maxBytes: number): Promise<{ format: ImportFormat; plan: ImportPlan }> {
  let format: ImportFormat | undefined;
  let planner: ImportPlanner | undefined;
  try {
    for await (const event of readXmlRecords(fileText(options.file, maxBytes), EITHER_FORMAT)) {
      if (event.kind === 'root') {
        format = formatOf(event.name, options.format, event.line);
        planner = new ImportPlanner(options.siteId, format);
      } else {
        for (const record of FORMATS[format!].map(event.element)) planner!.add(record);
      }
    }
  } catch (error) {
    if (error instanceof XmlReadError) refuse(error.refused ? error.message : `the file is not well-formed XML: ${error.message}`, error.line);
    throw error;
  }
  if (format === undefined || planner === undefined) return refuse('the file has no XML element');
  const outcome = planner.finish();
  if (!outcome.ok) throw new ImportRefusedError(outcome.problems);
  return { format, plan: outcome.plan };
}

function formatOf(root: string, asked: ImportFormat | undefined, line: number): ImportFormat {
  const found = (Object.keys(FORMATS) as ImportFormat[]).find((format) => FORMATS[format].root === root);
  if (found === undefined) return refuse(`the file's root element is <${root}>: it is neither ${FORMATS.wxr.label} nor ${FORMATS.disqus.label}`, line);
  if (asked !== undefined && asked !== found) return refuse(`--format ${asked} was asked, but the file is ${FORMATS[found].label}`, line);
  return found;
}

/** The second pass's records; the first pass found the file sound, so an error now is a change. */
async function* sourceRecords(file: string, maxBytes: number, format: ImportFormat): AsyncGenerator<SourceRecord> {
  for await (const event of readXmlRecords(fileText(file, maxBytes), FORMATS[format].records)) {
    if (event.kind === 'record') yield* FORMATS[format].map(event.element);
  }
}

/** The file's text as a stream of UTF-8-decoded chunks, stopping past `maxBytes`. */
async function* fileText(file: string, maxBytes: number): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let bytes = 0;
  let first = true;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: READ_CHUNK_BYTES }) as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > maxBytes) refuse(`${file} grew past ${megabytes(maxBytes)} while it was read`);
    let text = decoder.write(chunk);
    // A byte order mark is not part of the document.
    if (first && text.length > 0) {
      first = false;
      if (text.startsWith('\uFEFF')) text = text.slice(1);
    }
    yield text;
  }
  yield decoder.end();
}

async function countExisting(db: Kysely<CommentsSchema>, ids: readonly string[]): Promise<number> {
  let count = 0;
  for (let start = 0; start < ids.length; start += IDS_PER_LOOKUP) {
    const rows = await db.selectFrom('comments').select('id').where('id', 'in', ids.slice(start, start + IDS_PER_LOOKUP)).execute();
    count += rows.length;
  }
  return count;
}
