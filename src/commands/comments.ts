import type { Settings } from '../config/settings';
import { createCommentService, type CommentService } from '../comments/service';
import type { CommentServiceOptions } from '../comments/options';
import { openCommentsDatabase } from '../comments/database';
import { Moderation, moderationState, type ModerationOutcome } from '../comments/moderation';
import { ModerationLog, type ModerationActionName } from '../comments/moderation-page/audit-log';
import { exportComments } from '../comments/comment-export';
import { DEFAULT_MAX_IMPORT_BYTES, importComments, ImportRefusedError } from '../comments/import/import-comments';
import { describeImport, describeRefusal } from '../comments/import/import-report';
import type { ImportFormat } from '../comments/import/source-records';
import { COMMENT_ID_PATTERN, POST_ID_PATTERN } from '../comments/validation';
import { listen, type RunningServer } from '../http/listen';
import { parseEmailAddress } from '../mail/address';
import { guestEmailHash, guestSubjectsByEmail } from '../comments/guest-comments';
import { eraseCommentersAtSite } from '../comments/backchannel/commenter-erasure';
import { UsageError } from './usage-error';
import { parseCommandLine } from './command-line';
import { COMMENTS_COMMAND_LINE, COMMENTS_USAGE } from './usage';


export interface RunningCommentService {
  readonly service: CommentService;
  readonly server: RunningServer;
  close(): Promise<void>;
}

export interface RunCommentsOptions {
  /** Where the command's output goes; default console.log. */
  readonly print?: (line: string) => void;
  /** Interface to listen on; default all in production, loopback otherwise (as the gateway). */
  readonly host?: string;
  readonly serviceOptions?: CommentServiceOptions;
  /** Where `export` writes its JSON Lines; default standard output. */
  readonly output?: NodeJS.WritableStream;
  /** Where `export` says what it did (not on the output, which stays pure JSON Lines); default stderr. */
  readonly report?: (line: string) => void;
}

/** Longest subject a ban accepts: far above the gateway's (43 characters of base64url). */
const MAX_SUB_LENGTH = 255;

/**
 * One moderation action on the database: what to print once it is committed, and the outcome
 * (`done` goes into the moderation log, as the moderation page's actions do).
 */
type Action = (moderation: Moderation, siteId: string, argument: string) => Promise<{ readonly lines: readonly string[]; readonly outcome?: ModerationOutcome }>;

/** Who the moderation log names for actions taken with `parley comments` on the server. */
export const COMMAND_LINE_MODERATOR = Object.freeze({ sub: 'cli', name: 'the command line (parley comments)' });

function report(outcome: ModerationOutcome, what: string, messages: { done: string; unchanged: string }): { lines: string[]; outcome: ModerationOutcome } {
  switch (outcome) {
    case 'done':
      return { lines: [messages.done], outcome };
    case 'unchanged':
      return { lines: [messages.unchanged], outcome };
    case 'not_found':
      throw new UsageError(`${what} does not exist`);
    case 'deleted':
      throw new UsageError(`${what} was deleted; a deleted comment cannot be hidden or shown again`);
  }
}

const ACTIONS: Readonly<Record<string, Action>> = {
  async list(moderation, siteId, postId) {
    if (!POST_ID_PATTERN.test(postId)) throw new UsageError(`"${postId}" is not a valid post id`);
    const rows = await moderation.list(siteId, postId);
    if (rows.length === 0) return { lines: [`no comments on ${siteId}/${postId}`] };
    return {
      lines: rows.map((row) => {
        const state = moderationState(row);
        const excerpt = row.body.replace(/\s+/g, ' ').slice(0, 60);
        return `${row.id}  ${new Date(row.created_at).toISOString()}  ${state}  sub=${row.author_sub}  ${JSON.stringify(row.author_name)}  ${JSON.stringify(excerpt)}`;
      }),
    };
  },
  async ban(moderation, siteId, sub) {
    return report(await moderation.ban(siteId, sub), `subject ${sub}`, { done: `banned ${sub} on ${siteId}`, unchanged: `${sub} was already banned on ${siteId}` });
  },
  async unban(moderation, siteId, sub) {
    return report(await moderation.unban(siteId, sub), `subject ${sub}`, { done: `unbanned ${sub} on ${siteId}`, unchanged: `${sub} was not banned on ${siteId}` });
  },
  async hide(moderation, siteId, id) {
    return report(await moderation.hide(siteId, id), `comment ${id} on ${siteId}`, { done: `hid comment ${id}`, unchanged: `comment ${id} was already hidden` });
  },
  async unhide(moderation, siteId, id) {
    return report(await moderation.unhide(siteId, id), `comment ${id} on ${siteId}`, { done: `comment ${id} is shown again`, unchanged: `comment ${id} was not hidden` });
  },
  async delete(moderation, siteId, id) {
    return report(await moderation.delete(siteId, id), `comment ${id} on ${siteId}`, { done: `deleted comment ${id} (its text and author are erased)`, unchanged: `comment ${id} was already deleted` });
  },
};

const TAKES_COMMENT_ID = new Set(['hide', 'unhide', 'delete']);

function checkSite(settings: Settings, siteId: string): void {
  if (!settings.sites.some((site) => site.id === siteId)) {
    throw new UsageError(`unknown site "${siteId}" (the sites file lists: ${settings.sites.map((site) => site.id).join(', ')})`);
  }
}

function checkArguments(settings: Settings, action: string, siteId: string | undefined, argument: string | undefined, extra: readonly string[]): [string, string] {
  if (siteId === undefined || argument === undefined || extra.length > 0) {
    throw new UsageError(`comments ${action} takes exactly two arguments\n\n${COMMENTS_USAGE}`);
  }
  checkSite(settings, siteId);
  if (TAKES_COMMENT_ID.has(action) && !COMMENT_ID_PATTERN.test(argument)) {
    throw new UsageError(`"${argument}" is not a comment id`);
  }
  if ((action === 'ban' || action === 'unban') && (argument.length === 0 || argument.length > MAX_SUB_LENGTH)) {
    throw new UsageError(`"${argument}" is not a subject`);
  }
  return [siteId, argument];
}

/**
 * `parley comments erase-guest <site> <email>`: a guest who asks the blog owner to erase their
 * comments gives their address; the service never kept it, only SHA-256(site + address)
 * (guest-comments.ts), which is enough to find them. They are anonymised exactly as a signed-in
 * commenter's erasure does it (the site's `erasure` setting says whether the text stays).
 */
async function eraseGuest(settings: Settings, siteId: string | undefined, email: string | undefined, extra: readonly string[], print: (line: string) => void): Promise<void> {
  if (siteId === undefined || email === undefined || extra.length > 0) throw new UsageError(`comments erase-guest takes exactly two arguments\n\n${COMMENTS_USAGE}`);
  checkSite(settings, siteId);
  const parsed = parseEmailAddress(email);
  if (!parsed.ok) throw new UsageError(`"${email}" is not an email address: ${parsed.reason}`);
  const erasure = settings.sites.find((site) => site.id === siteId)?.erasure ?? 'keep-text';
  const db = await openCommentsDatabase(settings);
  try {
    const subs = await guestSubjectsByEmail(db, siteId, guestEmailHash(siteId, parsed.address));
    if (subs.length === 0) return print(`no guest comments on ${siteId} were posted with that address`);
    const { comments } = await eraseCommentersAtSite(db, siteId, subs, erasure, Date.now());
    print(`anonymised ${comments} guest ${comments === 1 ? 'comment' : 'comments'} on ${siteId} (${erasure === 'keep-text' ? 'their text kept' : 'their text removed'}, as the site's erasure setting says)`);
  } finally {
    await db.destroy();
  }
}

/**
 * `parley comments`: with no action, serves the comment API on PARLEY_COMMENTS_PORT and returns
 * the running service; with a moderation action, applies it to the database and returns.
 */
export async function runComments(
  settings: Settings,
  args: readonly string[],
  options: RunCommentsOptions = {},
): Promise<RunningCommentService | void> {
  const print = options.print ?? ((line: string) => console.log(line));
  // `parley comments help` (the CLI answers --help before this is called; callers in code may not).
  if (args[0] === 'help' || args[0] === '--help' || args[0] === '-h') return void print(COMMENTS_USAGE);
  // No overall argument count here: each action says how many it takes, in its own words.
  const { positional, options: flags } = parseCommandLine('comments', { ...COMMENTS_COMMAND_LINE, maxArguments: undefined }, args);
  const [action, siteArgument, argument, ...extra] = positional;
  if (action === 'import') return importFile(settings, positional.slice(1), flags, print);
  if (flags.size > 0) throw new UsageError(`${[...flags.keys()].join(', ')}: only comments import takes options\n\n${COMMENTS_USAGE}`);
  if (action === undefined) return serve(settings, options);
  if (action === 'export') return exportSite(settings, siteArgument, [argument, ...extra].filter((arg) => arg !== undefined), options);
  if (action === 'erase-guest') return eraseGuest(settings, siteArgument, argument, extra, print);
  const run = Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
  if (run === undefined) throw new UsageError(`unknown comments action "${action}"\n\n${COMMENTS_USAGE}`);
  const [siteId, value] = checkArguments(settings, action, siteArgument, argument, extra);
  const db = await openCommentsDatabase(settings);
  try {
    // The action and its line in the moderation log commit together, as on the moderation page.
    const { lines } = await db.transaction().execute(async (trx) => {
      const done = await run(new Moderation(trx), siteId, value);
      if (done.outcome === 'done') {
        await new ModerationLog(trx).record({ siteId, moderator: COMMAND_LINE_MODERATOR, action: action as ModerationActionName, target: value, at: Date.now() });
      }
      return done;
    });
    for (const line of lines) print(line);
  } finally {
    await db.destroy();
  }
}

/** Writes a line, waiting while the reader (a pipe, a file) catches up. */
function writer(output: NodeJS.WritableStream): (line: string) => Promise<void> | void {
  return (line) => {
    if (output.write(line)) return;
    return new Promise((resolve) => output.once('drain', resolve));
  };
}

async function exportSite(settings: Settings, siteId: string | undefined, extra: readonly string[], options: RunCommentsOptions): Promise<void> {
  if (siteId === undefined || extra.length > 0) throw new UsageError(`comments export takes exactly one argument, the site\n\n${COMMENTS_USAGE}`);
  checkSite(settings, siteId);
  const db = await openCommentsDatabase(settings);
  try {
    const count = await exportComments(db, siteId, writer(options.output ?? process.stdout));
    (options.report ?? ((line: string) => console.error(line)))(`parley: exported ${count} comment${count === 1 ? '' : 's'} of ${siteId}`);
  } finally {
    await db.destroy();
  }
}

const FORMATS: ReadonlySet<string> = new Set(['wxr', 'disqus']);
const MAX_SIZE = /^(\d{1,7})\s*(MB|GB)?$/i;

function maxBytesOf(value: string | true | undefined): number {
  if (value === undefined) return DEFAULT_MAX_IMPORT_BYTES;
  const match = typeof value === 'string' ? MAX_SIZE.exec(value.trim()) : null;
  if (match === null || Number(match[1]) === 0) throw new UsageError(`--max-size takes a size such as 800MB or 2GB, not ${JSON.stringify(value)}`);
  return Number(match[1]) * 2 ** (match[2]?.toUpperCase() === 'GB' ? 30 : 20);
}

/** `parley comments import <site> <file> [--format wxr|disqus] [--dry-run] [--max-size 2GB]`. */
async function importFile(settings: Settings, args: readonly string[], flags: ReadonlyMap<string, string | true>, print: (line: string) => void): Promise<void> {
  const [siteId, file, ...extra] = args;
  if (siteId === undefined || file === undefined || extra.length > 0) throw new UsageError(`comments import takes exactly two arguments, the site and the file\n\n${COMMENTS_USAGE}`);
  checkSite(settings, siteId);
  const format = flags.get('--format');
  if (format !== undefined && (typeof format !== 'string' || !FORMATS.has(format))) throw new UsageError(`--format is wxr or disqus, not ${JSON.stringify(format)}`);
  const dryRun = flags.get('--dry-run');
  const maxBytes = maxBytesOf(flags.get('--max-size'));
  const db = await openCommentsDatabase(settings);
  try {
    const result = await importComments(db, { siteId, file, format: format as ImportFormat | undefined, dryRun: dryRun === true, maxBytes });
    for (const line of describeImport(result, file, siteId)) print(line);
  } catch (error) {
    if (error instanceof ImportRefusedError) throw new ImportRefusedError(error.problems, describeRefusal(error.problems, file));
    throw error;
  } finally {
    await db.destroy();
  }
}

async function serve(settings: Settings, options: RunCommentsOptions): Promise<RunningCommentService> {
  const service = await createCommentService(settings, options.serviceOptions);
  let server: RunningServer;
  try {
    server = await listen(service.app, settings.comments.port, options.host ?? (settings.production ? '0.0.0.0' : '127.0.0.1'));
  } catch (error) {
    await service.close();
    throw error;
  }
  service.logger.info(
    { port: server.port, publicUrl: settings.comments.url, issuer: settings.gateway.issuer },
    `parley comments: listening on port ${server.port}, public URL ${settings.comments.url}, tokens from ${settings.gateway.issuer}`,
  );
  return {
    service,
    server,
    async close() {
      await server.close();
      await service.close();
    },
  };
}
