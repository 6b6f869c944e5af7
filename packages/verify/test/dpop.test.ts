import {
  createVerifier,
  jwkThumbprint,
  MAX_DPOP_PROOF_BYTES,
  VerifyError,
  type DpopReplayStore,
  type VerifiableRequest,
  type Verifier,
  type VerifyErrorCode,
} from '../src';
import { dpopKey, makeProof, type DpopKey, type ProofOptions } from './helpers/dpop';
import {
  AUDIENCE,
  FakeClock,
  FIXED_NOW_MS,
  fixtureKey,
  mintToken,
  SITE,
  startFixtureIssuer,
  type FixtureIssuer,
  type FixtureKey,
} from './helpers/issuer';

/**
 * DPoP-bound tokens at the verifier (RFC 9449 §4.3, §7.1): each check of the proof refuses on its
 * own, with its own code, and a bound token is never accepted as Bearer.
 */

const PATH = '/api/sites/demo-blog/posts/hello/comments';
const HTU = `${AUDIENCE}${PATH}`;

let signingKey: FixtureKey;
let gateway: FixtureIssuer;
let clock: FakeClock;
let verifier: Verifier;
let client: DpopKey;

beforeAll(async () => {
  signingKey = await fixtureKey('RS256', 'dpop-rsa');
  gateway = await startFixtureIssuer([signingKey]);
  client = dpopKey();
});

afterAll(() => gateway.close());

beforeEach(() => {
  clock = new FakeClock(FIXED_NOW_MS);
  verifier = createVerifier({ issuer: gateway.issuer, audience: AUDIENCE, clientId: [SITE, 'other-blog'], clock: clock.now });
});

/** A token bound to `key` (cnf.jkt), or unbound with `key` null. */
function boundToken(key: DpopKey | null = client, claims: Record<string, unknown> = {}): Promise<string> {
  return mintToken(signingKey, gateway.issuer, clock.nowSeconds, {
    claims: { ...(key === null ? {} : { cnf: { jkt: key.thumbprint } }), ...claims },
  });
}

function proof(token: string, options: Partial<ProofOptions> = {}, key: DpopKey = client): string {
  return makeProof(key, { htu: HTU, token, iat: clock.nowSeconds, ...options });
}

function request(token: string, dpop: VerifiableRequest['dpop'], overrides: Partial<VerifiableRequest> = {}): VerifiableRequest {
  return { authorization: `DPoP ${token}`, dpop, method: 'POST', url: PATH, ...overrides };
}

async function refusal(attempt: Promise<unknown>): Promise<{ code: VerifyErrorCode; status: number; bearerError: string | undefined }> {
  const error: unknown = await attempt.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof VerifyError)) throw new Error(`expected a VerifyError, got ${String(error)}`);
  return { code: error.code, status: error.status, bearerError: error.bearerError };
}

describe('a DPoP-bound token with a valid proof', () => {
  it('is accepted and names the key it is bound to', async () => {
    const token = await boundToken();
    const commenter = await verifier.verifyRequest(request(token, proof(token)));
    expect(commenter).toMatchObject({ sub: 'pairwise-7f3a', siteId: SITE, dpopKeyThumbprint: client.thumbprint });
  });

  it('is accepted again with a new proof (the token is cached, each proof is checked)', async () => {
    const token = await boundToken();
    await verifier.verifyRequest(request(token, proof(token)));
    await expect(verifier.verifyRequest(request(token, proof(token)))).resolves.toMatchObject({ siteId: SITE });
    expect(await refusal(verifier.verifyRequest(request(token, proof(token, { claims: { ath: 'x'.repeat(43) } })))))
      .toMatchObject({ code: 'ERR_DPOP_PROOF_TOKEN_HASH' });
  });

  it('accepts the scheme in any case, an htu with a query and fragment, and an EdDSA proof when allowed', async () => {
    const token = await boundToken();
    await expect(verifier.verifyRequest(request(token, proof(token), { authorization: `dpop ${token}` }))).resolves.toBeDefined();
    await expect(verifier.verifyRequest(request(token, proof(token, { htu: `${HTU}?page=2#top` })))).resolves.toBeDefined();
    const ed = dpopKey('EdDSA');
    const edToken = await boundToken(ed);
    const both = createVerifier({ issuer: gateway.issuer, audience: AUDIENCE, clientId: SITE, clock: clock.now, dpopAlgorithms: ['ES256', 'EdDSA'] });
    await expect(both.verifyRequest(request(edToken, proof(edToken, {}, ed)))).resolves.toMatchObject({ dpopKeyThumbprint: ed.thumbprint });
    expect(await refusal(verifier.verifyRequest(request(edToken, proof(edToken, {}, ed))))).toMatchObject({ code: 'ERR_DPOP_PROOF_ALGORITHM' });
  });

  it('matches an htu that differs only in normal form (RFC 3986 §6.2.2, §6.2.3)', async () => {
    const token = await boundToken();
    const variants = [
      'HTTP://COMMENTS.TEST/api/sites/demo-blog/posts/hello/comments',
      'http://comments.test:80/api/sites/demo-blog/posts/hello/comments',
      'http://comments.test/api/sites/%64emo-blog/posts/hello/comments',
      'http://comments.test/api/x/../sites/demo-blog/posts/hello/comments',
    ];
    for (const htu of variants) await expect(verifier.verifyRequest(request(token, proof(token, { htu })))).resolves.toBeDefined();
  });
});

describe('a bound token presented as Bearer', () => {
  it('is refused by verify and by verifyRequest, with a DPoP challenge', async () => {
    const token = await boundToken();
    expect(await refusal(verifier.verify(token))).toEqual({ code: 'ERR_TOKEN_BOUND', status: 401, bearerError: 'invalid_token' });
    expect(await refusal(verifier.verifyRequest({ authorization: `Bearer ${token}`, dpop: proof(token), method: 'POST', url: PATH }))).toMatchObject({
      code: 'ERR_TOKEN_BOUND',
    });
  });

  it('is refused even after it was accepted as DPoP (the cached result keeps the binding)', async () => {
    const token = await boundToken();
    await verifier.verifyRequest(request(token, proof(token)));
    expect(await refusal(verifier.verify(token))).toMatchObject({ code: 'ERR_TOKEN_BOUND' });
  });
});

describe('an unbound token', () => {
  it('still works as Bearer', async () => {
    const token = await boundToken(null);
    await expect(verifier.verify(token)).resolves.not.toHaveProperty('dpopKeyThumbprint');
    await expect(verifier.verifyRequest({ authorization: `Bearer ${token}`, dpop: undefined, method: 'POST', url: PATH })).resolves.toBeDefined();
  });

  it('is refused as DPoP, even with a proof', async () => {
    const token = await boundToken(null);
    expect(await refusal(verifier.verifyRequest(request(token, proof(token))))).toEqual({ code: 'ERR_TOKEN_NOT_BOUND', status: 401, bearerError: 'invalid_token' });
  });

  it('is refused as Bearer for a site that requires DPoP, and accepted for one that does not', async () => {
    const strict = createVerifier({ issuer: gateway.issuer, audience: AUDIENCE, clientId: [SITE, 'other-blog'], requireDpop: [SITE], clock: clock.now });
    expect(await refusal(strict.verify(await boundToken(null)))).toMatchObject({ code: 'ERR_TOKEN_NOT_BOUND' });
    await expect(strict.verify(await boundToken(null, { client_id: 'other-blog' }))).resolves.toMatchObject({ siteId: 'other-blog' });
    const bound = await boundToken();
    await expect(strict.verifyRequest(request(bound, proof(bound)))).resolves.toBeDefined();
  });

  it('refuses a cnf that is not a DPoP key thumbprint', async () => {
    expect(await refusal(verifier.verify(await boundToken(null, { cnf: { 'x5t#S256': 'abc' } })))).toMatchObject({ code: 'ERR_TOKEN_CLAIM' });
    expect(await refusal(verifier.verify(await boundToken(null, { cnf: { jkt: 'short' } })))).toMatchObject({ code: 'ERR_TOKEN_CLAIM' });
    expect(await refusal(verifier.verify(await boundToken(null, { cnf: 'jkt' })))).toMatchObject({ code: 'ERR_TOKEN_CLAIM' });
  });
});

describe('the proof header', () => {
  it.each<[string, VerifiableRequest['dpop'], VerifyErrorCode]>([
    ['missing', undefined, 'ERR_DPOP_PROOF_MISSING'],
    ['empty', '', 'ERR_DPOP_PROOF_MISSING'],
    ['sent twice (an array)', ['a.b.c', 'a.b.c'], 'ERR_DPOP_PROOF_MISSING'],
    ['sent twice (joined by node:http)', 'a.b.c, a.b.c', 'ERR_DPOP_PROOF_MISSING'],
    ['not a JWS', 'not-a-jws', 'ERR_DPOP_PROOF_MALFORMED'],
    ['larger than the limit', `${'a'.repeat(MAX_DPOP_PROOF_BYTES)}.b.c`, 'ERR_DPOP_PROOF_MALFORMED'],
  ])('refuses a proof %s with invalid_dpop_proof', async (_case, dpop, code) => {
    const token = await boundToken();
    expect(await refusal(verifier.verifyRequest(request(token, dpop)))).toEqual({ code, status: 401, bearerError: 'invalid_dpop_proof' });
  });
});

describe('each check of the proof', () => {
  const other = dpopKey();
  const cases: [string, (token: string) => string, VerifyErrorCode][] = [
    ['typ is not dpop+jwt', (token) => proof(token, { header: { typ: 'JWT' } }), 'ERR_DPOP_PROOF_TYPE'],
    ['typ is missing', (token) => proof(token, { header: { typ: undefined } }), 'ERR_DPOP_PROOF_TYPE'],
    ['alg is none', (token) => `${proof(token, { header: { alg: 'none' } }).split('.').slice(0, 2).join('.')}.`, 'ERR_DPOP_PROOF_ALGORITHM'],
    ['alg is HS256', (token) => proof(token, { header: { alg: 'HS256' } }), 'ERR_DPOP_PROOF_ALGORITHM'],
    ['alg is RS256', (token) => proof(token, { header: { alg: 'RS256' } }), 'ERR_DPOP_PROOF_ALGORITHM'],
    ['jwk is missing', (token) => proof(token, { header: { jwk: undefined } }), 'ERR_DPOP_PROOF_KEY'],
    ['jwk is the private key', (token) => proof(token, { header: { jwk: client.privateJwk } }), 'ERR_DPOP_PROOF_KEY'],
    ['jwk carries a symmetric k', (token) => proof(token, { header: { jwk: { ...client.publicJwk, k: 'c2VjcmV0' } } }), 'ERR_DPOP_PROOF_KEY'],
    ['jwk names another alg than the header', (token) => proof(token, { header: { jwk: { ...client.publicJwk, alg: 'ES384' } } }), 'ERR_DPOP_PROOF_ALGORITHM'],
    ['jwk is an Ed25519 key under ES256', (token) => proof(token, { header: { jwk: dpopKey('EdDSA').publicJwk } }), 'ERR_DPOP_PROOF_ALGORITHM'],
    ['crit names an extension', (token) => proof(token, { header: { crit: ['exp'] } }), 'ERR_DPOP_PROOF_MALFORMED'],
    ['the signature is by another key', (token) => proof(token, { signWith: other.privateKey }), 'ERR_DPOP_PROOF_SIGNATURE'],
    ['the whole proof is by another key', (token) => proof(token, {}, other), 'ERR_TOKEN_KEY_MISMATCH'],
    ['htm is another method', (token) => proof(token, { htm: 'GET' }), 'ERR_DPOP_PROOF_METHOD'],
    ['htm is in lower case', (token) => proof(token, { htm: 'post' }), 'ERR_DPOP_PROOF_METHOD'],
    ['htu is another path', (token) => proof(token, { htu: `${AUDIENCE}/api/sites/demo-blog/posts/other/comments` }), 'ERR_DPOP_PROOF_URL'],
    ['htu is another host', (token) => proof(token, { htu: `http://evil.example${PATH}` }), 'ERR_DPOP_PROOF_URL'],
    ['htu is https for an http service', (token) => proof(token, { htu: `https://comments.test${PATH}` }), 'ERR_DPOP_PROOF_URL'],
    ['htu has credentials', (token) => proof(token, { htu: `http://user@comments.test${PATH}` }), 'ERR_DPOP_PROOF_URL'],
    ['htu is not a URL', (token) => proof(token, { htu: 'comments' }), 'ERR_DPOP_PROOF_URL'],
    ['htu is missing', (token) => proof(token, { claims: { htu: undefined } }), 'ERR_DPOP_PROOF_MALFORMED'],
    ['jti is missing', (token) => proof(token, { claims: { jti: undefined } }), 'ERR_DPOP_PROOF_MALFORMED'],
    ['jti is a number', (token) => proof(token, { claims: { jti: 7 } }), 'ERR_DPOP_PROOF_MALFORMED'],
    ['jti is too long', (token) => proof(token, { jti: 'j'.repeat(201) }), 'ERR_DPOP_PROOF_MALFORMED'],
    ['iat is missing', (token) => proof(token, { claims: { iat: undefined } }), 'ERR_DPOP_PROOF_MALFORMED'],
    ['iat is 61 seconds old', (token) => proof(token, { iat: clock.nowSeconds - 61 }), 'ERR_DPOP_PROOF_TIME'],
    ['iat is 6 seconds ahead', (token) => proof(token, { iat: clock.nowSeconds + 6 }), 'ERR_DPOP_PROOF_TIME'],
    ['ath is missing', (token) => proof(token, { claims: { ath: undefined } }), 'ERR_DPOP_PROOF_TOKEN_HASH'],
    ['ath is of another token', (token) => proof(`${token}x`), 'ERR_DPOP_PROOF_TOKEN_HASH'],
  ];

  it.each(cases)('refuses a proof whose %s', async (_case, makeBadProof, code) => {
    const token = await boundToken();
    const expected = code.startsWith('ERR_DPOP_PROOF_') ? 'invalid_dpop_proof' : 'invalid_token';
    expect(await refusal(verifier.verifyRequest(request(token, makeBadProof(token))))).toEqual({ code, status: 401, bearerError: expected });
  });

  it('checks the signature of every proof, also once the same header has been accepted', async () => {
    const token = await boundToken();
    await verifier.verifyRequest(request(token, proof(token)));
    expect(await refusal(verifier.verifyRequest(request(token, proof(token, { signWith: dpopKey().privateKey }))))).toMatchObject({ code: 'ERR_DPOP_PROOF_SIGNATURE' });
    const otherToken = await boundToken(dpopKey());
    expect(await refusal(verifier.verifyRequest(request(otherToken, proof(otherToken))))).toMatchObject({ code: 'ERR_TOKEN_KEY_MISMATCH' });
  });

  it('refuses a jwk that is no point on the curve, even for a token bound to its thumbprint', async () => {
    const offCurve = { ...client.publicJwk, y: client.publicJwk.x! };
    const thumbprint = jwkThumbprint(offCurve)!;
    const token = await boundToken({ ...client, publicJwk: offCurve, thumbprint });
    const bad = proof(token, { header: { jwk: offCurve } });
    expect(await refusal(verifier.verifyRequest(request(token, bad)))).toMatchObject({ code: 'ERR_DPOP_PROOF_KEY' });
  });

  it('accepts iat 60 seconds old and 5 seconds ahead, the edges of the default window', async () => {
    const token = await boundToken();
    await expect(verifier.verifyRequest(request(token, proof(token, { iat: clock.nowSeconds - 60 })))).resolves.toBeDefined();
    await expect(verifier.verifyRequest(request(token, proof(token, { iat: clock.nowSeconds + 5 })))).resolves.toBeDefined();
  });

  it('refuses a proof for another method or path of the same request', async () => {
    const token = await boundToken();
    expect(await refusal(verifier.verifyRequest(request(token, proof(token), { method: 'PATCH' })))).toMatchObject({ code: 'ERR_DPOP_PROOF_METHOD' });
    expect(await refusal(verifier.verifyRequest(request(token, proof(token), { url: `${PATH}/abc` })))).toMatchObject({ code: 'ERR_DPOP_PROOF_URL' });
  });

  it('takes only the path of an absolute-form request target, never its host', async () => {
    const token = await boundToken();
    await expect(verifier.verifyRequest(request(token, proof(token), { url: `http://evil.example${PATH}?x=1` }))).resolves.toBeDefined();
    const forHostile = proof(token, { htu: `http://evil.example${PATH}` });
    expect(await refusal(verifier.verifyRequest(request(token, forHostile, { url: `http://evil.example${PATH}` })))).toMatchObject({ code: 'ERR_DPOP_PROOF_URL' });
    expect(await refusal(verifier.verifyRequest(request(token, proof(token), { url: '*' })))).toMatchObject({ code: 'ERR_DPOP_PROOF_URL' });
  });
});

describe('the replay cache', () => {
  it('refuses a proof used once already, with the same or another token of the same key', async () => {
    const token = await boundToken();
    const used = proof(token);
    await verifier.verifyRequest(request(token, used));
    expect(await refusal(verifier.verifyRequest(request(token, used)))).toEqual({ code: 'ERR_DPOP_PROOF_REPLAYED', status: 401, bearerError: 'invalid_dpop_proof' });
    const jti = 'same-jti';
    await verifier.verifyRequest(request(token, proof(token, { jti })));
    expect(await refusal(verifier.verifyRequest(request(token, proof(token, { jti, iat: clock.nowSeconds - 1 }))))).toMatchObject({ code: 'ERR_DPOP_PROOF_REPLAYED' });
  });

  it('does not burn a jti on a proof that failed another check', async () => {
    const token = await boundToken();
    expect(await refusal(verifier.verifyRequest(request(token, proof(token, { jti: 'first', htm: 'GET' }))))).toMatchObject({ code: 'ERR_DPOP_PROOF_METHOD' });
    await expect(verifier.verifyRequest(request(token, proof(token, { jti: 'first' })))).resolves.toBeDefined();
  });

  it('keys proofs by the token key, so one client cannot burn another client\'s jti', async () => {
    const mallory = dpopKey();
    const malloryToken = await boundToken(mallory);
    const token = await boundToken();
    await verifier.verifyRequest(request(malloryToken, proof(malloryToken, { jti: 'shared' }, mallory)));
    await expect(verifier.verifyRequest(request(token, proof(token, { jti: 'shared' })))).resolves.toBeDefined();
  });

  it('uses the store it is given, with the key, the expiry and the answer', async () => {
    const remembered: [string, number][] = [];
    const store: DpopReplayStore = {
      remember: async (key, expiresAtMs) => {
        remembered.push([key, expiresAtMs]);
        return remembered.length === 1;
      },
    };
    const shared = createVerifier({ issuer: gateway.issuer, audience: AUDIENCE, clientId: SITE, clock: clock.now, dpopReplayStore: store });
    const token = await boundToken();
    await shared.verifyRequest(request(token, proof(token, { jti: 'abc' })));
    expect(remembered).toEqual([[`${client.thumbprint}.abc`, (clock.nowSeconds + 61) * 1000]]);
    expect(await refusal(shared.verifyRequest(request(token, proof(token))))).toMatchObject({ code: 'ERR_DPOP_PROOF_REPLAYED' });
  });

  it('answers 503 when the store fails, never accepting the proof unchecked', async () => {
    const failing: DpopReplayStore = { remember: () => Promise.reject(new Error('connection refused')) };
    const shared = createVerifier({ issuer: gateway.issuer, audience: AUDIENCE, clientId: SITE, clock: clock.now, dpopReplayStore: failing });
    const token = await boundToken();
    expect(await refusal(shared.verifyRequest(request(token, proof(token))))).toEqual({ code: 'ERR_DPOP_REPLAY_UNAVAILABLE', status: 503, bearerError: undefined });
  });

  it('answers 503 when the in-memory store is full of proofs still in their window', async () => {
    const small = createVerifier({ issuer: gateway.issuer, audience: AUDIENCE, clientId: SITE, clock: clock.now, dpopReplayCacheMaxEntries: 2 });
    const token = await boundToken();
    await small.verifyRequest(request(token, proof(token)));
    await small.verifyRequest(request(token, proof(token)));
    expect(await refusal(small.verifyRequest(request(token, proof(token))))).toMatchObject({ code: 'ERR_DPOP_REPLAY_UNAVAILABLE', status: 503 });
    clock.advanceSeconds(62);
    const later = await boundToken();
    await expect(small.verifyRequest(request(later, proof(later)))).resolves.toBeDefined();
  });
});
