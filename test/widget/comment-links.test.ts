import { commentAnchorId, commentIdFromHash, MAX_PAGE_URL_LENGTH, pageAddress } from '../../src/widget/comment-links';

describe('links to one comment', () => {
  test('name a comment by the anchor the thread gives it, and read it back from the address', () => {
    expect(commentAnchorId('Ab3_-x')).toBe('parley-comment-Ab3_-x');
    expect(commentIdFromHash(`#${commentAnchorId('Ab3_-x')}`)).toBe('Ab3_-x');
    // Some mail clients percent-encode the fragment.
    expect(commentIdFromHash('#parley%2Dcomment%2DAb3_-x')).toBe('Ab3_-x');
  });

  test.each([[''], ['#'], ['#comments'], ['#parley-comment-'], ['#parley-comment-a/b'], ['#parley-comment-a b'], ['#parley-comment-%E0%A4%A'], [`#parley-comment-${'a'.repeat(65)}`], ['#parley_state=x&parley_code=y'], ['parley-comment-abc']])(
    'read no comment from the fragment %j',
    (hash) => {
      expect(commentIdFromHash(hash)).toBeUndefined();
    },
  );
});

describe('the page a comment is posted from', () => {
  test('is the address without its fragment', () => {
    expect(pageAddress('https://blog.example/2026/post?p=7#parley-comment-abc')).toBe('https://blog.example/2026/post?p=7');
    expect(pageAddress('http://localhost:4200/#')).toBe('http://localhost:4200/');
    expect(pageAddress('https://blog.example/post')).toBe('https://blog.example/post');
  });

  test('keeps origin and path only when the address is very long, and nothing when even the path is', () => {
    expect(pageAddress(`https://blog.example/post?utm=${'x'.repeat(MAX_PAGE_URL_LENGTH)}`)).toBe('https://blog.example/post');
    expect(pageAddress(`https://blog.example/${'p'.repeat(MAX_PAGE_URL_LENGTH)}`)).toBeUndefined();
  });

  test.each([['about:srcdoc'], ['file:///home/me/post.html'], ['data:text/html,hi'], ['not a url']])('is not sent from %s', (href) => {
    expect(pageAddress(href)).toBeUndefined();
  });
});
