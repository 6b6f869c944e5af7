import { blogPageFrom } from '../../src/gateway/return-to';
import type { Site } from '../../src/config/sites';

const SITES: Site[] = [
  { id: 'demo-blog', name: 'Demo Blog', origins: ['http://localhost:4200', 'https://blog.example'], redirectUris: [] },
  { id: 'other-blog', name: 'Other Blog', origins: ['https://other.example'], redirectUris: [] },
];

describe('the way back from a gateway page to a blog (return_to)', () => {
  it('leads to a page on a registered origin, named after its site, without the fragment', () => {
    expect(blogPageFrom('https://blog.example/2026/hello?p=1#comments', SITES)).toEqual({ href: 'https://blog.example/2026/hello?p=1', siteName: 'Demo Blog' });
    expect(blogPageFrom('https://other.example/', SITES)).toEqual({ href: 'https://other.example/', siteName: 'Other Blog' });
  });

  it.each([
    ['another host', 'https://evil.example/post'],
    ['a registered host on another port', 'http://localhost:4201/'],
    ['a registered host over another scheme', 'http://blog.example/post'],
    ['a look-alike host', 'https://blog.example.evil.example/'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a relative path', '/post'],
    ['a protocol-relative URL', '//blog.example/post'],
    ['nothing', undefined],
    ['a list', ['https://blog.example/']],
    ['an overlong URL', `https://blog.example/${'a'.repeat(3000)}`],
  ])('gives no way back for %s', (_what, value) => {
    expect(blogPageFrom(value, SITES)).toBeUndefined();
  });
});
