import crypto from 'node:crypto';
import { SignJWT, type JWK } from 'jose';
import { createVerifier, MAX_TOKEN_BYTES, VerifyError, WrongSiteError, type Verifier, type VerifyErrorCode } from '../src';
import {
  AUDIENCE,
  SITE,
  base64urlJson,
  FakeClock,
  FIXED_NOW_MS,
  fixtureKey,
  gatewayClaims,
  mintToken,
  startFixtureIssuer,
  type FixtureIssuer,
  type FixtureKey,
  type MintOptions,
  signRs256Raw,
} from './helpers/issuer';

let rsa: FixtureKey;
let ec: FixtureKey;
let ed: FixtureKey;
let gateway: FixtureIssuer;
let clock: FakeClock;
let verifier: Verifier;

beforeAll(async () => {
  [rsa, ec, ed] = await Promise.all([
    fixtureKey('RS256', 'rsa-1'),
    fixtureKey('ES256', 'ec-1'),
    fixtureKey('EdDSA', 'ed-1'),
  ]);
  gateway = await startFixtureIssuer([rsa, ec, ed]);
});

afterAll(() => gateway.close());

beforeEach(() => {
  clock = new FakeClock(FIXED_NOW_MS);
  verifier = createVerifier({ issuer: gateway.issuer, audience: AUDIENCE, clientId: SITE, clock: clock.now });
});

const mint = (options?: MintOptions, key: FixtureKey = rsa) =>
  mintToken(key, gateway.issuer, clock.nowSeconds, options);

async function failure(token: string, target: Verifier = verifier): Promise<VerifyError> {
  const error: unknown = await target.verify(token).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof VerifyError)) throw new Error('the token was accepted');
  return error;
}

async function refusal(token: string, target: Verifier = verifier): Promise<{ code: VerifyErrorCode; status: number }> {
  const error: unknown = await target.verify(token).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (error === undefined) throw new Error('the token was accepted');
  const { code, status } = error as { code: VerifyErrorCode; status: number };
  return { code, status };
}

describe('verify accepts a genuine access token', () => {
  it('returns every Commenter field from an RS256 token', async () => {
    const commenter = await verifier.verify(await mint());

    expect(commenter).toEqual({
      sub: 'pairwise-7f3a',
      siteId: 'demo-blog',
      name: 'Ada Lovelace',
      picture: 'https://pics.example/ada.png',
      idp: 'twitter',
      scopes: ['openid', 'profile', 'comments'],
      tokenId: 'jti-0001',
      issuedAt: clock.nowSeconds,
      expiresAt: clock.nowSeconds + 600,
    });
    expect(Object.isFrozen(commenter)).toBe(true);
  });

  it('verifies ES256 and EdDSA tokens with their published keys', async () => {
    await expect(verifier.verify(await mint({}, ec))).resolves.toMatchObject({ sub: 'pairwise-7f3a' });
    await expect(verifier.verify(await mint({}, ed))).resolves.toMatchObject({ sub: 'pairwise-7f3a' });
  });

  it('accepts the typ application/at+jwt in any letter case', async () => {
    const token = await mint({ header: { typ: 'Application/AT+JWT' } });
    await expect(verifier.verify(token)).resolves.toMatchObject({ tokenId: 'jti-0001' });
  });

  it('accepts an audience array that contains the audience', async () => {
    const token = await mint({ claims: { aud: ['http://other.test', AUDIENCE] } });
    await expect(verifier.verify(token)).resolves.toMatchObject({ siteId: 'demo-blog' });
  });

  it('leaves picture out when the token has none', async () => {
    const commenter = await verifier.verify(await mint({ claims: { picture: undefined } }));
    expect(commenter).not.toHaveProperty('picture');
  });

  it('accepts a token that expired within the clock tolerance', async () => {
    const token = await mint({ claims: { iat: clock.nowSeconds - 620, exp: clock.nowSeconds - 20 } });
    await expect(verifier.verify(token)).resolves.toMatchObject({ expiresAt: clock.nowSeconds - 20 });
  });
});

describe('verify refuses algorithm confusion', () => {
  it('refuses an unsigned token (alg none) with ERR_TOKEN_ALGORITHM', async () => {
    const header = base64urlJson({ alg: 'none', typ: 'at+jwt', kid: rsa.kid });
    const payload = base64urlJson(gatewayClaims(gateway.issuer, clock.nowSeconds));

    await expect(refusal(`${header}.${payload}.`)).resolves.toEqual({ code: 'ERR_TOKEN_ALGORITHM', status: 401 });
    await expect(refusal(`${header}.${payload}.c2lnbmF0dXJl`)).resolves.toMatchObject({ code: 'ERR_TOKEN_ALGORITHM' });
  });

  it('refuses an HS256 token whose secret is the public key', async () => {
    const publicPem = crypto
      .createPublicKey({ key: rsa.publicJwk as crypto.JsonWebKey, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
    const token = await new SignJWT(gatewayClaims(gateway.issuer, clock.nowSeconds))
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: rsa.kid })
      .sign(new TextEncoder().encode(publicPem));

    await expect(refusal(token)).resolves.toEqual({ code: 'ERR_TOKEN_ALGORITHM', status: 401 });
  });

  it('refuses a token signed by another key under a published kid', async () => {
    const impostor = await fixtureKey('RS256', rsa.kid);
    await expect(refusal(await mint({}, impostor))).resolves.toEqual({ code: 'ERR_TOKEN_SIGNATURE', status: 401 });
  });

  it('refuses a token that carries its own key in the header', async () => {
    const attacker = await fixtureKey('RS256', 'attacker');
    const token = await mint({ header: { kid: rsa.kid, jwk: attacker.publicJwk } }, attacker);
    await expect(refusal(token)).resolves.toMatchObject({ code: 'ERR_TOKEN_SIGNATURE' });
  });

  it('refuses an algorithm left out of the configured list', async () => {
    const rsaOnly = createVerifier({
      issuer: gateway.issuer,
      audience: AUDIENCE,
      clientId: SITE,
      algorithms: ['RS256'],
      clock: clock.now,
    });
    await expect(refusal(await mint({}, ec), rsaOnly)).resolves.toMatchObject({ code: 'ERR_TOKEN_ALGORITHM' });
    await expect(rsaOnly.verify(await mint())).resolves.toMatchObject({ idp: 'twitter' });
  });

  it('refuses an alg that does not fit the key type of the kid', async () => {
    const token = await mint({ header: { kid: rsa.kid } }, ec);
    await expect(refusal(token)).resolves.toMatchObject({ code: 'ERR_TOKEN_ALGORITHM' });
  });

  it('refuses an alg the verifier does not implement', async () => {
    const header = base64urlJson({ alg: 'PS256', typ: 'at+jwt', kid: rsa.kid });
    const payload = base64urlJson(gatewayClaims(gateway.issuer, clock.nowSeconds));
    await expect(refusal(`${header}.${payload}.c2ln`)).resolves.toMatchObject({ code: 'ERR_TOKEN_ALGORITHM' });
  });
});

describe('verify refuses a bad header', () => {
  it.each([
    ['a missing typ', { typ: undefined }],
    ['typ JWT', { typ: 'JWT' }],
    ['typ at+jwt as a number', { typ: 7 }],
  ])('refuses %s with ERR_TOKEN_TYPE', async (_label, header) => {
    await expect(refusal(await mint({ header }))).resolves.toEqual({ code: 'ERR_TOKEN_TYPE', status: 401 });
  });

  it('refuses a missing kid with ERR_TOKEN_MALFORMED', async () => {
    await expect(refusal(await mint({ header: { kid: undefined } }))).resolves.toMatchObject({
      code: 'ERR_TOKEN_MALFORMED',
    });
  });

  it('refuses a crit header with ERR_TOKEN_MALFORMED', async () => {
    const header = base64urlJson({ alg: 'RS256', typ: 'at+jwt', kid: rsa.kid, crit: ['exp'] });
    const payload = base64urlJson(gatewayClaims(gateway.issuer, clock.nowSeconds));
    await expect(refusal(`${header}.${payload}.c2ln`)).resolves.toMatchObject({ code: 'ERR_TOKEN_MALFORMED' });
  });
});

describe('verify refuses a damaged token', () => {
  it('refuses a tampered payload with ERR_TOKEN_SIGNATURE', async () => {
    const [header, , signature] = (await mint()).split('.');
    const forged = base64urlJson({ ...gatewayClaims(gateway.issuer, clock.nowSeconds), name: 'Admin' });
    await expect(refusal(`${header}.${forged}.${signature}`)).resolves.toMatchObject({ code: 'ERR_TOKEN_SIGNATURE' });
  });

  it('refuses a truncated signature with ERR_TOKEN_SIGNATURE', async () => {
    const token = await mint();
    await expect(refusal(token.slice(0, -10))).resolves.toMatchObject({ code: 'ERR_TOKEN_SIGNATURE' });
  });

  it('refuses a token cut before its signature with ERR_TOKEN_MALFORMED', async () => {
    const [header, payload] = (await mint()).split('.');
    await expect(refusal(`${header}.${payload}`)).resolves.toMatchObject({ code: 'ERR_TOKEN_MALFORMED' });
  });

  it.each([
    ['garbage text', 'this is not a token'],
    ['five segments (a JWE)', 'a.b.c.d.e'],
    ['a header that is not JSON', `${Buffer.from('{nope').toString('base64url')}.e30.c2ln`],
    ['a header that is a JSON array', `${base64urlJson([1])}.e30.c2ln`],
    ['padding', 'eyJhbGciOiJSUzI1NiJ9.e30=.c2ln'],
  ])('refuses %s with ERR_TOKEN_MALFORMED', async (_label, token) => {
    await expect(refusal(token)).resolves.toEqual({ code: 'ERR_TOKEN_MALFORMED', status: 401 });
  });

  it('refuses a signed claims set that is not a JSON object with ERR_TOKEN_MALFORMED', async () => {
    const header = { alg: 'RS256', typ: 'at+jwt', kid: rsa.kid };
    const token = signRs256Raw(header, Buffer.from('"just a string"').toString('base64url'), rsa.privateKey);
    await expect(refusal(token)).resolves.toMatchObject({ code: 'ERR_TOKEN_MALFORMED' });
  });

  it('refuses an oversized token before anything else, even a genuinely signed one', async () => {
    const token = await mint({ claims: { name: 'A'.repeat(MAX_TOKEN_BYTES) } });
    await expect(refusal(token)).resolves.toEqual({ code: 'ERR_TOKEN_TOO_LARGE', status: 401 });
    await expect(refusal(`${'a'.repeat(MAX_TOKEN_BYTES)}.b.c`)).resolves.toMatchObject({ code: 'ERR_TOKEN_TOO_LARGE' });
  });

  it('refuses an empty token with ERR_TOKEN_MISSING', async () => {
    await expect(refusal('')).resolves.toEqual({ code: 'ERR_TOKEN_MISSING', status: 401 });
  });
});

describe('verify refuses claims outside the contract', () => {
  it('refuses an expired token with ERR_TOKEN_EXPIRED', async () => {
    const token = await mint({ claims: { iat: clock.nowSeconds - 700, exp: clock.nowSeconds - 100 } });
    await expect(refusal(token)).resolves.toEqual({ code: 'ERR_TOKEN_EXPIRED', status: 401 });
  });

  it('refuses a token issued in the future with ERR_TOKEN_NOT_YET_VALID', async () => {
    const token = await mint({ claims: { iat: clock.nowSeconds + 120, exp: clock.nowSeconds + 600 } });
    await expect(refusal(token)).resolves.toMatchObject({ code: 'ERR_TOKEN_NOT_YET_VALID' });
  });

  it('refuses a token whose nbf is in the future with ERR_TOKEN_NOT_YET_VALID', async () => {
    const token = await mint({ claims: { nbf: clock.nowSeconds + 120 } });
    await expect(refusal(token)).resolves.toMatchObject({ code: 'ERR_TOKEN_NOT_YET_VALID' });
  });

  it('refuses a lifetime over 15 minutes with ERR_TOKEN_LIFETIME', async () => {
    const token = await mint({ claims: { exp: clock.nowSeconds + 15 * 60 + 31 } });
    await expect(refusal(token)).resolves.toMatchObject({ code: 'ERR_TOKEN_LIFETIME' });
  });

  it('refuses another audience with ERR_TOKEN_AUDIENCE', async () => {
    await expect(refusal(await mint({ claims: { aud: 'http://other.test' } }))).resolves.toMatchObject({
      code: 'ERR_TOKEN_AUDIENCE',
    });
    await expect(refusal(await mint({ claims: { aud: ['http://other.test'] } }))).resolves.toMatchObject({
      code: 'ERR_TOKEN_AUDIENCE',
    });
  });

  it('refuses another issuer with ERR_TOKEN_ISSUER', async () => {
    await expect(refusal(await mint({ claims: { iss: 'http://evil.test' } }))).resolves.toMatchObject({
      code: 'ERR_TOKEN_ISSUER',
    });
  });

  it('names the expected and the presented audience and issuer in the message, for the log', async () => {
    const audience = await failure(await mint({ claims: { aud: ['http://other.test', 'http://third.test'] } }));
    expect(audience.message).toBe(
      `token audience '["http://other.test","http://third.test"]' does not contain the configured audience '${AUDIENCE}'`,
    );
    expect(audience.publicMessage).toBe('token audience is not this service');

    const issuer = await failure(await mint({ claims: { iss: 'http://evil.test' } }));
    expect(issuer.message).toBe(`token issuer 'http://evil.test' is not the configured issuer '${gateway.issuer}'`);
    expect(issuer.publicMessage).toBe('token issuer is not the configured issuer');
  });

  it('shows a presented value in the message cut short, on one line, without quotes', async () => {
    const forged = `http://evil.test/'\n${'x'.repeat(200)}`;
    const { message } = await failure(await mint({ claims: { aud: forged } }));
    expect(message).not.toMatch(/\n/);
    expect(message).toContain("'http://evil.test/??xxx");
    expect(message).toContain("x...' does not contain");
  });

  it.each(['iss', 'aud', 'exp', 'iat', 'sub', 'client_id', 'jti', 'scope', 'name', 'idp'])(
    'refuses a token without %s with ERR_TOKEN_CLAIM',
    async (claim) => {
      const error = await verifier
        .verify(await mint({ claims: { [claim]: undefined } }))
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'ERR_TOKEN_CLAIM', claim, status: 401 });
    },
  );

  it.each([
    ['an empty sub', { sub: '' }],
    ['a numeric client_id', { client_id: 42 }],
    ['an exp given as a string', { exp: String(FIXED_NOW_MS / 1000 + 60) }],
    ['an aud of numbers', { aud: [1, 2] }],
    ['a scope given as an array', { scope: ['comments'] }],
    ['a picture given as null', { picture: null }],
  ])('refuses %s with ERR_TOKEN_CLAIM', async (_label, claims) => {
    await expect(refusal(await mint({ claims }))).resolves.toMatchObject({ code: 'ERR_TOKEN_CLAIM' });
  });

  it.each(['github', 'Twitter', ''])('refuses idp %j with ERR_TOKEN_CLAIM', async (idp) => {
    await expect(refusal(await mint({ claims: { idp } }))).resolves.toMatchObject({ code: 'ERR_TOKEN_CLAIM' });
  });

  it.each(['http://pics.example/ada.png', 'javascript:alert(1)', 'data:image/png;base64,AAAA', 'not a url'])(
    'refuses picture %j with ERR_TOKEN_CLAIM',
    async (picture) => {
      await expect(refusal(await mint({ claims: { picture } }))).resolves.toMatchObject({ code: 'ERR_TOKEN_CLAIM' });
    },
  );

  it('refuses a scope without comments with ERR_TOKEN_SCOPE, a 403 insufficient_scope', async () => {
    const error = await verifier
      .verify(await mint({ claims: { scope: 'openid profile commentsx' } }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_TOKEN_SCOPE', status: 403, bearerError: 'insufficient_scope' });
  });

  it('checks the configured required scope', async () => {
    const moderator = createVerifier({
      issuer: gateway.issuer,
      audience: AUDIENCE,
      clientId: SITE,
      requiredScope: 'moderate',
      clock: clock.now,
    });
    await expect(refusal(await mint(), moderator)).resolves.toMatchObject({ code: 'ERR_TOKEN_SCOPE' });
    await expect(moderator.verify(await mint({ claims: { scope: 'comments moderate' } }))).resolves.toMatchObject({
      scopes: ['comments', 'moderate'],
    });
  });
});

describe('verify serves only its own sites (clientId)', () => {
  it('refuses a genuine token of another site with ERR_TOKEN_SITE, a 403 wrong_site naming both sites in the message', async () => {
    const error = await failure(await mint({ claims: { client_id: 'other-blog' } }));

    expect(error).toBeInstanceOf(WrongSiteError);
    expect(error).toMatchObject({
      code: 'ERR_TOKEN_SITE',
      status: 403,
      bearerError: 'insufficient_scope',
      responseError: 'wrong_site',
      isTokenFault: true,
    });
    expect(error.message).toBe(`token was issued to site 'other-blog', not to the configured clientId '${SITE}'`);
    expect(error.publicMessage).toBe('token was issued to another site');
  });

  it('accepts the tokens of every site in a clientId list and refuses the others', async () => {
    const shared = createVerifier({ issuer: gateway.issuer, audience: AUDIENCE, clientId: [SITE, 'other-blog'], clock: clock.now });

    await expect(shared.verify(await mint({ claims: { client_id: 'other-blog' } }))).resolves.toMatchObject({ siteId: 'other-blog' });
    await expect(shared.verify(await mint())).resolves.toMatchObject({ siteId: SITE });
    await expect(refusal(await mint({ claims: { client_id: 'evil-blog' } }), shared)).resolves.toEqual({ code: 'ERR_TOKEN_SITE', status: 403 });
  });

  it('lists a few of many served sites in the message and counts the rest', async () => {
    const sites = Array.from({ length: 8 }, (_, index) => `blog-${index}`);
    const many = createVerifier({ issuer: gateway.issuer, audience: AUDIENCE, clientId: sites, clock: clock.now });
    const { message } = await failure(await mint(), many);
    expect(message).toBe(
      `token was issued to site '${SITE}', not to the configured clientId 'blog-0', 'blog-1', 'blog-2', 'blog-3', 'blog-4' and 3 more`,
    );
  });

  it('says a wrong audience (401) before a wrong site (403): a 403 is only said of an otherwise valid token', async () => {
    const token = await mint({ claims: { client_id: 'other-blog', aud: 'http://other.test' } });
    await expect(refusal(token)).resolves.toEqual({ code: 'ERR_TOKEN_AUDIENCE', status: 401 });
  });
});

describe('verify refuses keys the issuer does not vouch for', () => {
  it('refuses a kid the issuer does not publish with ERR_TOKEN_KEY_UNKNOWN', async () => {
    const stranger = await fixtureKey('RS256', 'stranger');
    await expect(refusal(await mint({}, stranger))).resolves.toEqual({ code: 'ERR_TOKEN_KEY_UNKNOWN', status: 401 });
  });

  it('ignores published keys that are not for signatures or are too weak', async () => {
    const encryption = await fixtureKey('RS256', 'enc-1');
    const weak = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 });
    const weakJwk = { ...(weak.publicKey.export({ format: 'jwk' }) as JWK), kid: 'weak-1' };
    const other = await startFixtureIssuer([]);
    try {
      other.publish([rsa, { ...encryption.publicJwk, use: 'enc' }, weakJwk]);
      const strict = createVerifier({ issuer: other.issuer, audience: AUDIENCE, clientId: SITE, clock: clock.now });
      const weakToken = signRs256Raw(
        { alg: 'RS256', typ: 'at+jwt', kid: 'weak-1' },
        base64urlJson(gatewayClaims(other.issuer, clock.nowSeconds)),
        weak.privateKey,
      );

      await expect(strict.verify(await mintToken(rsa, other.issuer, clock.nowSeconds))).resolves.toBeDefined();
      await expect(refusal(await mintToken(encryption, other.issuer, clock.nowSeconds), strict)).resolves.toMatchObject(
        {
          code: 'ERR_TOKEN_KEY_UNKNOWN',
        },
      );
      await expect(refusal(weakToken, strict)).resolves.toMatchObject({ code: 'ERR_TOKEN_KEY_UNKNOWN' });
    } finally {
      await other.close();
    }
  });
});
