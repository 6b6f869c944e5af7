import { formatNumber } from '../errors';
import { codePointLength, MAX_COMMENT_CODE_POINTS } from '../text';
import { htmlToText, MAX_HTML_LENGTH } from './html-text';
import { importedCommentId } from './imported-identity';
import type { ImportFormat, SourceComment, SourceRecord } from './source-records';

/**
 * The first pass of an import: every record of the export is checked and remembered in a few
 * fields (no text), and only when the whole file has been read is it decided what will be
 * written, where and in which order. Nothing is written by this pass, so a file with any problem
 * leaves the database as it was, and the problems are listed all at once, each with its line.
 *
 * Decisions (what a blog owner switching would expect):
 * - Approved comments are imported; pending ones too, hidden (`parley comments unhide` shows
 *   them). Spam, trash, deleted, pingbacks/trackbacks, other comment types (WooCommerce order
 *   notes…) and comments with no text left are skipped and counted.
 * - A reply to a skipped comment hangs under the nearest ancestor that is kept (at the top when
 *   none is), as WordPress shows replies whose parent it does not show.
 * - Each post's comments are written oldest first (the API lists them in the order written), a
 *   reply always after the comment it answers even if its date is earlier (a clock skew in the
 *   old system must not break the thread).
 * - Refused, for the whole file: a reply to a comment the file does not have, or that is on
 *   another post, or replies that go round in a circle; a comment id seen twice; a comment on a
 *   thread the file does not describe, or whose post id is not one Parley accepts; an unreadable
 *   date; a text over the service's limit.
 */

export interface ImportProblem {
  readonly line: number;
  readonly message: string;
}

export type SkipReason = 'spam' | 'trash' | 'deleted' | 'pingback' | 'other-type' | 'empty';

export interface ImportCounts {
  /** Comments that will be in the database: new ones and those already there. */
  readonly comments: number;
  readonly posts: number;
  /** Of `comments`, those imported hidden (pending approval in the old system). */
  readonly hidden: number;
  /** Replies whose parent was skipped, attached to the nearest kept ancestor. */
  readonly reattached: number;
  readonly skipped: Readonly<Record<SkipReason, number>>;
}

export interface PlannedComment {
  readonly id: string;
  readonly postId: string;
  readonly parentId: string | null;
  /** Position in its post's thread: written in this order. */
  readonly rank: number;
  readonly hidden: boolean;
}

export interface ImportPlan {
  readonly counts: ImportCounts;
  /** By source id. */
  readonly comments: ReadonlyMap<string, PlannedComment>;
  /** How many comments each post gets: a post is written once all of its have been read. */
  readonly perPost: ReadonlyMap<string, number>;
}

interface Entry {
  readonly sourceId: string;
  readonly threadKey: string;
  readonly parent: string | null;
  readonly createdAt: number;
  readonly ordinal: number;
  readonly line: number;
  readonly skipped: SkipReason | undefined;
  readonly hidden: boolean;
}

interface Thread {
  readonly postId: string | undefined;
  readonly problem: string | undefined;
  readonly line: number;
}

/**
 * Both formats number their comments and threads; an id longer than this is not an export's, and
 * would only make the problems listed unreadable.
 */
const MAX_SOURCE_ID_LENGTH = 100;

const SKIPPED_STATES: ReadonlySet<string> = new Set(['spam', 'trash', 'deleted', 'pingback', 'other-type']);

/** The text an imported comment gets (also used by the writer, so both passes agree). */
export function importedText(comment: SourceComment): string {
  return htmlToText(comment.html);
}

export class ImportPlanner {
  private readonly entries = new Map<string, Entry>();
  private readonly threads = new Map<string, Thread>();
  private readonly problems: ImportProblem[] = [];
  private ordinal = 0;

  constructor(
    private readonly siteId: string,
    private readonly format: ImportFormat,
  ) {}

  add(record: SourceRecord): void {
    switch (record.kind) {
      case 'problem':
        this.problems.push({ line: record.line, message: record.message });
        return;
      case 'thread':
        return this.addThread(record.key, record.postId.ok ? record.postId.value : undefined, record.postId.ok ? undefined : record.postId.problem, record.line);
      case 'comment':
        return this.addComment(record);
    }
  }

  private addThread(key: string, postId: string | undefined, problem: string | undefined, line: number): void {
    if (key.length > MAX_SOURCE_ID_LENGTH) {
      this.problems.push({ line, message: `a thread's id has ${key.length} characters; an export's have at most ${MAX_SOURCE_ID_LENGTH}` });
      return;
    }
    const known = this.threads.get(key);
    if (known !== undefined) {
      if (known.postId !== postId) this.problems.push({ line, message: `thread ${key} appears again (first at line ${known.line}) with another post id` });
      return;
    }
    this.threads.set(key, { postId, problem, line });
  }

  private addComment(comment: SourceComment): void {
    const longest = Math.max(comment.sourceId.length, comment.parentSourceId?.length ?? 0, comment.threadKey.length);
    if (longest > MAX_SOURCE_ID_LENGTH) {
      this.problems.push({ line: comment.line, message: `a comment's id, parent or thread has ${longest} characters; an export's have at most ${MAX_SOURCE_ID_LENGTH}` });
      return;
    }
    const known = this.entries.get(comment.sourceId);
    if (known !== undefined) {
      this.problems.push({ line: comment.line, message: `comment ${comment.sourceId} appears again (first at line ${known.line})` });
      return;
    }
    let skipped: SkipReason | undefined = SKIPPED_STATES.has(comment.state) ? (comment.state as SkipReason) : undefined;
    if (skipped === undefined) {
      if (comment.createdAt === undefined) this.problems.push({ line: comment.line, message: `comment ${comment.sourceId} has no date that can be read` });
      if (comment.oversized || comment.html.length > MAX_HTML_LENGTH) {
        this.problems.push({ line: comment.line, message: `comment ${comment.sourceId} is far longer than ${formatNumber(MAX_COMMENT_CODE_POINTS)} characters, the most a comment may have` });
      } else {
        const text = importedText(comment);
        const length = codePointLength(text);
        if (length === 0) skipped = 'empty';
        if (length > MAX_COMMENT_CODE_POINTS) {
          this.problems.push({ line: comment.line, message: `comment ${comment.sourceId} has ${formatNumber(length)} characters; at most ${formatNumber(MAX_COMMENT_CODE_POINTS)} are allowed` });
        }
      }
    }
    this.entries.set(comment.sourceId, {
      sourceId: comment.sourceId,
      threadKey: comment.threadKey,
      parent: comment.parentSourceId,
      createdAt: comment.createdAt ?? 0,
      ordinal: this.ordinal++,
      line: comment.line,
      skipped,
      hidden: comment.state === 'pending',
    });
  }

  /** The plan, or every problem found (sorted by line) when there is any. */
  finish(): { ok: true; plan: ImportPlan } | { ok: false; problems: ImportProblem[] } {
    const skipped: Record<SkipReason, number> = { spam: 0, trash: 0, deleted: 0, pingback: 0, 'other-type': 0, empty: 0 };
    const byPost = new Map<string, Entry[]>();
    const parents = new Map<string, string | null>();
    const reportedThreads = new Set<string>();
    let reattached = 0;
    for (const entry of this.entries.values()) {
      if (entry.skipped !== undefined) {
        skipped[entry.skipped] += 1;
        continue;
      }
      const thread = this.threads.get(entry.threadKey);
      if (thread?.postId === undefined) {
        if (!reportedThreads.has(entry.threadKey)) {
          reportedThreads.add(entry.threadKey);
          this.problems.push(
            thread === undefined
              ? { line: entry.line, message: `comment ${entry.sourceId} is on thread ${entry.threadKey}, which the file does not describe` }
              : { line: thread.line, message: thread.problem ?? `thread ${entry.threadKey} has no post id` },
          );
        }
        continue;
      }
      const parent = this.keptAncestor(entry, thread.postId);
      if (parent === false) continue;
      if (parent !== entry.parent) reattached += 1;
      parents.set(entry.sourceId, parent);
      const list = byPost.get(thread.postId) ?? [];
      if (list.length === 0) byPost.set(thread.postId, list);
      list.push(entry);
    }

    const comments = new Map<string, PlannedComment>();
    const perPost = new Map<string, number>();
    let hidden = 0;
    for (const [postId, entries] of byPost) {
      const ordered = this.threadOrder(entries, parents);
      perPost.set(postId, ordered.length);
      ordered.forEach((entry, rank) => {
        const parent = parents.get(entry.sourceId) ?? null;
        if (entry.hidden) hidden += 1;
        comments.set(entry.sourceId, {
          id: importedCommentId(this.siteId, this.format, entry.sourceId),
          postId,
          parentId: parent === null ? null : importedCommentId(this.siteId, this.format, parent),
          rank,
          hidden: entry.hidden,
        });
      });
    }
    if (this.problems.length > 0) return { ok: false, problems: [...this.problems].sort((a, b) => a.line - b.line) };
    return { ok: true, plan: { counts: { comments: comments.size, posts: perPost.size, hidden, reattached, skipped }, comments, perPost } };
  }

  /**
   * The comment `entry` will hang under: its parent, or the nearest kept ancestor when the parent
   * is skipped; null at the top. False (a problem is recorded) when the chain is broken.
   */
  private keptAncestor(entry: Entry, postId: string): string | null | false {
    let parentId = entry.parent;
    // More steps than comments means the chain goes round in a circle.
    for (let steps = 0; parentId !== null && steps <= this.entries.size; steps += 1) {
      if (parentId === entry.sourceId) break;
      const parent = this.entries.get(parentId);
      if (parent === undefined) {
        this.problems.push({ line: entry.line, message: `comment ${entry.sourceId} replies to comment ${parentId}, which is not in the file` });
        return false;
      }
      if (parent.skipped === undefined) {
        if (this.threads.get(parent.threadKey)?.postId !== postId) {
          this.problems.push({ line: entry.line, message: `comment ${entry.sourceId} replies to comment ${parentId} (line ${parent.line}), which is on another post` });
          return false;
        }
        return parentId;
      }
      parentId = parent.parent;
    }
    if (parentId === null) return null;
    this.problems.push({ line: entry.line, message: `comment ${entry.sourceId}'s replies go round in a circle back to itself` });
    return false;
  }

  /** Oldest first, file order among equal dates, and never a reply before its parent. */
  private threadOrder(entries: Entry[], parents: ReadonlyMap<string, string | null>): Entry[] {
    const sorted = [...entries].sort((a, b) => a.createdAt - b.createdAt || a.ordinal - b.ordinal);
    const ordered: Entry[] = [];
    const written = new Set<string>();
    /** Replies read before their parent was written, by parent, in sorted order. */
    const waiting = new Map<string, Entry[]>();
    const write = (first: Entry) => {
      const queue = [first];
      while (queue.length > 0) {
        const entry = queue.shift()!;
        ordered.push(entry);
        written.add(entry.sourceId);
        const replies = waiting.get(entry.sourceId);
        if (replies !== undefined) {
          waiting.delete(entry.sourceId);
          queue.unshift(...replies);
        }
      }
    };
    for (const entry of sorted) {
      const parent = parents.get(entry.sourceId) ?? null;
      if (parent === null || written.has(parent)) {
        write(entry);
      } else {
        const list = waiting.get(parent) ?? [];
        if (list.length === 0) waiting.set(parent, list);
        list.push(entry);
      }
    }
    // Left waiting: a circle of kept comments (each the other's parent).
    for (const replies of waiting.values()) {
      for (const entry of replies) this.problems.push({ line: entry.line, message: `comment ${entry.sourceId}'s replies go round in a circle back to itself` });
    }
    return ordered;
  }
}
