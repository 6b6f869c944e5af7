import { linkify } from '../../src/widget/linkify';

describe('linkify', () => {
  test('plain text stays one text segment, markup included', () => {
    expect(linkify('<script>alert(1)</script><img src=x onerror=alert(2)>')).toEqual([{ text: '<script>alert(1)</script><img src=x onerror=alert(2)>' }]);
  });

  test('http and https URLs become links; trailing sentence punctuation stays text', () => {
    expect(linkify('See https://a.example/x. And http://b.example/?q=1, ok')).toEqual([
      { text: 'See ' },
      { text: 'https://a.example/x', href: 'https://a.example/x' },
      { text: '. And ' },
      { text: 'http://b.example/?q=1', href: 'http://b.example/?q=1' },
      { text: ', ok' },
    ]);
  });

  test('a closing bracket belongs to the URL only when the URL opened one', () => {
    expect(linkify('(see https://en.wikipedia.org/wiki/Parley_(disambiguation))')).toEqual([
      { text: '(see ' },
      { text: 'https://en.wikipedia.org/wiki/Parley_(disambiguation)', href: 'https://en.wikipedia.org/wiki/Parley_(disambiguation)' },
      { text: ')' },
    ]);
  });

  test.each([['javascript:alert(1)'], ['data:text/html,<b>x</b>'], ['ftp://files.example/a'], ['www.example.com'], ['https://'], ['mailto:a@b.example']])('%s is not a link', (text) => {
    expect(linkify(`go ${text} now`).every((segment) => segment.href === undefined)).toBe(true);
  });

  test('hrefs are normalised by the URL parser, and quotes or angle brackets end a URL', () => {
    expect(linkify('HTTPS://Example.COM/a"><b>')).toEqual([{ text: 'HTTPS://Example.COM/a', href: 'https://example.com/a' }, { text: '"><b>' }]);
  });
});
