import { createRemoteJWKSet, jwtVerify } from 'jose';
import { TestBrowser } from '../helpers/browser';
import { COMMENTS_URL } from '../helpers/gateway';
import { authorize, discover, interactionUid, redeemCode, relayParams, type Discovery } from '../helpers/oidc-client';
import { answerProviderPage, startGatewayWithEmulators, type GatewayWithEmulators } from '../helpers/upstream';

describe('sign-in with Facebook through passport-facebook against the emulator', () => {
  let env: GatewayWithEmulators;
  let discovery: Discovery;

  beforeAll(async () => {
    // The emulator insists on appsecret_proof and PKCE, as a hardened Facebook app does.
    env = await startGatewayWithEmulators();
    discovery = await discover(env.gw.issuer);
  });
  afterEach(() => env.emulators.facebook.control.reset());
  afterAll(() => env.stop());

  it('goes from the authorization request to a verified access token with the Facebook profile', async () => {
    const browser = new TestBrowser();
    const { pending, response: dialog } = await authorize(browser, discovery, { provider: 'facebook' });
    expect(dialog.url.startsWith(env.emulators.facebook.wwwUrl)).toBe(true);
    const dialogUrl = new URL(dialog.url);
    expect(dialogUrl.pathname).toMatch(/^\/facebook\/www\/v\d+\.\d+\/dialog\/oauth$/);
    expect(dialogUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(dialogUrl.searchParams.get('state')).toBeTruthy();
    expect(dialogUrl.searchParams.get('scope')).toBe('public_profile');

    const dana = env.emulators.facebook.users[0]!;
    const relay = await answerProviderPage(browser, dialog, { userId: dana.id });
    const tokens = await redeemCode(discovery, pending, relayParams(relay).get('code')!);
    const { payload } = await jwtVerify(tokens.body['access_token'] as string, createRemoteJWKSet(new URL(discovery.jwks_uri)), {
      issuer: env.gw.issuer,
      audience: COMMENTS_URL,
    });
    expect(payload).toMatchObject({ name: dana.name, idp: 'facebook' });
    expect(String(payload['picture']).startsWith(dana.pictureUrl)).toBe(true);
    expect(JSON.stringify(payload)).not.toContain(dana.email);
  });

  it('leaves the picture out for a user whose photo is the silhouette', async () => {
    const browser = new TestBrowser();
    const { pending, response } = await authorize(browser, discovery, { provider: 'facebook' });
    const eli = env.emulators.facebook.users[1]!;
    const relay = await answerProviderPage(browser, response, { userId: eli.id });
    const tokens = await redeemCode(discovery, pending, relayParams(relay).get('code')!);
    const payload = JSON.parse(Buffer.from(String(tokens.body['access_token']).split('.')[1]!, 'base64url').toString());
    expect(payload.name).toBe(eli.name);
    expect(eli.isSilhouette).toBe(true);
    expect(payload).not.toHaveProperty('picture');
  });

  it('returns a commenter who cancels at Facebook to the picker with a plain message', async () => {
    const browser = new TestBrowser();
    const { response } = await authorize(browser, discovery, { provider: 'facebook' });
    const back = await answerProviderPage(browser, response, 'cancel');
    expect(back.status).toBe(200);
    expect(back.text).toContain('You cancelled logging in with Facebook');
  });

  it('answers a callback with a state this browser never issued with a clean 400', async () => {
    const browser = new TestBrowser();
    await authorize(browser, discovery, { provider: 'facebook' });
    const forged = await browser.get(`${env.gw.issuer}/signin/facebook/callback?code=abc&state=not-ours`);
    expect(forged.status).toBe(400);
    expect(forged.headers.getSetCookie()).toEqual([]);
  });

  it('answers a replayed callback with the finished log-in in the same browser, and a clean 400 in another', async () => {
    const browser = new TestBrowser();
    const { response } = await authorize(browser, discovery, { provider: 'facebook' });
    const relay = await answerProviderPage(browser, response, { userId: env.emulators.facebook.users[0]!.id });
    const callback = relay.hops.find((hop) => hop.url.includes('/signin/facebook/callback'))!.url;
    const replay = await browser.get(callback);
    expect(replay.status).toBe(200);
    expect(replay.text).toContain('This log-in has finished');
    expect(replay.text).not.toContain('/relay/');
    expect((await new TestBrowser().get(callback)).status).toBe(400);
  });

  describe.each([
    ['dialog', { kind: 'error-200' }],
    ['access_token', { kind: 'server-error', status: 500 }],
    ['access_token', { kind: 'malformed' }],
    ['access_token', { kind: 'error-200' }],
    ['access_token', { kind: 'hang' }],
    ['me', { kind: 'server-error', status: 503 }],
    ['me', { kind: 'malformed' }],
    ['me', { kind: 'error-200' }],
    ['me', { kind: 'hang' }],
  ] as const)('when Facebook %s fails with %j', (endpoint, failure) => {
    it('shows a clean error page with "Try again", and trying again works', async () => {
      const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        env.emulators.facebook.control.fail(endpoint, failure);
        const browser = new TestBrowser();
        const { pending, response } = await authorize(browser, discovery, { provider: 'facebook' });
        const uid = interactionUid({ ...response, url: response.hops.find((hop) => hop.url.includes('/interaction/'))!.url });
        const trouble = endpoint === 'dialog' ? response : await answerProviderPage(browser, response, { userId: env.emulators.facebook.users[0]!.id });
        expect(trouble.status).toBe(502);
        expect(trouble.text).toContain('Facebook is not answering properly');
        expect(trouble.text).toContain(`href="/interaction/${uid}/facebook"`);

        const retry = await browser.get(`${env.gw.issuer}/interaction/${uid}/facebook`);
        const relay = await answerProviderPage(browser, retry, { userId: env.emulators.facebook.users[0]!.id });
        expect((await redeemCode(discovery, pending, relayParams(relay).get('code')!)).status).toBe(200);
      } finally {
        errors.mockRestore();
      }
    });
  });
});
