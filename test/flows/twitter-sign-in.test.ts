import { createRemoteJWKSet, jwtVerify } from 'jose';
import { TestBrowser } from '../helpers/browser';
import { COMMENTS_URL, startTestGateway } from '../helpers/gateway';
import { authorize, discover, interactionUid, redeemCode, relayParams, type Discovery } from '../helpers/oidc-client';
import { answerProviderPage, startGatewayWithEmulators, type GatewayWithEmulators } from '../helpers/upstream';

describe('sign-in with Twitter through passport-twitter against the emulator', () => {
  let env: GatewayWithEmulators;
  let discovery: Discovery;

  beforeAll(async () => {
    env = await startGatewayWithEmulators();
    discovery = await discover(env.gw.issuer);
  });
  afterEach(() => env.emulators.twitter.control.reset());
  afterAll(() => env.stop());

  async function openTwitter(browser: TestBrowser) {
    const { pending, response } = await authorize(browser, discovery, { provider: 'twitter' });
    return { pending, page: response };
  }

  it('goes from the authorization request to a verified access token with the Twitter profile', async () => {
    const browser = new TestBrowser();
    const { pending, page } = await openTwitter(browser);
    expect(page.url.startsWith(env.emulators.twitter.apiUrl)).toBe(true);
    expect(page.text).toMatch(/emulator/i);
    const alice = env.emulators.twitter.users[0]!;
    const relay = await answerProviderPage(browser, page, { userId: alice.idStr });
    const params = relayParams(relay);
    expect(params.get('state')).toBe(pending.state);
    const tokens = await redeemCode(discovery, pending, params.get('code')!);
    expect(tokens.status).toBe(200);
    const { payload } = await jwtVerify(tokens.body['access_token'] as string, createRemoteJWKSet(new URL(discovery.jwks_uri)), {
      issuer: env.gw.issuer,
      audience: COMMENTS_URL,
      typ: 'at+jwt',
    });
    expect(payload).toMatchObject({ name: alice.name, idp: 'twitter', client_id: 'demo-blog' });
    expect(String(payload['picture'])).toMatch(/^https:\/\//);
    expect(JSON.stringify(payload)).not.toContain(alice.email);
  });

  it('gives the same subject on a second sign-in by the same Twitter user', async () => {
    const subjects: string[] = [];
    for (let i = 0; i < 2; i++) {
      const browser = new TestBrowser();
      const { pending, page } = await openTwitter(browser);
      const relay = await answerProviderPage(browser, page, { userId: env.emulators.twitter.users[1]!.idStr });
      const tokens = await redeemCode(discovery, pending, relayParams(relay).get('code')!);
      subjects.push(JSON.parse(Buffer.from(String(tokens.body['access_token']).split('.')[1]!, 'base64url').toString()).sub);
    }
    expect(subjects[0]).toBe(subjects[1]);
  });

  it('lets two sign-ins in two tabs of one browser run at once', async () => {
    const browser = new TestBrowser();
    const first = await openTwitter(browser);
    const second = await openTwitter(browser);
    const users = env.emulators.twitter.users;
    // The widget redeems each code as soon as the relay hands it over.
    const secondRelay = await answerProviderPage(browser, second.page, { userId: users[1]!.idStr });
    const secondTokens = await redeemCode(discovery, second.pending, relayParams(secondRelay).get('code')!);
    const firstRelay = await answerProviderPage(browser, first.page, { userId: users[0]!.idStr });
    const firstTokens = await redeemCode(discovery, first.pending, relayParams(firstRelay).get('code')!);
    const name = (tokens: typeof firstTokens) => JSON.parse(Buffer.from(String(tokens.body['access_token']).split('.')[1]!, 'base64url').toString()).name;
    expect(name(firstTokens)).toBe(users[0]!.name);
    expect(name(secondTokens)).toBe(users[1]!.name);
  });

  it('switches the browser to another account when the commenter signs in again with prompt=login ("Change")', async () => {
    const browser = new TestBrowser();
    const users = env.emulators.twitter.users;
    const first = await openTwitter(browser);
    const firstTokens = await redeemCode(discovery, first.pending, relayParams(await answerProviderPage(browser, first.page, { userId: users[0]!.idStr })).get('code')!);
    // The second interaction starts while a grant exists for the first account: it carries that grant.
    const { pending, response } = await authorize(browser, discovery, { provider: 'twitter', params: { prompt: 'login' } });
    const relay = await answerProviderPage(browser, response, { userId: users[1]!.idStr });
    const tokens = await redeemCode(discovery, pending, relayParams(relay).get('code')!);
    const claims = (body: Record<string, unknown>) => JSON.parse(Buffer.from(String(body['access_token']).split('.')[1]!, 'base64url').toString());
    expect(claims(tokens.body).name).toBe(users[1]!.name);
    expect(claims(tokens.body).sub).not.toBe(claims(firstTokens.body).sub);
  });

  it('returns a commenter who cancels at Twitter to the picker with a plain message', async () => {
    const browser = new TestBrowser();
    const { page } = await openTwitter(browser);
    const back = await answerProviderPage(browser, page, 'cancel');
    expect(back.status).toBe(200);
    expect(back.url).toContain('/interaction/');
    expect(back.text).toContain('You cancelled logging in with Twitter');
    expect(back.text).toContain('Log in with Email');
  });

  it('answers a replayed callback (Back to Twitter’s page) with the finished log-in, and leaves the session as it was', async () => {
    const browser = new TestBrowser();
    const { page } = await openTwitter(browser);
    const relay = await answerProviderPage(browser, page, { userId: env.emulators.twitter.users[0]!.idStr });
    const callback = relay.hops.find((hop) => hop.url.includes('/signin/twitter/callback'))!.url;
    const sessionBefore = browser.cookieValue('parley.sid');
    const replay = await browser.get(callback);
    expect(replay.status).toBe(200);
    expect(replay.text).toContain('This log-in has finished');
    expect(replay.text).not.toContain('/relay/');
    expect(replay.headers.getSetCookie()).toEqual([]);
    expect(browser.cookieValue('parley.sid')).toBe(sessionBefore);
  });

  it('answers the same callback in another browser with a clean 400', async () => {
    const browser = new TestBrowser();
    const { page } = await openTwitter(browser);
    const relay = await answerProviderPage(browser, page, { userId: env.emulators.twitter.users[0]!.idStr });
    const callback = relay.hops.find((hop) => hop.url.includes('/signin/twitter/callback'))!.url;
    const replay = await new TestBrowser().get(callback);
    expect(replay.status).toBe(400);
    expect(replay.text).toContain('This log-in cannot continue');
  });

  it('answers a callback whose request token this browser never asked for with a clean 400', async () => {
    const stranger = new TestBrowser();
    const answer = await stranger.get(`${env.gw.issuer}/signin/twitter/callback?oauth_token=forged&oauth_verifier=forged`);
    expect(answer.status).toBe(400);
    expect(answer.text).not.toMatch(/at .*\.(js|ts):\d+/);
  });

  describe.each([
    ['request_token', { kind: 'server-error', status: 503 }],
    ['request_token', { kind: 'malformed' }],
    ['request_token', { kind: 'error-200' }],
    ['request_token', { kind: 'hang' }],
    ['access_token', { kind: 'server-error', status: 500 }],
    ['access_token', { kind: 'malformed' }],
    ['access_token', { kind: 'hang' }],
    ['verify_credentials', { kind: 'server-error', status: 503 }],
    ['verify_credentials', { kind: 'malformed' }],
    ['verify_credentials', { kind: 'error-200' }],
    ['verify_credentials', { kind: 'hang' }],
  ] as const)('when Twitter %s fails with %j', (endpoint, failure) => {
    it('shows a clean error page with "Try again", and trying again works', async () => {
      const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        env.emulators.twitter.control.fail(endpoint, failure);
        const browser = new TestBrowser();
        const { pending, response } = await authorize(browser, discovery, { provider: 'twitter' });
        const uid = interactionUid({ ...response, url: response.hops.find((hop) => hop.url.includes('/interaction/'))!.url });
        const trouble = endpoint === 'request_token' ? response : await answerProviderPage(browser, response, { userId: env.emulators.twitter.users[0]!.idStr });
        expect(trouble.status).toBe(502);
        expect(trouble.text).toContain('Twitter is not answering properly');
        expect(trouble.text).toContain(`href="/interaction/${uid}/twitter"`);
        expect(trouble.text).not.toMatch(/at .*\.(js|ts):\d+/);

        const retry = await browser.get(`${env.gw.issuer}/interaction/${uid}/twitter`);
        const relay = await answerProviderPage(browser, retry, { userId: env.emulators.twitter.users[0]!.idStr });
        expect((await redeemCode(discovery, pending, relayParams(relay).get('code')!)).status).toBe(200);
      } finally {
        errors.mockRestore();
      }
    });
  });
});

describe('the provider picker', () => {
  it('offers Twitter and Facebook when configured, labelled as development emulators on loopback', async () => {
    const env = await startGatewayWithEmulators();
    try {
      const { response } = await authorize(new TestBrowser(), await discover(env.gw.issuer));
      expect(response.text).toContain('Log in with Email');
      expect(response.text).toMatch(/Log in with Twitter <span class="dev-badge">development emulator<\/span>/);
      expect(response.text).toMatch(/Log in with Facebook <span class="dev-badge">development emulator<\/span>/);
      expect(response.text).toContain('never your email address');
    } finally {
      await env.stop();
    }
  });

  it('offers only Email when no provider is configured, and says so when a site asks for another', async () => {
    const gw = await startTestGateway();
    try {
      const discovery = await discover(gw.issuer);
      const { response } = await authorize(new TestBrowser(), discovery);
      expect(response.text).toContain('Log in with Email');
      expect(response.text).not.toContain('Log in with Twitter');
      expect(response.text).not.toContain('Log in with Facebook');
      const asked = await authorize(new TestBrowser(), discovery, { provider: 'twitter' });
      expect(asked.response.status).toBe(200);
      expect(asked.response.text).toContain('That way of logging in is not available here');
    } finally {
      await gw.stop();
    }
  });
});
