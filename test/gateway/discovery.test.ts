import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { TestBrowser, type BrowserResponse } from '../helpers/browser';
import { startEmailSignIn } from '../helpers/email';
import { COMMENTS_URL, SITE_ORIGIN, startTestGateway, type RunningTestGateway, type TestSite } from '../helpers/gateway';
import { hiddenFields } from '../helpers/html-forms';
import { authorize, codeIn, discover, pkcePair, redeemCode, relayParams, type Discovery } from '../helpers/oidc-client';
import { revokedSessionHandles } from '../helpers/revocation-feed';

const LOGGED_OUT_PAGE = `${SITE_ORIGIN}/logged-out`;
const OTHER_SITE_LOGGED_OUT_PAGE = 'http://localhost:4201/bye';

/** demo-blog registers a page to come back to after logging out; other-blog registers its own. */
const SITES: (TestSite & { postLogoutRedirectUris?: string[] })[] = [
  { id: 'demo-blog', name: 'Demo Blog', origins: [SITE_ORIGIN], postLogoutRedirectUris: [LOGGED_OUT_PAGE] },
  { id: 'other-blog', name: 'Other Blog', origins: ['http://localhost:4201'], postLogoutRedirectUris: [OTHER_SITE_LOGGED_OUT_PAGE] },
];

/**
 * Issue 13, item 4: the gateway's discovery document is read by third-party OpenID Connect
 * clients, which believe it. Each member is checked here against what a site can actually do with
 * it, through the advertised endpoint itself.
 */
describe('discovery says exactly what works', () => {
  let gw: RunningTestGateway;
  let discovery: Discovery;
  let people = 0;

  beforeAll(async () => {
    gw = await startTestGateway({ sites: SITES });
    discovery = await discover(gw.issuer);
  });
  afterAll(() => gw.stop());

  /** A reader signed in with email at demo-blog, as after "Log in with Email" in the widget. */
  async function signIn(): Promise<{ browser: TestBrowser; name: string; tokens: Record<string, unknown>; iss: string | null }> {
    const browser = new TestBrowser();
    const name = `Discovery Reader ${++people}`;
    const started = await startEmailSignIn(browser, discovery, `discovery-${people}@example.com`, { name });
    const relay = await browser.post(`${gw.issuer}/interaction/${started.uid}/email/code`, { code: codeIn(started.message!) });
    const tokens = await redeemCode(discovery, started.pending, relayParams(relay).get('code')!);
    expect(tokens.status).toBe(200);
    return { browser, name, tokens: tokens.body, iss: relayParams(relay).get('iss') };
  }

  async function keySet(): Promise<ReturnType<typeof createLocalJWKSet>> {
    const response = await fetch(discovery.jwks_uri);
    expect(response.status).toBe(200);
    return createLocalJWKSet((await response.json()) as JSONWebKeySet);
  }

  async function isSignedIn(browser: TestBrowser, name: string): Promise<boolean> {
    return (await browser.get(`${gw.issuer}/account`)).text.includes(name);
  }

  describe('scopes and client authentication', () => {
    it('lists the scopes a site asks for, `comments` among them, and no other', () => {
      expect(discovery['scopes_supported']).toEqual(['openid', 'profile', 'comments']);
    });

    it('lists `none` as the only token endpoint authentication method: every site is a public client', () => {
      expect(discovery['token_endpoint_auth_methods_supported']).toEqual(['none']);
      expect(discovery['token_endpoint_auth_signing_alg_values_supported']).toBeUndefined();
    });

    it('refuses a site that authenticates with a secret at the token endpoint', async () => {
      const browser = new TestBrowser();
      const started = await startEmailSignIn(browser, discovery, 'secret-holder@example.com');
      const relay = await browser.post(`${gw.issuer}/interaction/${started.uid}/email/code`, { code: codeIn(started.message!) });
      const response = await fetch(discovery.token_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('demo-blog:a-secret').toString('base64')}` },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: relayParams(relay).get('code')!,
          redirect_uri: started.pending.redirectUri,
          code_verifier: started.pending.verifier,
        }),
      });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(((await response.json()) as { error: string }).error).toMatch(/^invalid_(client|request)$/);
    });
  });

  describe('the advertised endpoints, each used the way a site uses it', () => {
    it('signs a reader in: authorization with PKCE S256, a code that names the issuer, tokens for a public client, keys at jwks_uri', async () => {
      expect(discovery['code_challenge_methods_supported']).toEqual(['S256']);
      expect(discovery['authorization_response_iss_parameter_supported']).toBe(true);
      expect(discovery['grant_types_supported']).toEqual(['authorization_code']);
      expect(discovery['response_types_supported']).toEqual(['code']);

      const { name, tokens, iss } = await signIn();
      expect(iss).toBe(gw.issuer);
      const keys = await keySet();

      const idToken = String(tokens['id_token']);
      expect(discovery['id_token_signing_alg_values_supported']).toContain(decodeProtectedHeader(idToken).alg);
      const { payload: identity } = await jwtVerify(idToken, keys, { issuer: gw.issuer, audience: 'demo-blog' });
      expect(identity).toMatchObject({ name, sub: expect.any(String) });
      for (const claim of ['sub', 'name']) expect(discovery['claims_supported']).toContain(claim);

      const { payload: access, protectedHeader } = await jwtVerify(String(tokens['access_token']), keys, { issuer: gw.issuer, audience: COMMENTS_URL, typ: 'at+jwt' });
      expect(protectedHeader.alg).toBe('RS256');
      expect(access['client_id']).toBe('demo-blog');
      expect(String(access['scope']).split(' ')).toContain('comments');
      // The scope every site asks for is the one discovery lists: nothing it asked for is unknown.
      for (const scope of String(access['scope']).split(' ')) expect(discovery['scopes_supported']).toContain(scope);
    });

    it('refuses a PKCE challenge other than S256', async () => {
      const { browser } = await signIn();
      const { response } = await authorize(browser, discovery, { params: { code_challenge: pkcePair().verifier, code_challenge_method: 'plain' } });
      const answer = relayParams(response);
      expect(answer.get('code')).toBeNull();
      expect(answer.get('error')).toBe('invalid_request');
    });

    it('takes a pushed authorization request (PAR), then signs in with its request_uri', async () => {
      const { browser } = await signIn();
      const { verifier, challenge } = pkcePair();
      const redirectUri = `${gw.issuer}/relay/demo-blog`;
      const pushed = await fetch(String(discovery['pushed_authorization_request_endpoint']), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: 'demo-blog',
          redirect_uri: redirectUri,
          response_type: 'code',
          scope: 'openid profile comments',
          state: 'pushed',
          code_challenge: challenge,
          code_challenge_method: 'S256',
        }),
      });
      expect(pushed.status).toBe(201);
      const { request_uri: requestUri } = (await pushed.json()) as { request_uri: string };

      const url = new URL(discovery.authorization_endpoint);
      url.searchParams.set('client_id', 'demo-blog');
      url.searchParams.set('request_uri', requestUri);
      const answer = relayParams(await browser.get(url.href));
      expect(answer.get('state')).toBe('pushed');
      const tokens = await redeemCode(discovery, { siteId: 'demo-blog', redirectUri, verifier, state: 'pushed' }, answer.get('code')!);
      expect(tokens.status).toBe(200);
      expect(decodeJwt(String(tokens.body['access_token']))['aud']).toBe(COMMENTS_URL);
    });

    it('advertises no userinfo endpoint, and serves none: the token a site gets is for the comment service alone', async () => {
      expect(discovery['userinfo_endpoint']).toBeUndefined();
      const { tokens } = await signIn();
      const response = await fetch(`${gw.issuer}/me`, { headers: { authorization: `Bearer ${String(tokens['access_token'])}` } });
      expect(response.status).toBe(404);
    });

    it('revokes a site\'s token at the revocation endpoint: the revocation feed it advertises names the sign-in', async () => {
      const { tokens } = await signIn();
      const token = String(tokens['access_token']);
      const { sid } = decodeJwt(token);
      const feed = String(discovery['revocation_feed_endpoint']);
      expect(await revokedSessionHandles(feed, 'demo-blog')).not.toContain(sid);

      const revoked = await fetch(String(discovery['revocation_endpoint']), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, token_type_hint: 'access_token', client_id: 'demo-blog' }),
      });
      expect(revoked.status).toBe(200);
      expect(await revokedSessionHandles(feed, 'demo-blog')).toContain(sid);
    });

    it('lists nothing it does not serve: every advertised URL answers', async () => {
      const advertised = Object.entries(discovery).filter(([field, value]) => field !== 'issuer' && typeof value === 'string' && value.startsWith('http'));
      expect(advertised.map(([field]) => field).sort()).toEqual([
        'authorization_endpoint',
        'end_session_endpoint',
        'jwks_uri',
        'pushed_authorization_request_endpoint',
        'revocation_endpoint',
        'revocation_feed_endpoint',
        'token_endpoint',
      ]);
      // Each as a site calls it: the endpoints that take a form are asked with POST (an empty one).
      const posted = new Set(['token_endpoint', 'revocation_endpoint', 'pushed_authorization_request_endpoint']);
      for (const [field, url] of advertised) {
        const method = posted.has(field) ? 'POST' : 'GET';
        const response = await fetch(String(url), { method, redirect: 'manual', ...(method === 'POST' ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' } : {}) });
        expect([field, response.status]).not.toEqual([field, 404]);
        expect([field, response.status < 500]).toEqual([field, true]);
        await response.arrayBuffer();
      }
    });
  });

  describe('RP-initiated logout with the post-logout redirect URIs a site registers', () => {
    function endSession(params: Record<string, string>): string {
      const url = new URL(String(discovery['end_session_endpoint']));
      for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
      return url.href;
    }

    /** Presses "Log out" on the confirmation page; the answer's redirect is not followed. */
    function confirm(browser: TestBrowser, page: BrowserResponse): Promise<BrowserResponse> {
      return browser.request(`${gw.issuer}/session/end/confirm`, { form: { ...hiddenFields(page.text), logout: 'yes' }, follow: false });
    }

    it('returns to a registered URI, with the state, after the reader confirms (id_token_hint)', async () => {
      const { browser, name, tokens } = await signIn();
      const page = await browser.get(endSession({ id_token_hint: String(tokens['id_token']), post_logout_redirect_uri: LOGGED_OUT_PAGE, state: 'back-to-post' }));
      expect(page.status).toBe(200);
      expect(page.text).toContain('Log out of comments on this browser?');
      const done = await confirm(browser, page);
      expect(done.status).toBe(303);
      expect(done.headers.get('location')).toBe(`${LOGGED_OUT_PAGE}?state=back-to-post`);
      expect(await isSignedIn(browser, name)).toBe(false);
    });

    it('returns to a registered URI named with client_id alone, as the widget names the site', async () => {
      const { browser, name } = await signIn();
      const page = await browser.get(endSession({ client_id: 'demo-blog', post_logout_redirect_uri: LOGGED_OUT_PAGE }));
      expect(page.text).toContain('Log out of comments on this browser?');
      const done = await confirm(browser, page);
      expect(done.headers.get('location')).toBe(LOGGED_OUT_PAGE);
      expect(await isSignedIn(browser, name)).toBe(false);
    });

    it.each([
      ['a page of the site it did not register', `${SITE_ORIGIN}/elsewhere`],
      ['another site\'s registered page', OTHER_SITE_LOGGED_OUT_PAGE],
      ['a page of another host', 'https://evil.example/logged-out'],
    ])('refuses %s, and ends nothing', async (_label, uri) => {
      const { browser, name, tokens } = await signIn();
      const namings: Record<string, string>[] = [{ id_token_hint: String(tokens['id_token']) }, { client_id: 'demo-blog' }];
      for (const params of namings) {
        const page = await browser.get(endSession({ ...params, post_logout_redirect_uri: uri }));
        expect(page.status).toBe(400);
        expect(page.text).not.toContain('Log out of comments on this browser?');
      }
      expect(await isSignedIn(browser, name)).toBe(true);
    });

    it('still ends on the gateway\'s own page when no URI is asked for (the widget\'s Log Out popup)', async () => {
      const { browser, name } = await signIn();
      const page = await browser.get(endSession({ client_id: 'demo-blog' }));
      const done = await browser.post(`${gw.issuer}/session/end/confirm`, { ...hiddenFields(page.text), logout: 'yes' });
      expect(done.url).toBe(`${gw.issuer}/session/end/success`);
      expect(done.text).toContain('You are logged out of comments on this browser');
      expect(await isSignedIn(browser, name)).toBe(false);
    });
  });
});
