/**
 * What the WXR and Disqus mappings make of an export, in one shape, so that planning and writing
 * know nothing of either format. A mapping yields, in file order, threads (a post: which of the
 * blog's post ids it is), comments, and problems it found (with their line).
 */

export type ImportFormat = 'wxr' | 'disqus';

/**
 * Where a comment stood in its old home. Only `approved` and `pending` are imported (pending
 * ones hidden); the others are skipped and counted.
 */
export type SourceState = 'approved' | 'pending' | 'spam' | 'trash' | 'deleted' | 'pingback' | 'other-type';

export interface SourceThread {
  readonly kind: 'thread';
  /** The format's own key for the thread (WordPress post id, Disqus thread dsq:id). */
  readonly key: string;
  /** The post id the widget names (`data-parley-post`), or the reason there is none. */
  readonly postId: { readonly ok: true; readonly value: string } | { readonly ok: false; readonly problem: string };
  readonly line: number;
}

export interface SourceComment {
  readonly kind: 'comment';
  /** The format's own id for the comment; unique in the file. */
  readonly sourceId: string;
  readonly threadKey: string;
  /** The source id of the comment it replies to, or null at the top of a thread. */
  readonly parentSourceId: string | null;
  readonly authorName: string;
  /**
   * What tells this author apart from another of the same name in the export (a WordPress user
   * id, an email address, a Disqus username): hashed into the imported author's subject, never
   * stored as it is.
   */
  readonly authorKey: string;
  /** Epoch milliseconds, or undefined when the date could not be read. */
  readonly createdAt: number | undefined;
  /** The comment's text as the export has it (HTML). */
  readonly html: string;
  /** True when the text was too long to keep whole (see xml-reader.ts). */
  readonly oversized: boolean;
  readonly state: SourceState;
  readonly line: number;
}

export interface SourceProblem {
  readonly kind: 'problem';
  readonly line: number;
  readonly message: string;
}

export type SourceRecord = SourceThread | SourceComment | SourceProblem;

/** The text of the first child named `name`, trimmed; '' when absent. */
export function childText(element: { readonly children: readonly { readonly name: string; readonly text: string }[] }, name: string): string {
  return element.children.find((child) => child.name === name)?.text.trim() ?? '';
}
