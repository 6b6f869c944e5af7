import { decodeEntities, htmlToText } from '../../src/comments/import/html-text';

/** Imported comments are HTML; Parley stores plain text (src/comments/import/html-text.ts). */
describe('turning an imported comment’s HTML into text', () => {
  it('drops tags and keeps the words', () => {
    expect(htmlToText('Nice <em>post</em>, <strong>really</strong> <span class="x">nice</span>.')).toBe('Nice post, really nice.');
  });

  it('decodes named, decimal and hex references; leaves unknown names as written', () => {
    expect(htmlToText('Fish &amp; chips &lt;3 &#8212; &#x1F600; &hellip; &eacute;t&eacute; &madeup; & alone')).toBe('Fish & chips <3 — 😀 … été &madeup; & alone');
    // References to 0x80–0x9F mean Windows-1252, as browsers read them.
    expect(decodeEntities('&#146;&#150;')).toBe('’–');
    expect(decodeEntities('&#0;&#xD800;&#1114112;')).toBe('\uFFFD\uFFFD\uFFFD');
  });

  it('keeps a link’s address after its text, and the address alone when it is the text', () => {
    expect(htmlToText('See <a href="https://example.org/a?b=1&amp;c=2" rel="nofollow">this page</a>.')).toBe('See this page (https://example.org/a?b=1&c=2).');
    expect(htmlToText('<a href="https://example.org/">https://example.org/</a>')).toBe('https://example.org/');
    expect(htmlToText('<a href="https://example.org/">example.org</a>')).toBe('example.org');
    expect(htmlToText("<a href='mailto:me@example.org'></a>")).toBe('mailto:me@example.org');
    // Addresses a reader should not be handed are dropped, their text kept.
    expect(htmlToText('<a href="javascript:alert(1)">click</a>')).toBe('click');
    expect(htmlToText('<a href="https://x.example" title="a > b">x</a>')).toBe('x (https://x.example)');
  });

  it('turns blocks into line breaks and paragraphs into blank lines, keeping the text’s own line breaks', () => {
    expect(htmlToText('<p>One</p><p>Two<br>three<br/>four</p>')).toBe('One\n\nTwo\nthree\nfour');
    expect(htmlToText('Line one\nLine two\n\n\n\nAfter a gap')).toBe('Line one\nLine two\n\nAfter a gap');
    expect(htmlToText('<ul><li>a</li><li>b</li></ul>After')).toBe('a\nb\n\nAfter');
    expect(htmlToText('<blockquote>quoted</blockquote>reply')).toBe('quoted\n\nreply');
    expect(htmlToText('a&nbsp;b \r\nc')).toBe('a b\nc');
  });

  it('drops scripts, styles and HTML comments with their content, and keeps a lone "<"', () => {
    expect(htmlToText('ok<script>alert("x")</script> <style>p{}</style>done<!-- hidden -->')).toBe('ok done');
    expect(htmlToText('1 < 2 and 3 > 2')).toBe('1 < 2 and 3 > 2');
    expect(htmlToText('<![CDATA[kept]]> text')).toBe('kept text');
  });

  it('reads text full of unclosed tags in one pass (a hostile comment must not take quadratic time)', () => {
    expect(htmlToText('<a'.repeat(40_000))).toBe('<a'.repeat(40_000));
    expect(htmlToText('<!'.repeat(40_000))).toBe('<!'.repeat(40_000));
    expect(htmlToText(`<a href="${'x'.repeat(20_000)}">long</a>`)).toMatch(/^<a href="x+">long$/);
  });

  it('gives nothing for markup without text, and removes control characters like the service does', () => {
    expect(htmlToText('<p> </p><img src="https://x.example/a.png"><br>')).toBe('');
    expect(htmlToText('bell\u0007 and\u0000 nul')).toBe('bell and nul');
  });
});
