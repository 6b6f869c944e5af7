/**
 * How long a comment is, counted the way the comment service counts it (src/comments/text.ts):
 * Unicode code points of the text after line breaks are unified, NFC normalisation and trimming,
 * so an emoji is one character and the counter agrees with the service's 422.
 */

/** The comment service's limit (MAX_COMMENT_CODE_POINTS; test/widget/comment-length.test.ts keeps them equal). */
export const MAX_COMMENT_CHARACTERS = 10_000;

/** The counter appears once this few characters are left. */
export const COUNTER_SHOWN_WITHIN_CHARACTERS = 1_000;

export function commentLength(text: string): number {
  // A string iterates by code point.
  return Array.from(text.replace(/\r\n?/g, '\n').normalize('NFC').trim()).length;
}

/** What the counter shows: nothing while far from the limit, what is left, or how much is too much. */
export type LengthState = { readonly kind: 'far' } | { readonly kind: 'near'; readonly left: number } | { readonly kind: 'over'; readonly over: number };

export function lengthState(text: string, limit = MAX_COMMENT_CHARACTERS): LengthState {
  const length = commentLength(text);
  if (length > limit) return { kind: 'over', over: length - limit };
  if (limit - length <= COUNTER_SHOWN_WITHIN_CHARACTERS) return { kind: 'near', left: limit - length };
  return { kind: 'far' };
}
