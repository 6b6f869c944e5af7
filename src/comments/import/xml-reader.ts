import { SaxesParser, type SaxesTagPlain } from 'saxes';

/**
 * Streaming XML reading for the importers, on saxes (a conforming, non-validating streaming
 * parser). The file is never held whole: the reader hands over one *record* at a time (a
 * WordPress `<item>` with its comments, a Disqus `<thread>` or `<post>`), each built as a small
 * tree when its closing tag is read, and forgets it once handed over.
 *
 * Hostile files are refused, never expanded:
 * - A DOCTYPE is refused as soon as it is read. saxes does not read DTDs, so neither internal
 *   entities (the "billion laughs") nor external ones (XXE: `SYSTEM "file:///etc/passwd"`) could
 *   be expanded anyway; refusing says so clearly instead of failing later on an unknown entity.
 *   WordPress and Disqus never write one.
 * - An encoding other than UTF-8 is refused (both exporters write UTF-8; reading another as
 *   UTF-8 would garble every name).
 * - Nesting deeper than MAX_DEPTH is refused (neither format goes past 5 levels; a million nested
 *   elements would otherwise cost a stack of names).
 * - Text kept per element is bounded (MAX_KEPT_TEXT): a longer one is marked `oversized` and
 *   reported by the mapping, never kept whole.
 *
 * A malformed file stops the reading at the first error, with the parser's line: after a broken
 * tag nothing that follows can be trusted.
 */

/** An element of a record, with its text (character data and CDATA sections, concatenated). */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** Line of its opening tag (1-based). */
  readonly line: number;
  text: string;
  /** True when its text was longer than MAX_KEPT_TEXT; `text` then holds only the start. */
  oversized: boolean;
  readonly children: XmlElement[];
}

export type XmlEvent =
  /** First, once: the root element's name (the format is told by it). */
  | { readonly kind: 'root'; readonly name: string; readonly line: number }
  | { readonly kind: 'record'; readonly element: XmlElement };

export interface RecordSelection {
  /** True for an element to hand over whole; `path` holds its ancestors' names, root first. */
  isRecord(path: readonly string[], name: string): boolean;
  /** Elements inside a record whose text is not needed (a post's own content): not kept. */
  readonly dropText?: ReadonlySet<string>;
}

/** The file cannot be read as XML (`refused` false), or is refused (true): `line` says where. */
export class XmlReadError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly refused = false,
  ) {
    super(message);
    this.name = 'XmlReadError';
  }
}

export const MAX_DEPTH = 64;
/** Far above any comment the service accepts (10,000 characters), even as HTML. */
export const MAX_KEPT_TEXT = 1_000_000;

const UTF8 = /^utf-?8$/i;

/** Reads `chunks` (the file's text, in order) and yields the root, then each record as it closes. */
export async function* readXmlRecords(chunks: AsyncIterable<string>, selection: RecordSelection): AsyncGenerator<XmlEvent> {
  const parser = new SaxesParser<{ xmlns: false; position: true }>({ xmlns: false, position: true });
  const pending: XmlEvent[] = [];
  const path: string[] = [];
  /** The record being built (outermost first), or empty outside records. */
  const open: XmlElement[] = [];
  let failure: XmlReadError | undefined;

  // Every handler runs inside parser.write(); the first failure stops the reading.
  const fail = (message: string, refused = true) => {
    failure ??= new XmlReadError(message, parser.line, refused);
    throw failure;
  };
  parser.on('error', (error) => fail(withoutPosition(error.message), false));
  parser.on('doctype', (doctype) => {
    // Reported where it starts: saxes tells it once it has read it whole.
    const line = parser.line - (doctype.match(/\n/g)?.length ?? 0);
    failure = new XmlReadError('the file declares a DOCTYPE, which an import never reads (its entities could expand without bound or read other files); WordPress and Disqus exports have none', line, true);
    throw failure;
  });
  parser.on('xmldecl', (declaration) => {
    if (declaration.encoding !== undefined && !UTF8.test(declaration.encoding)) fail(`the file is encoded in ${declaration.encoding}; only UTF-8 exports can be imported`);
  });
  parser.on('opentag', (tag: SaxesTagPlain) => {
    if (path.length >= MAX_DEPTH) fail(`elements are nested more than ${MAX_DEPTH} deep`);
    if (path.length === 0) pending.push({ kind: 'root', name: tag.name, line: parser.line });
    if (open.length > 0 || selection.isRecord(path, tag.name)) {
      const element: XmlElement = { name: tag.name, attributes: tag.attributes, line: parser.line, text: '', oversized: false, children: [] };
      open.at(-1)?.children.push(element);
      open.push(element);
    }
    path.push(tag.name);
  });
  const addText = (text: string) => {
    const element = open.at(-1);
    if (element === undefined || selection.dropText?.has(element.name)) return;
    if (element.text.length + text.length > MAX_KEPT_TEXT) {
      element.oversized = true;
      element.text = (element.text + text).slice(0, MAX_KEPT_TEXT);
      return;
    }
    element.text += text;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.on('closetag', () => {
    path.pop();
    const element = open.pop();
    if (element !== undefined && open.length === 0) pending.push({ kind: 'record', element });
  });

  const drain = function* () {
    while (pending.length > 0) yield pending.shift()!;
  };
  try {
    for await (const chunk of chunks) {
      parser.write(chunk);
      yield* drain();
    }
    parser.close();
  } catch (error) {
    throw failure ?? error;
  }
  yield* drain();
}

/** saxes prefixes its messages with "line:column: "; the line is reported on its own. */
function withoutPosition(message: string): string {
  return message.replace(/^(?:[^:]*:)?\d+:\d+:\s*/, '');
}
