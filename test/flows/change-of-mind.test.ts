import { TestBrowser, extract, type BrowserResponse } from '../helpers/browser';
import { decodeEntities } from '../helpers/html-forms';
import { authorize, codeIn, discover, interactionUid, readMailbox, redeemCode, relayParams, type Discovery, type PendingAuthorization } from '../helpers/oidc-client';
import { answerProviderPage, startGatewayWithEmulators, type GatewayWithEmulators } from '../helpers/upstream';

/**
 * Issue #11, item 1: the widget asks for one provider (`provider=email`), and the commenter picks
 * another in the popup. The method used in the popup wins: the relay gets a code whose tokens
 * name it, instead of the popup asking for the first provider again.
 */
describe('changing one’s mind in the sign-in popup', () => {
  let env: GatewayWithEmulators;
  let discovery: Discovery;
  let mailboxes = 0;

  beforeAll(async () => {
    env = await startGatewayWithEmulators();
    discovery = await discover(env.gw.issuer);
  });
  afterAll(() => env.stop());

  const alice = () => env.emulators.twitter.users[0]!;
  const dana = () => env.emulators.facebook.users[0]!;

  /** Follows the link of a gateway page whose text starts with `label`, as a click would. */
  function click(browser: TestBrowser, page: BrowserResponse, label: string): Promise<BrowserResponse> {
    const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // A picker link starts with the provider's mark: <a href><span class="mark">t</span><span>Log in with Twitter…
    const href = decodeEntities(extract(page.text, new RegExp(`<a [^>]*href="([^"]*)"[^>]*>(?:<span[^>]*>[^<]*</span><span>)?${escaped}`)));
    return browser.get(new URL(href, page.url).href);
  }

  /** On the email page: asks for the email and types the mailed code, as in the popup. */
  async function signInWithEmailCode(browser: TestBrowser, emailPage: BrowserResponse): Promise<BrowserResponse> {
    expect(emailPage.text).toContain('Log in with email');
    const uid = interactionUid(emailPage);
    const email = `changed-mind-${++mailboxes}@example.com`;
    const sent = await browser.post(`${env.gw.issuer}/interaction/${uid}/email`, { email, name: 'Mind Changer' });
    expect(sent.text).toContain('Check your email');
    const [message] = await readMailbox(env.gw.issuer, email);
    return browser.post(`${env.gw.issuer}/interaction/${uid}/email/code`, { code: codeIn(message!) });
  }

  /** The access token claims the relay's code redeems to. */
  async function claimsAtRelay(pending: PendingAuthorization, relay: BrowserResponse): Promise<Record<string, unknown>> {
    const params = relayParams(relay);
    expect(params.get('state')).toBe(pending.state);
    const tokens = await redeemCode(discovery, pending, params.get('code')!);
    expect(tokens.status).toBe(200);
    return JSON.parse(Buffer.from(String(tokens.body['access_token']).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
  }

  /** The emulator's test user these tests sign in with. */
  function upstreamUser(provider: 'twitter' | 'facebook'): { readonly userId: string; readonly name: string } {
    return provider === 'twitter' ? { userId: alice().idStr, name: alice().name } : { userId: dana().id, name: dana().name };
  }

  /** On the picker: "Log in with Twitter/Facebook", then the test user at the provider. */
  async function pickUpstream(browser: TestBrowser, picker: BrowserResponse, provider: 'twitter' | 'facebook'): Promise<BrowserResponse> {
    const providerPage = await click(browser, picker, provider === 'twitter' ? 'Log in with Twitter' : 'Log in with Facebook');
    return answerProviderPage(browser, providerPage, { userId: upstreamUser(provider).userId });
  }

  /** A browser whose gateway session is signed in to Alice through Twitter. */
  async function signedInWithTwitter(): Promise<TestBrowser> {
    const browser = new TestBrowser();
    const { pending, response } = await authorize(browser, discovery, { provider: 'twitter' });
    expect(await claimsAtRelay(pending, await answerProviderPage(browser, response, { userId: alice().idStr }))).toMatchObject({ idp: 'twitter' });
    return browser;
  }

  describe('asked for Email, the commenter goes "Other ways to log in"', () => {
    it.each([
      { to: 'facebook', browser: 'a new browser' },
      { to: 'twitter', browser: 'a new browser' },
      { to: 'twitter', browser: 'a browser signed in with Twitter' },
      { to: 'facebook', browser: 'a browser signed in with Twitter (another account)' },
      { to: 'facebook', browser: 'a browser signed in with Twitter, after Log Out (prompt=login)', params: { prompt: 'login' } },
    ] as const)('→ $to: ends signed in with $to, in $browser', async ({ to, browser: kind, params }) => {
      const browser = kind === 'a new browser' ? new TestBrowser() : await signedInWithTwitter();
      const { pending, response: emailPage } = await authorize(browser, discovery, { provider: 'email', ...(params ? { params } : {}) });
      // Even a browser signed in already is asked: the site wants another provider than the session's.
      expect(emailPage.text).toContain('Log in with email');
      const picker = await click(browser, emailPage, 'Other ways to log in');
      const relay = await pickUpstream(browser, picker, to);
      expect(await claimsAtRelay(pending, relay)).toMatchObject({ idp: to, name: upstreamUser(to).name });
    });

    it('→ Twitter, then Back to the email page: ends signed in with email', async () => {
      const browser = new TestBrowser();
      const { pending, response: emailPage } = await authorize(browser, discovery, { provider: 'email' });
      const picker = await click(browser, emailPage, 'Other ways to log in');
      const twitterPage = await click(browser, picker, 'Log in with Twitter');
      expect(twitterPage.url.startsWith(env.emulators.twitter.apiUrl)).toBe(true);
      // Back, Back: the browser shows the email page again (a fresh GET of its URL).
      const again = await browser.get(emailPage.url);
      expect(await claimsAtRelay(pending, await signInWithEmailCode(browser, again))).toMatchObject({ idp: 'email' });
    });
  });

  describe('asked for Twitter', () => {
    it('ends signed in with Facebook after Cancel at Twitter → Facebook', async () => {
      const browser = new TestBrowser();
      const { pending, response: twitterPage } = await authorize(browser, discovery, { provider: 'twitter' });
      const picker = await answerProviderPage(browser, twitterPage, 'cancel');
      expect(picker.text).toContain('You cancelled logging in with Twitter');
      const relay = await pickUpstream(browser, picker, 'facebook');
      expect(await claimsAtRelay(pending, relay)).toMatchObject({ idp: 'facebook', name: dana().name });
    });

    it('ends signed in with email after Cancel at Twitter → Email, typing the code', async () => {
      const browser = new TestBrowser();
      const { pending, response: twitterPage } = await authorize(browser, discovery, { provider: 'twitter' });
      const picker = await answerProviderPage(browser, twitterPage, 'cancel');
      const relay = await signInWithEmailCode(browser, await click(browser, picker, 'Log in with Email'));
      expect(await claimsAtRelay(pending, relay)).toMatchObject({ idp: 'email', name: 'Mind Changer' });
    });

    it('ends signed in with Twitter when the commenter goes Back from Facebook’s page to the picker and picks Twitter again', async () => {
      const browser = new TestBrowser();
      const { pending, response: twitterPage } = await authorize(browser, discovery, { provider: 'twitter' });
      const picker = await answerProviderPage(browser, twitterPage, 'cancel');
      const dialog = await click(browser, picker, 'Log in with Facebook');
      expect(dialog.url.startsWith(env.emulators.facebook.wwwUrl)).toBe(true);
      const pickerAgain = await browser.get(picker.url);
      const relay = await pickUpstream(browser, pickerAgain, 'twitter');
      expect(await claimsAtRelay(pending, relay)).toMatchObject({ idp: 'twitter' });
    });
  });

  describe('asked for Facebook', () => {
    it('ends signed in with email after denying at Facebook → Email', async () => {
      const browser = new TestBrowser();
      const { pending, response: dialog } = await authorize(browser, discovery, { provider: 'facebook' });
      const picker = await answerProviderPage(browser, dialog, 'cancel');
      expect(picker.text).toContain('You cancelled logging in with Facebook');
      const relay = await signInWithEmailCode(browser, await click(browser, picker, 'Log in with Email'));
      expect(await claimsAtRelay(pending, relay)).toMatchObject({ idp: 'email' });
    });
  });

  describe('asked for no provider (the picker)', () => {
    it('ends signed in with Facebook after Twitter → Cancel → Facebook', async () => {
      const browser = new TestBrowser();
      const { pending, response: picker } = await authorize(browser, discovery);
      const cancelled = await answerProviderPage(browser, await click(browser, picker, 'Log in with Twitter'), 'cancel');
      const relay = await pickUpstream(browser, cancelled, 'facebook');
      expect(await claimsAtRelay(pending, relay)).toMatchObject({ idp: 'facebook' });
    });
  });

  describe('afterwards, the provider a site asks for still counts', () => {
    it('signs a browser that chose Facebook over Email straight in with Facebook, and asks again for Email, or with prompt=login', async () => {
      const browser = new TestBrowser();
      const first = await authorize(browser, discovery, { provider: 'email' });
      const picker = await click(browser, first.response, 'Other ways to log in');
      await claimsAtRelay(first.pending, await pickUpstream(browser, picker, 'facebook'));

      const silent = await authorize(browser, discovery, { provider: 'facebook' });
      expect(await claimsAtRelay(silent.pending, silent.response)).toMatchObject({ idp: 'facebook', name: dana().name });

      const email = await authorize(browser, discovery, { provider: 'email' });
      expect(email.response.text).toContain('Log in with email');

      // After "Log Out" the widget asks with prompt=login and the provider: the popup asks even for the session's own.
      const change = await authorize(browser, discovery, { provider: 'facebook', params: { prompt: 'login' } });
      expect(change.response.url.startsWith(env.emulators.facebook.wwwUrl)).toBe(true);
      const relay = await answerProviderPage(browser, change.response, { userId: env.emulators.facebook.users[1]!.id });
      expect(await claimsAtRelay(change.pending, relay)).toMatchObject({ idp: 'facebook', name: env.emulators.facebook.users[1]!.name });
    });

    it('asks again on "Change" (prompt=login, no provider) with the picker, and the method chosen there wins', async () => {
      const browser = await signedInWithTwitter();
      const { pending, response: picker } = await authorize(browser, discovery, { params: { prompt: 'login' } });
      expect(picker.text).toContain('Log in with Facebook');
      const relay = await signInWithEmailCode(browser, await click(browser, picker, 'Log in with Email'));
      expect(await claimsAtRelay(pending, relay)).toMatchObject({ idp: 'email' });
    });
  });
});
