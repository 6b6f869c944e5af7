import crypto from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { fixtureKey, mintToken, startFixtureIssuer } from '../../packages/verify/test/helpers/issuer';
import { problemEntries } from '../helpers/log-entries';
import { expectError, getComments, postComment, request, commentsUrl, rowCounts, startCommentService, startTestbed, type ApiResponse, type CommentsTestbed } from './support';

/**
 * Every way an attacker might forge, bend or mangle an access token. Each is refused before
 * anything is written: 401 invalid_token with WWW-Authenticate, or 403 for a genuine token that
 * is not for this site or lacks the scope.
 */

function base64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

function expectInvalidToken(response: ApiResponse): void {
  expectError(response, 401, 'invalid_token');
  expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
}

describe('the comment API refuses every token it should not trust', () => {
  let bed: CommentsTestbed;
  let base: string;
  const post = 'guarded-post';

  beforeAll(async () => {
    bed = await startTestbed();
    base = bed.service.url;
  });
  afterAll(() => bed.stop());

  const attempt = (token: string | undefined, headers: Record<string, string> = {}) =>
    postComment(base, 'demo-blog', post, token, { body: 'Let me in' }, headers);

  describe('a token that is not signed by the gateway', () => {
    it('is refused when unsigned (alg none)', async () => {
      const token = `${base64url({ alg: 'none', typ: 'at+jwt', kid: bed.tokens.kid })}.${base64url(bed.tokens.claims())}.`;
      expectInvalidToken(await attempt(token));
    });

    it('is refused when signed with another RSA key under the gateway key id', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      const token = await new SignJWT(bed.tokens.claims()).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: bed.tokens.kid }).sign(privateKey);
      expectInvalidToken(await attempt(token));
    });

    it('is refused when signed with another key under a key id the gateway never published', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      const token = await new SignJWT(bed.tokens.claims()).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'attacker-key' }).sign(privateKey);
      expectInvalidToken(await attempt(token));
    });

    it('is refused when signed with another algorithm (ES256) under the gateway key id', async () => {
      const { privateKey } = await generateKeyPair('ES256');
      const token = await new SignJWT(bed.tokens.claims()).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: bed.tokens.kid }).sign(privateKey);
      expectInvalidToken(await attempt(token));
    });

    it('is refused when HMAC-signed with the gateway public key as the secret (algorithm confusion)', async () => {
      // The public half, as anyone can read it from the JWKS.
      const publicPem = crypto.createPublicKey({ key: bed.tokens.privateJwk as crypto.JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
      const signingInput = `${base64url({ alg: 'HS256', typ: 'at+jwt', kid: bed.tokens.kid })}.${base64url(bed.tokens.claims())}`;
      const signature = crypto.createHmac('sha256', publicPem).update(signingInput).digest('base64url');
      expectInvalidToken(await attempt(`${signingInput}.${signature}`));
    });

    it('is refused when it carries its own key in the header (jwk)', async () => {
      const { privateKey, publicKey } = await generateKeyPair('RS256');
      const token = await new SignJWT(bed.tokens.claims())
        .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'embedded', jwk: await exportJWK(publicKey) })
        .sign(privateKey);
      expectInvalidToken(await attempt(token));
    });
  });

  describe('a genuine signature over claims that do not hold', () => {
    const now = () => Math.floor(Date.now() / 1000);

    it.each([
      ['expired', () => ({ iat: now() - 20 * 60, exp: now() - 5 * 60 })],
      ['issued in the future', () => ({ iat: now() + 10 * 60, exp: now() + 20 * 60 })],
      ['not valid yet (nbf)', () => ({ nbf: now() + 10 * 60 })],
      ['living longer than 15 minutes', () => ({ exp: now() + 60 * 60 })],
      ['for another audience', () => ({ aud: 'https://other-comments.example' })],
      ['from another issuer', () => ({ iss: 'https://evil.example' })],
      ['without sub', () => ({ sub: undefined })],
      ['without client_id', () => ({ client_id: undefined })],
      ['without scope', () => ({ scope: undefined })],
      ['without name', () => ({ name: undefined })],
      ['without idp', () => ({ idp: undefined })],
      ['without jti', () => ({ jti: undefined })],
      ['without exp', () => ({ exp: undefined })],
      ['without iat', () => ({ iat: undefined })],
      ['with an idp we do not have', () => ({ idp: 'myspace' })],
      ['with a javascript: picture', () => ({ picture: 'javascript:alert(1)' })],
      ['with a sub that is not a string', () => ({ sub: 42 })],
    ])('is refused when %s', async (_case, claims) => {
      expectInvalidToken(await attempt(await bed.tokens.mint(claims())));
    });

    it('is refused when the header typ is not at+jwt (an ID token, say)', async () => {
      expectInvalidToken(await attempt(await bed.tokens.mint({}, { typ: 'JWT' })));
      expectInvalidToken(await attempt(await bed.tokens.mint({}, { typ: undefined })));
    });

    it('is refused with 403 insufficient_scope when the scope lacks comments', async () => {
      const response = await attempt(await bed.tokens.mint({ scope: 'openid profile' }));
      expectError(response, 403, 'insufficient_scope');
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="insufficient_scope"/);
    });

    it('is refused with 403 wrong_site when it was issued to another site', async () => {
      expectError(await attempt(await bed.tokens.mint({ client_id: 'other-blog' })), 403, 'wrong_site');
    });

    it('is refused with 403 wrong_site when it was issued to a client that is no site at all', async () => {
      const response = await attempt(await bed.tokens.mint({ client_id: 'evil-blog' }));
      // The verifier's refusal: it serves only the sites of the sites file.
      expectError(response, 403, 'wrong_site');
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="insufficient_scope"/);
      expect(response.text).not.toContain('evil-blog');
    });
  });

  describe('a genuine token that was changed or mangled', () => {
    it('is refused when its claims were tampered with (another sub) under the original signature', async () => {
      const [header, , signature] = (await bed.tokens.mint()).split('.');
      const tampered = `${header}.${base64url(bed.tokens.claims({ sub: 'someone-else' }))}.${signature}`;
      expectInvalidToken(await attempt(tampered));
    });

    it('is refused when its header was tampered with', async () => {
      const [, payload, signature] = (await bed.tokens.mint()).split('.');
      const tampered = `${base64url({ alg: 'RS256', typ: 'at+jwt', kid: bed.tokens.kid, x: 1 })}.${payload}.${signature}`;
      expectInvalidToken(await attempt(tampered));
    });

    it('is refused when one bit of the signature is flipped', async () => {
      const [header, payload, signature] = (await bed.tokens.mint()).split('.');
      const bytes = Buffer.from(signature!, 'base64url');
      bytes[0] = bytes[0]! ^ 1;
      expectInvalidToken(await attempt(`${header}.${payload}.${bytes.toString('base64url')}`));
    });

    it.each([
      ['without its signature', (token: string) => token.slice(0, token.lastIndexOf('.') + 1)],
      ['cut in the middle of the signature', (token: string) => token.slice(0, token.length - 20)],
      ['cut in the middle of the claims', (token: string) => token.slice(0, token.indexOf('.') + 30)],
      ['with only its header', (token: string) => token.slice(0, token.indexOf('.'))],
      ['with an extra segment', (token: string) => `${token}.AAAA`],
    ])('is refused when truncated or extended: %s', async (_case, mangle) => {
      expectInvalidToken(await attempt(mangle(await bed.tokens.mint())));
    });
  });

  describe('no token, or garbage where the token should be', () => {
    it('is refused with 401 when there is no Authorization header', async () => {
      expectInvalidToken(await attempt(undefined));
    });

    it.each([
      ['an empty bearer', 'Bearer '],
      ['the Basic scheme', `Basic ${Buffer.from('ada:secret').toString('base64')}`],
      ['two tokens', 'Bearer aaa.bbb.ccc ddd.eee.fff'],
      ['random bytes', `Bearer ${crypto.randomBytes(64).toString('base64url')}`],
      ['three segments of noise', 'Bearer abc.def.ghi'],
      ['JSON instead of a JWS', `Bearer ${base64url({ sub: 'ada' })}`],
      ['a header that is not JSON', `Bearer ${base64url('not json')}.${base64url({})}.AAAA`],
    ])('is refused when the Authorization header holds %s', async (_case, authorization) => {
      expectInvalidToken(await attempt(undefined, { authorization }));
    });

    it('is refused when the token is huge', async () => {
      const genuine = await bed.tokens.mint();
      const [header, , signature] = genuine.split('.');
      const huge = `${header}.${base64url(bed.tokens.claims({ padding: 'x'.repeat(9_000) }))}.${signature}`;
      expectInvalidToken(await attempt(huge));
    });

    it('does not read a token from the query string', async () => {
      const token = await bed.tokens.mint();
      const response = await request(`${commentsUrl(base, 'demo-blog', post)}?access_token=${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ body: 'Via the query' }),
      });
      expectInvalidToken(response);
    });
  });

  it('answers 503 and logs both issuers when PARLEY_ISSUER is not what discovery calls the gateway', async () => {
    // A stand-in gateway whose discovery document names itself with a trailing slash.
    const key = await fixtureKey('RS256', 'stand-in');
    const standIn = await startFixtureIssuer([key]);
    standIn.discoveryIssuer = `${standIn.issuer}/`;
    const logged: string[] = [];
    const misconfigured = await startCommentService(standIn.issuer, { serviceOptions: { log: (line) => logged.push(line) } });
    try {
      const now = Math.floor(Date.now() / 1000);
      const token = await mintToken(key, standIn.issuer, now, { claims: { aud: misconfigured.settings.comments.url } });
      const response = await postComment(misconfigured.url, 'demo-blog', post, token, { body: 'Anyone there?' });

      expectError(response, 503, 'temporarily_unavailable');
      expect(response.text).not.toContain(standIn.issuer);
      expect(problemEntries(logged)).toEqual([
        expect.objectContaining({
          level: 'error',
          msg: 'token check unavailable',
          code: 'ERR_ISSUER_MISMATCH',
          reason:
            `the verifier is configured with issuer '${standIn.issuer}' ` +
            `but ${standIn.issuer}/.well-known/openid-configuration names issuer '${standIn.issuer}/'; ` +
            "set the issuer option to exactly the discovery document's value",
        }),
      ]);
    } finally {
      await misconfigured.stop();
      await standIn.close();
    }
  });

  it('left nothing behind after all of that', async () => {
    expect((await getComments(base, 'demo-blog', post)).json).toEqual({ comments: [] });
    expect(await rowCounts(bed.service.dataDir)).toEqual({ comments: 0, bans: 0, idempotency_keys: 0, rate_limits: 0 });
  });

  it('still accepts the genuine token these were made from', async () => {
    const response = await attempt(await bed.tokens.mint());
    expect(response.status).toBe(201);
  });
});
