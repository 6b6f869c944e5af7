import { calculateJwkThumbprint, compactVerify, importJWK } from 'jose';
import { accessTokenHash, correctClockFrom, createDpopProof, targetUri } from '../../src/widget/dpop-proof';
import { createProofKey, type ProofKey } from '../../src/widget/proof-key';

/** Fixed "now" for the proofs' iat: 2026-01-01T00:00:00Z. */
const NOW_MS = Date.UTC(2026, 0, 1);

function claimsOf(proof: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(proof.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function headerOf(proof: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(proof.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

async function newKey(): Promise<ProofKey> {
  const key = await createProofKey();
  if (!key) throw new Error('this Node has no WebCrypto ECDSA');
  return key;
}

describe('the widget’s proof key', () => {
  test('is a P-256 key whose private half cannot be exported; its thumbprint is RFC 7638’s', async () => {
    const key = await newKey();
    expect(key.privateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('jwk', key.privateKey)).rejects.toThrow();
    await expect(crypto.subtle.exportKey('pkcs8', key.privateKey)).rejects.toThrow();
    expect(Object.keys(key.publicJwk).sort()).toEqual(['crv', 'kty', 'x', 'y']);
    expect(key.thumbprint).toBe(await calculateJwkThumbprint({ ...key.publicJwk }, 'sha256'));
  });

  test('two sign-ins get two different keys', async () => {
    expect((await newKey()).thumbprint).not.toBe((await newKey()).thumbprint);
  });
});

describe('a DPoP proof (RFC 9449 §4.2)', () => {
  afterEach(() => {
    jest.restoreAllMocks();
    correctClockFrom(new Date(NOW_MS).toUTCString(), NOW_MS);
  });

  test('is an ES256 dpop+jwt signed by the key it carries, for this method and URL, with the token’s hash', async () => {
    jest.spyOn(Date, 'now').mockReturnValue(NOW_MS);
    const key = await newKey();
    const proof = await createDpopProof(key, { method: 'post', url: 'https://comments.example/api/sites/s/posts/p/comments?x=1#top', accessToken: 'ey.token.sig' });

    const header = headerOf(proof);
    expect(header).toEqual({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk });
    await expect(compactVerify(proof, await importJWK(key.publicJwk, 'ES256'))).resolves.toBeDefined();
    expect(claimsOf(proof)).toEqual({
      jti: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      htm: 'POST',
      htu: 'https://comments.example/api/sites/s/posts/p/comments',
      iat: NOW_MS / 1000,
      ath: await accessTokenHash('ey.token.sig'),
    });
  });

  test('has a new jti every time, and no ath without a token (the token endpoint)', async () => {
    const key = await newKey();
    const request = { method: 'POST', url: 'https://gateway.example/token' };
    const first = claimsOf(await createDpopProof(key, request));
    const second = claimsOf(await createDpopProof(key, request));
    expect(first['jti']).not.toBe(second['jti']);
    expect(first['ath']).toBeUndefined();
  });

  test('carries the nonce the server asked for', async () => {
    const proof = await createDpopProof(await newKey(), { method: 'POST', url: 'https://gateway.example/token', nonce: 'n-123' });
    expect(claimsOf(proof)['nonce']).toBe('n-123');
  });

  test('ath is base64url(SHA-256(token))', async () => {
    // SHA-256("abc"), RFC 6234's first test vector.
    expect(await accessTokenHash('abc')).toBe(Buffer.from('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'hex').toString('base64url'));
  });
});

describe('the proofs’ clock', () => {
  afterEach(() => {
    jest.restoreAllMocks();
    correctClockFrom(new Date(NOW_MS).toUTCString(), NOW_MS);
  });

  async function iatAfter(dateHeader: string | null): Promise<number> {
    jest.spyOn(Date, 'now').mockReturnValue(NOW_MS);
    correctClockFrom(dateHeader, NOW_MS);
    return claimsOf(await createDpopProof(await newKey(), { method: 'POST', url: 'https://comments.example/' }))['iat'] as number;
  }

  test('follows a server whose Date is minutes away', async () => {
    expect(await iatAfter(new Date(NOW_MS - 120_000).toUTCString())).toBe(NOW_MS / 1000 - 120);
    expect(await iatAfter(new Date(NOW_MS + 300_000).toUTCString())).toBe(NOW_MS / 1000 + 300);
  });

  test('ignores a difference within Date’s one-second resolution, and a missing or unreadable Date', async () => {
    expect(await iatAfter(new Date(NOW_MS + 1_000).toUTCString())).toBe(NOW_MS / 1000);
    expect(await iatAfter(new Date(NOW_MS - 120_000).toUTCString())).toBe(NOW_MS / 1000 - 120);
    expect(await iatAfter(null)).toBe(NOW_MS / 1000 - 120);
    expect(await iatAfter('yesterday-ish')).toBe(NOW_MS / 1000 - 120);
  });

  test('htu drops query and fragment only', () => {
    expect(targetUri('https://c.example:8443/api/x%20y?q=1#f')).toBe('https://c.example:8443/api/x%20y');
  });
});
