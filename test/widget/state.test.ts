import { decodeState, encodeState, returnAddress } from '../../src/widget/state';

describe('the sign-in state', () => {
  test('carries the mode, the page to come back to and the nonce', () => {
    const popup = encodeState({ mode: 'popup', returnTo: 'https://blog.example/post?p=1#comments', nonce: 'n1' });
    const redirect = encodeState({ mode: 'redirect', returnTo: 'https://blog.example/post?p=1', nonce: 'n2' });
    expect(popup).toMatch(/^p\.[A-Za-z0-9_-]+$/);
    expect(redirect).toMatch(/^r\.[A-Za-z0-9_-]+$/);
    // The fragment never goes along: the answer comes back in it.
    expect(decodeState(popup)).toEqual({ mode: 'popup', returnTo: 'https://blog.example/post?p=1', nonce: 'n1' });
    expect(decodeState(redirect)).toEqual({ mode: 'redirect', returnTo: 'https://blog.example/post?p=1', nonce: 'n2' });
  });

  test('keeps only origin and path of a very long address', () => {
    expect(returnAddress(`https://blog.example/post?${'x'.repeat(2000)}`)).toBe('https://blog.example/post');
  });

  test.each([['random-state'], ['p.'], ['p.!!!'], [`r.${Buffer.from('{"returnTo":1,"nonce":"n"}').toString('base64url')}`], [`r.${Buffer.from('{"returnTo":"x","nonce":""}').toString('base64url')}`], [`p.${Buffer.from('[]').toString('base64url')}`]])(
    'decodes %s to nothing',
    (state) => {
      expect(decodeState(state)).toBeUndefined();
    },
  );
});
