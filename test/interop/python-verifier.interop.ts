import { TestBrowser } from '../helpers/browser';
import { startEmailSignIn } from '../helpers/email';
import { COMMENTS_URL, SITE_ORIGIN, startTestGateway, type RunningTestGateway } from '../helpers/gateway';
import { codeIn, discover, redeemCode, relayParams, type Discovery } from '../helpers/oidc-client';
import { GatewayTokens } from '../comments/support';
import { startCountingProxy, type CountingProxy } from './counting-proxy';
import { startWsgiApp, verifyInPython, type PythonVerdict } from './python-interop';

/**
 * docs/verify-python.md, tested: the example module docs/examples/python/parley_verify.py, run by
 * Debian's Python with its python3-jwt (PyJWT 2.6), checks tokens of a real gateway on loopback.
 * A genuine token from an email sign-in passes; each token the Node verifier refuses, it refuses
 * for the same reason; forged kids cannot make it hammer the gateway's JWKS; a revoked token is
 * refused once the revocation feed names it.
 */
describe('the Python verification example (PyJWT) against a real gateway', () => {
  const OTHER_SITE_ORIGIN = 'http://localhost:4201';
  const FORGED_KIDS = 20;
  let gw: RunningTestGateway;
  let discovery: Discovery;
  let tokens: GatewayTokens;
  let proxy: CountingProxy;

  beforeAll(async () => {
    gw = await startTestGateway();
    discovery = await discover(gw.issuer);
    tokens = await GatewayTokens.of(gw);
    proxy = await startCountingProxy();
  });
  afterAll(async () => {
    await proxy.close();
    await gw.stop();
  });

  /** A real access token: an email sign-in at `siteId`, its code redeemed as the widget does. */
  async function signIn(email: string, siteId: string, origin: string): Promise<string> {
    const browser = new TestBrowser();
    const started = await startEmailSignIn(browser, discovery, email, { siteId });
    const relay = await browser.post(`${gw.issuer}/interaction/${started.uid}/email/code`, { code: codeIn(started.message!) });
    const answer = await redeemCode(discovery, started.pending, relayParams(relay).get('code')!, {}, origin);
    expect(answer.status).toBe(200);
    return String(answer.body['access_token']);
  }

  const verify = (list: readonly string[]): Promise<PythonVerdict[]> =>
    verifyInPython({ issuer: gw.issuer, audience: COMMENTS_URL, siteId: 'demo-blog', proxyUrl: proxy.url }, list);

  const refusal = (verdict: PythonVerdict | undefined) => (verdict?.ok === false ? verdict.reason : verdict);

  /** A token whose header says alg none, unsigned. */
  function unsigned(claims: Record<string, unknown>): string {
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    return `${part({ alg: 'none', typ: 'at+jwt', kid: tokens.kid })}.${part(claims)}.`;
  }

  it('accepts a genuine token, refuses every bad variant for its reason, and fetches the JWKS at most twice for 20 forged kids', async () => {
    const genuine = await signIn('ada@example.test', 'demo-blog', SITE_ORIGIN);
    const otherSite = await signIn('ada@example.test', 'other-blog', OTHER_SITE_ORIGIN);
    const now = Math.floor(Date.now() / 1000);
    const [head, payload, signature] = genuine.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${head}.${Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url')}.${signature}`;

    const variants: Array<[string, string]> = [
      ['typ', await tokens.mint({}, { typ: 'JWT' })],
      ['typ', await tokens.mint({}, { typ: undefined })],
      ['alg', unsigned(tokens.claims())],
      ['wrong_site', otherSite],
      ['wrong_site', await tokens.mint({ client_id: 'other-blog' })],
      ['expired', await tokens.mint({ iat: now - 20 * 60, exp: now - 5 * 60 })],
      ['missing_claim', await tokens.mint({ exp: undefined })],
      ['missing_claim', await tokens.mint({ sub: undefined })],
      ['issuer', await tokens.mint({ iss: 'http://localhost:1' })],
      ['audience', await tokens.mint({ aud: 'https://comments.elsewhere.example' })],
      ['insufficient_scope', await tokens.mint({ scope: 'openid profile' })],
      ['lifetime', await tokens.mint({ exp: now + 60 * 60 })],
      ['not_yet_valid', await tokens.mint({ iat: now + 10 * 60, exp: now + 20 * 60 })],
      ['signature', tampered],
      ['malformed', await tokens.mint({ iat: 'yesterday' })],
      // DPoP-bound (RFC 9449): as Bearer it is a stolen token.
      ['bound', await tokens.mint({ cnf: { jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I' } })],
    ];
    const forged = await Promise.all(Array.from({ length: FORGED_KIDS }, (_, i) => tokens.mint({}, { kid: `forged-${i}` })));

    const verdicts = await verify([genuine, ...variants.map(([, token]) => token), ...forged]);

    expect(verdicts[0]).toEqual({ ok: true, commenter: expect.objectContaining({ site: 'demo-blog', sub: claims['sub'], sid: claims['sid'] }) });
    expect(verdicts.slice(1, 1 + variants.length).map(refusal)).toEqual(variants.map(([reason]) => reason));
    expect(verdicts.slice(1 + variants.length).map(refusal)).toEqual(Array(FORGED_KIDS).fill('unknown_kid'));
    // 'insufficient_scope' is 403, every other refusal 401.
    expect(verdicts.filter((verdict) => !verdict.ok).map((verdict) => (verdict.ok ? 0 : verdict.status)).sort()).toEqual(
      [...Array(variants.length - 1 + FORGED_KIDS).fill(401), 403],
    );

    // What the gateway saw of it, through the proxy: one discovery, one JWKS fetch for the
    // genuine token, and at most one more for all 20 forged kids (PyJWKClient: 21).
    const jwksPath = new URL(discovery.jwks_uri).pathname;
    expect(proxy.count('/.well-known/openid-configuration')).toBe(1);
    expect(proxy.count(jwksPath)).toBeGreaterThanOrEqual(1);
    expect(proxy.count(jwksPath)).toBeLessThanOrEqual(2);
    console.log(`Python verifier: ${proxy.count(jwksPath)} JWKS fetch(es) for 1 genuine token and ${FORGED_KIDS} forged kids; requests: ${proxy.seen.join(', ')}`);
  });

  it('refuses a token once the revocation feed names it (the widget logged out)', async () => {
    const token = await signIn('grace@example.test', 'demo-blog', SITE_ORIGIN);
    expect(await verify([token])).toEqual([expect.objectContaining({ ok: true })]);

    const revoked = await fetch(discovery['revocation_endpoint'] as string, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: SITE_ORIGIN },
      body: new URLSearchParams({ token, client_id: 'demo-blog' }),
    });
    expect(revoked.status).toBe(200);

    expect((await verify([token])).map(refusal)).toEqual(['revoked']);
    expect(proxy.count(new URL(discovery['revocation_feed_endpoint'] as string).pathname)).toBeGreaterThanOrEqual(2);
  });

  it('guards the WSGI example: 201 with the commenter, 401 or 403 with the RFC 6750 error, the reason only in its log', async () => {
    const app = await startWsgiApp({ issuer: gw.issuer, audience: COMMENTS_URL, siteId: 'demo-blog', proxyUrl: proxy.url });
    try {
      const post = async (authorization?: string) => {
        const answer = await fetch(`${app.url}/comments`, { method: 'POST', headers: authorization === undefined ? {} : { authorization } });
        return { status: answer.status, challenge: answer.headers.get('www-authenticate'), body: (await answer.json()) as Record<string, unknown> };
      };
      const genuine = await signIn('alan@example.test', 'demo-blog', SITE_ORIGIN);
      const sub = (JSON.parse(Buffer.from(genuine.split('.')[1]!, 'base64url').toString()) as { sub: string }).sub;

      expect(await post(`Bearer ${genuine}`)).toEqual({ status: 201, challenge: null, body: { by: 'Test Commenter', site: 'demo-blog', sub } });
      expect(await post()).toEqual({ status: 401, challenge: 'Bearer realm="comments"', body: { error: 'sign_in_required' } });
      expect(await post(`Bearer ${await tokens.mint({ client_id: 'other-blog' })}`)).toEqual({
        status: 401,
        challenge: 'Bearer error="invalid_token"',
        body: { error: 'invalid_token' },
      });
      expect(await post(`Bearer ${await tokens.mint({ scope: 'openid' })}`)).toEqual({
        status: 403,
        challenge: 'Bearer error="insufficient_scope"',
        body: { error: 'insufficient_scope' },
      });
      expect(app.log()).toContain('parley token refused: wrong_site');
    } finally {
      await app.stop();
    }
  });
});
