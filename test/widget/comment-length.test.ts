import { MAX_COMMENT_CODE_POINTS } from '../../src/comments/text';
import { commentLength, COUNTER_SHOWN_WITHIN_CHARACTERS, lengthState, MAX_COMMENT_CHARACTERS } from '../../src/widget/comment-length';

describe('the comment’s length, as the widget counts it', () => {
  test('has the comment service’s limit', () => {
    expect(MAX_COMMENT_CHARACTERS).toBe(MAX_COMMENT_CODE_POINTS);
  });

  test('counts code points of the trimmed, NFC-normalised text, with CRLF as one line break', () => {
    expect(commentLength('  hello  ')).toBe(5);
    expect(commentLength('😀😀')).toBe(2);
    expect(commentLength('e\u0301')).toBe(1);
    expect(commentLength('a\r\nb')).toBe(3);
  });

  test('is silent far from the limit, counts down near it, and says how much is too much past it', () => {
    const within = MAX_COMMENT_CHARACTERS - COUNTER_SHOWN_WITHIN_CHARACTERS;
    expect(lengthState('a'.repeat(within - 1))).toEqual({ kind: 'far' });
    expect(lengthState('a'.repeat(within))).toEqual({ kind: 'near', left: COUNTER_SHOWN_WITHIN_CHARACTERS });
    expect(lengthState('a'.repeat(MAX_COMMENT_CHARACTERS))).toEqual({ kind: 'near', left: 0 });
    expect(lengthState('a'.repeat(MAX_COMMENT_CHARACTERS + 12))).toEqual({ kind: 'over', over: 12 });
  });
});
