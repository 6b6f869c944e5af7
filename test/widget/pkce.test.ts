import { base64urlToText, bytesToBase64url, base64urlToBytes, textToBase64url } from '../../src/widget/base64url';
import { codeChallengeS256, createPkcePair, randomToken } from '../../src/widget/pkce';

describe('base64url', () => {
  test('round-trips bytes and UTF-8 text without padding', () => {
    const bytes = new Uint8Array([0, 251, 255, 62, 63]);
    expect(bytesToBase64url(bytes)).toBe('APv_Pj8');
    expect(Array.from(base64urlToBytes('APv_Pj8'))).toEqual(Array.from(bytes));
    expect(base64urlToText(textToBase64url('Zoë «hé» 🙂'))).toBe('Zoë «hé» 🙂');
  });

  test('refuses what is not base64url', () => {
    expect(() => base64urlToBytes('a+b/')).toThrow('not base64url');
    expect(() => base64urlToBytes('abc=')).toThrow('not base64url');
  });
});

describe('PKCE', () => {
  test('the S256 challenge of RFC 7636 Appendix B', async () => {
    expect(await codeChallengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  test('verifiers are 43 unreserved characters (32 random bytes), different every time', async () => {
    const first = await createPkcePair();
    const second = await createPkcePair();
    expect(first.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.verifier).not.toBe(second.verifier);
    expect(first.challenge).toBe(await codeChallengeS256(first.verifier));
    expect(randomToken(16)).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});
