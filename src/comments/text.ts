/**
 * What a comment body is made of. Comments are plain text: nothing here escapes HTML, because
 * nothing is ever rendered as HTML by the service (it answers JSON only; the widget sets
 * textContent). What is stored is what was written, minus what no reader can see or want:
 *
 * - Lone UTF-16 surrogates (possible through JSON `\ud800` escapes) become U+FFFD, so the text is
 *   valid Unicode and survives a round trip through the database's UTF-8.
 * - Line breaks become `\n` (CRLF and CR from some clients); tab and newline are kept.
 * - Every other C0 and C1 control character (NUL, ESC, DEL, U+0080–U+009F...) is removed: they
 *   only ever serve to break terminals, logs or parsers downstream.
 * - NFC normalisation, so the same words are the same bytes (duplicate detection relies on it).
 * - Leading and trailing whitespace is trimmed.
 *
 * The length limit counts Unicode code points, not UTF-16 units: an emoji is one character.
 */

export const MAX_COMMENT_CODE_POINTS = 10_000;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const LINE_BREAK = /\r\n?/g;
const CONTROL_EXCEPT_TAB_AND_NEWLINE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

/** The text to store for a body as sent. */
export function sanitiseCommentText(raw: string): string {
  return raw
    .replace(LONE_SURROGATE, '\uFFFD')
    .replace(LINE_BREAK, '\n')
    .replace(CONTROL_EXCEPT_TAB_AND_NEWLINE, '')
    .normalize('NFC')
    .trim();
}

/** Length in Unicode code points (a string iterates by code point). */
export function codePointLength(text: string): number {
  let count = 0;
  for (let index = 0; index < text.length; index += 1) {
    const unit = text.charCodeAt(index);
    // A high surrogate followed by a low one is one code point; sanitising left no lone ones.
    if (unit < 0xd800 || unit > 0xdbff) count += 1;
  }
  return count;
}
