import {
  ACCESS_TOKEN_TTL_SECONDS,
  ID_TOKEN_TTL_SECONDS,
  isIdentityProvider,
  pairwiseSubject,
  profileClaims,
} from '../../src/tokens/claims';
import type { Account } from '../../src/store/accounts';

const SECRET = 'pairwise-secret-for-tests-0123456789';

describe('pairwiseSubject', () => {
  it('gives one site the same subject for a commenter every time', () => {
    expect(pairwiseSubject(SECRET, 'blog-a', 'account-1')).toBe(pairwiseSubject(SECRET, 'blog-a', 'account-1'));
  });

  it('gives two sites different subjects for the same commenter, so they cannot correlate', () => {
    expect(pairwiseSubject(SECRET, 'blog-a', 'account-1')).not.toBe(pairwiseSubject(SECRET, 'blog-b', 'account-1'));
  });

  it('gives two commenters different subjects on the same site', () => {
    expect(pairwiseSubject(SECRET, 'blog-a', 'account-1')).not.toBe(pairwiseSubject(SECRET, 'blog-a', 'account-2'));
  });

  it('keeps the boundary between site and account, so "ab"+"c" and "a"+"bc" differ', () => {
    expect(pairwiseSubject(SECRET, 'ab', 'c')).not.toBe(pairwiseSubject(SECRET, 'a', 'bc'));
  });

  it('depends on the secret, so subjects cannot be recomputed without it', () => {
    expect(pairwiseSubject(SECRET, 'blog-a', 'account-1')).not.toBe(pairwiseSubject(`${SECRET}!`, 'blog-a', 'account-1'));
  });

  it('is an opaque base64url string that does not reveal the account id', () => {
    const subject = pairwiseSubject(SECRET, 'blog-a', 'account-1');
    expect(subject).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(subject).not.toContain('account-1');
  });
});

describe('profileClaims', () => {
  const account = (picture: string | null): Account => ({ id: 'account-1', displayName: 'Ada Lovelace', picture });

  it('carries the name and an https picture', () => {
    expect(profileClaims(account('https://pbs.twimg.example/ada.png'))).toEqual({
      name: 'Ada Lovelace',
      picture: 'https://pbs.twimg.example/ada.png',
    });
  });

  it.each([
    ['no picture at all', null],
    ['an empty picture', ''],
    ['an http picture (mixed content on an https blog)', 'http://pbs.twimg.example/ada.png'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a data: URL', 'data:image/png;base64,iVBORw0KGgo='],
    ['a protocol-relative URL', '//pbs.twimg.example/ada.png'],
    ['a relative path', '/avatars/ada.png'],
    ['an https prefix that is not a URL (the verifier would reject the whole token)', 'https://'],
    ['an https prefix with a space in the host', 'https://pbs twimg.example/ada.png'],
  ])('drops %s, leaving no picture claim', (_what, picture) => {
    const claims = profileClaims(account(picture));
    expect(claims).toEqual({ name: 'Ada Lovelace' });
    expect(claims).not.toHaveProperty('picture');
  });
});

describe('the token claims module', () => {
  it('keeps access and ID tokens within the 15 minutes the contract allows', () => {
    expect(ACCESS_TOKEN_TTL_SECONDS).toBeLessThanOrEqual(15 * 60);
    expect(ID_TOKEN_TTL_SECONDS).toBeLessThanOrEqual(15 * 60);
  });

  it.each([
    ['email', true],
    ['twitter', true],
    ['facebook', true],
    ['google', false],
    ['Email', false],
    [undefined, false],
  ])('recognises %p as an identity provider: %p', (value, expected) => {
    expect(isIdentityProvider(value)).toBe(expected);
  });
});
