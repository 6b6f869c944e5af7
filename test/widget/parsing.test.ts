import { parseRetryAfter, toComment } from '../../src/widget/api';
import { authorizationUrl, checkAuthorizationResponse, toAuthorizationResponse, type PendingSignIn } from '../../src/widget/authorize';
import { initialOf } from '../../src/widget/avatar';
import { formatCommentDate } from '../../src/widget/dates';
import type { Discovery } from '../../src/widget/discovery';
import { readEmbedConfig } from '../../src/widget/embed';
import { luminance } from '../../src/widget/theme';
import { buildThread } from '../../src/widget/thread-tree';
import { isExpired, readAccessToken } from '../../src/widget/token';

const discovery: Discovery = {
  issuer: 'https://login.example',
  authorization_endpoint: 'https://login.example/auth',
  token_endpoint: 'https://login.example/token',
  authorization_response_iss_parameter_supported: true,
};

const pending: PendingSignIn = { state: 'p.abc', verifier: 'v', redirectUri: 'https://login.example/relay/blog', siteId: 'blog', postId: 'post', createdAt: 0 };

function jwt(claims: object): string {
  return `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
}

describe('the embed code', () => {
  test('gateway from data-parley-gateway, comment service from the script’s own origin', () => {
    const script = { src: 'https://comments.example/widget.js?v=2', getAttribute: () => 'https://login.example/' };
    expect(readEmbedConfig(script)).toEqual({ gatewayUrl: 'https://login.example', commentsUrl: 'https://comments.example' });
  });

  test('a missing or non-http gateway is a setup error naming the attribute', () => {
    expect(() => readEmbedConfig({ src: 'https://c.example/widget.js', getAttribute: () => null })).toThrow(/data-parley-gateway/);
    expect(() => readEmbedConfig({ src: 'https://c.example/widget.js', getAttribute: () => 'javascript:alert(1)' })).toThrow(/http\(s\)/);
    expect(() => readEmbedConfig(null)).toThrow(/script/);
  });
});

describe('the authorization request', () => {
  test('asks for code + PKCE S256 at the site’s relay, with the provider and prompt=login when asked', () => {
    const url = new URL(authorizationUrl(discovery, { siteId: 'blog', state: 'p.abc', challenge: 'ch', provider: 'twitter', forceLogin: true }));
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'blog',
      redirect_uri: 'https://login.example/relay/blog',
      response_type: 'code',
      scope: 'openid profile comments',
      state: 'p.abc',
      code_challenge: 'ch',
      code_challenge_method: 'S256',
      provider: 'twitter',
      prompt: 'login',
    });
    expect(new URL(authorizationUrl(discovery, { siteId: 'blog', state: 's', challenge: 'c' })).searchParams.has('prompt')).toBe(false);
  });

  test('a response is accepted only with this tab’s exact state and the gateway as issuer (RFC 9207)', () => {
    const ok = { state: 'p.abc', code: 'c', iss: 'https://login.example' };
    expect(checkAuthorizationResponse(ok, pending, discovery)).toBeUndefined();
    expect(checkAuthorizationResponse({ ...ok, state: 'p.abd' }, pending, discovery)).toBe('state_mismatch');
    expect(checkAuthorizationResponse({ ...ok, iss: 'https://evil.example' }, pending, discovery)).toBe('issuer_mismatch');
    expect(checkAuthorizationResponse({ state: 'p.abc', code: 'c' }, pending, discovery)).toBe('issuer_mismatch');
    expect(checkAuthorizationResponse({ state: 'p.abc', iss: 'https://login.example' }, pending, discovery)).toBe('no_code');
    expect(checkAuthorizationResponse({ state: 'p.abc', iss: 'https://login.example', error: 'access_denied' }, pending, discovery)).toBeUndefined();
  });

  test('only messages of the relay’s type are read', () => {
    expect(toAuthorizationResponse({ type: 'parley:authorization_response', state: 's', code: 'c', iss: 'i', extra: 1 })).toEqual({
      state: 's',
      code: 'c',
      iss: 'i',
      error: undefined,
      error_description: undefined,
    });
    expect(toAuthorizationResponse({ type: 'other', state: 's' })).toBeUndefined();
    expect(toAuthorizationResponse('parley:authorization_response')).toBeUndefined();
    expect(toAuthorizationResponse({ type: 'parley:authorization_response', state: 1 })).toBeUndefined();
  });
});

describe('the access token', () => {
  test('gives the name, an https picture, the provider and the expiry', () => {
    const commenter = readAccessToken(jwt({ name: 'Zoë', picture: 'https://pics.example/z.png', idp: 'facebook', exp: 2000 }))!;
    expect(commenter).toMatchObject({ name: 'Zoë', picture: 'https://pics.example/z.png', idp: 'facebook', expiresAt: 2_000_000 });
    expect(readAccessToken(jwt({ name: 'A', picture: 'http://pics.example/a.png', idp: 'myspace', exp: 1 }))).toMatchObject({ picture: undefined, idp: undefined });
    expect(readAccessToken(jwt({ name: 'no expiry' }))).toBeUndefined();
    expect(readAccessToken('not-a-jwt')).toBeUndefined();
  });

  test('counts as expired 30 seconds early', () => {
    const commenter = readAccessToken(jwt({ name: 'A', exp: 1000 }))!;
    expect(isExpired(commenter, 969_000)).toBe(false);
    expect(isExpired(commenter, 970_000)).toBe(true);
  });
});

describe('comments from the API', () => {
  test('are taken in the documented shape only', () => {
    expect(toComment({ id: 'c1', parentId: null, author: { name: 'Ann', picture: null, idp: 'email' }, body: 'hi', createdAt: '2026-01-01T00:00:00Z' })).toEqual({
      id: 'c1',
      parentId: null,
      author: { name: 'Ann', picture: undefined, idp: 'email' },
      body: 'hi',
      createdAt: '2026-01-01T00:00:00Z',
      removed: undefined,
    });
    expect(toComment({ id: 'c2', parentId: 'c1', author: null, body: '', createdAt: 'x', state: 'deleted' })).toMatchObject({ removed: 'deleted', body: '' });
    expect(toComment({ id: 'c3', author: { picture: 'javascript:alert(1)' }, body: 'x' })?.author).toEqual({ name: 'Anonymous', picture: undefined, idp: undefined });
    expect(toComment({ body: 'no id' })).toBeUndefined();
    expect(toComment(null)).toBeUndefined();
    // Pre-moderation and the author's mark: only exactly these values count.
    expect(toComment({ id: 'c4', body: 'held', state: 'pending', byAuthor: true })).toMatchObject({ pending: true, byAuthor: true, removed: undefined, body: 'held' });
    expect(toComment({ id: 'c5', body: 'x', state: 'Pending', byAuthor: 'true' })).not.toHaveProperty('pending');
    expect(toComment({ id: 'c5', body: 'x', state: 'Pending', byAuthor: 'true' })).not.toHaveProperty('byAuthor');
  });

  test('Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('30', 0)).toBe(30);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:01:00 GMT', 0)).toBe(60);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter(null, 0)).toBeUndefined();
  });

  test('nest under their parents in creation order; orphans and comments in a cycle go to the top level', () => {
    const comment = (id: string, parentId: string | null) => ({ id, parentId, author: { name: id, picture: undefined, idp: undefined }, body: id, createdAt: '' });
    const thread = buildThread([comment('a', null), comment('b', 'a'), comment('c', null), comment('d', 'b'), comment('e', 'a'), comment('f', 'gone'), comment('x', 'y'), comment('y', 'x')]);
    const shape = (nodes: ReturnType<typeof buildThread>): unknown => nodes.map((node) => [node.comment.id, shape(node.replies)]);
    expect(shape(thread)).toEqual([
      ['a', [['b', [['d', []]]], ['e', []]]],
      ['c', []],
      ['f', []],
      ['x', []],
      ['y', []],
    ]);
  });
});

describe('small things shown', () => {
  test('dates read relative for a week, then as a calendar date', () => {
    const now = Date.parse('2026-03-10T12:00:00Z');
    expect(formatCommentDate('2026-03-10T11:59:50Z', now)?.text).toBe('just now');
    expect(formatCommentDate('2026-03-10T11:55:00Z', now)?.text).toBe('5 minutes ago');
    expect(formatCommentDate('2026-03-10T09:00:00Z', now)?.text).toBe('3 hours ago');
    expect(formatCommentDate('2026-03-09T10:00:00Z', now)?.text).toBe('yesterday');
    expect(formatCommentDate('2026-02-01T10:00:00Z', now)?.text).toBe('February 1, 2026');
    expect(formatCommentDate('not a date', now)).toBeUndefined();
  });

  test('a comment under a minute old reads “just now”, never “this minute”, so a thread says it one way', () => {
    const now = Date.parse('2026-03-10T12:00:00Z');
    const underAMinute = [0, 1, 44, 45, 50, 59].map((seconds) => formatCommentDate(new Date(now - seconds * 1000).toISOString(), now)?.text);
    expect(new Set(underAMinute)).toEqual(new Set(['just now']));
    expect(formatCommentDate('2026-03-10T11:59:00Z', now)?.text).toBe('1 minute ago');
    expect(formatCommentDate('2026-03-10T11:58:59Z', now)?.text).toBe('1 minute ago');
  });

  test('the stand-in avatar shows the first letter or digit of the name', () => {
    expect(initialOf('alice')).toBe('A');
    expect(initialOf(`Carol <O'Hara> & "Co"`)).toBe('C');
    expect(initialOf('"<b>Bold</b>"')).toBe('B');
    expect(initialOf('Ørjan')).toBe('Ø');
    expect(initialOf('!!!')).toBe('?');
  });

  test('luminance tells a dark page from a light one', () => {
    expect(luminance([255, 255, 255])).toBeCloseTo(1);
    expect(luminance([21, 23, 26])).toBeLessThan(0.2);
  });
});
