import { codePointLength, sanitiseCommentText } from '../../src/comments/text';

describe('sanitiseCommentText', () => {
  it('keeps plain text, markup and emoji exactly as written', () => {
    const text = 'Hello <b>world</b> & "friends" 👋🏽 — ça va?';
    expect(sanitiseCommentText(text)).toBe(text);
  });

  it('turns CRLF and lone CR into newlines and keeps tabs', () => {
    expect(sanitiseCommentText('a\r\nb\rc\n\td')).toBe('a\nb\nc\n\td');
  });

  it('removes C0 and C1 control characters other than tab and newline', () => {
    expect(sanitiseCommentText('a\u0000b\u0008c\u000bd\u000ce\u001bf\u007fg\u0085h\u009fi')).toBe('abcdefghi');
  });

  it('keeps format characters such as zero-width joiners, which emoji need', () => {
    expect(sanitiseCommentText('👩\u200d💻')).toBe('👩\u200d💻');
  });

  it('normalises to NFC', () => {
    expect(sanitiseCommentText('e\u0301')).toBe('\u00e9');
  });

  it('replaces lone surrogates with U+FFFD and keeps surrogate pairs', () => {
    expect(sanitiseCommentText('a\ud800b\udc00c😀')).toBe('a\ufffdb\ufffdc😀');
  });

  it('trims whitespace at both ends, after removing control characters', () => {
    expect(sanitiseCommentText('\u0000  hi there \n\u0000')).toBe('hi there');
  });
});

describe('codePointLength', () => {
  it('counts code points, not UTF-16 units', () => {
    expect(codePointLength('abc')).toBe(3);
    expect(codePointLength('😀😀')).toBe(2);
    expect(codePointLength('')).toBe(0);
  });
});
