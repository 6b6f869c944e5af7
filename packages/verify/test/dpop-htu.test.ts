import { htuMatches, normaliseHtu, requestPath } from '../src/dpop-htu';

describe('requestPath', () => {
  it('takes the path of an origin-form target without its query or fragment', () => {
    expect(requestPath('/api/comments?x=1#y')).toBe('/api/comments');
    expect(requestPath('/api/comments')).toBe('/api/comments');
  });

  it('takes only the path of an absolute-form target, whatever host it names', () => {
    expect(requestPath('http://evil.example/api/comments?x=1')).toBe('/api/comments');
  });

  it('has no path for the asterisk form or a non-http URL', () => {
    expect(requestPath('*')).toBeUndefined();
    expect(requestPath('javascript:alert(1)')).toBeUndefined();
  });
});

describe('normaliseHtu', () => {
  it.each([
    ['HTTPS://Comments.Example/a', 'https://comments.example/a'],
    ['https://comments.example:443/a', 'https://comments.example/a'],
    ['https://comments.example', 'https://comments.example/'],
    ['https://comments.example/a/./b/../c', 'https://comments.example/a/c'],
    ['https://comments.example/%7euser/%2f%41', 'https://comments.example/~user/%2FA'],
    ['https://comments.example/a?b=c#d', 'https://comments.example/a'],
  ])('%s is %s', (value, normal) => {
    expect(normaliseHtu(value)).toBe(normal);
  });

  it('is undefined for what is no http(s) URL or carries credentials', () => {
    for (const value of ['comments', 'ftp://comments.example/a', 'https://u:p@comments.example/a']) expect(normaliseHtu(value)).toBeUndefined();
  });
});

describe('htuMatches', () => {
  const base = 'https://blog.example/comments';

  it('matches the public URL (path prefix included) followed by the request path', () => {
    expect(htuMatches('https://blog.example/comments/api/x', base, '/api/x?page=2')).toBe(true);
    expect(htuMatches('https://BLOG.example:443/comments/api/x', base, '/api/x')).toBe(true);
  });

  it('does not match another host, scheme, port, path or prefix', () => {
    for (const htu of ['https://evil.example/comments/api/x', 'http://blog.example/comments/api/x', 'https://blog.example:8443/comments/api/x', 'https://blog.example/comments/api/y', 'https://blog.example/api/x']) {
      expect(htuMatches(htu, base, '/api/x')).toBe(false);
    }
  });
});
