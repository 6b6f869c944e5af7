import { TestBrowser, type BrowserResponse } from '../helpers/browser';
import { startTestGateway, type RunningTestGateway } from '../helpers/gateway';
import { hiddenFields } from '../helpers/html-forms';
import { authorize, codeIn, discover, redeemCode, relayParams, type Discovery } from '../helpers/oidc-client';
import { startEmailSignIn } from '../helpers/email';

/**
 * Issue #11, item 2: the widget's "Log Out" opens the gateway's RP-initiated logout in a popup.
 * Once the commenter confirms, this browser is signed out of the gateway altogether: the account
 * page and the next sign-in (in any tab) ask who they are again.
 */
describe('logging out of the gateway in the logout popup', () => {
  let gw: RunningTestGateway;
  let discovery: Discovery;
  let people = 0;

  beforeAll(async () => {
    gw = await startTestGateway();
    discovery = await discover(gw.issuer);
  });
  afterAll(() => gw.stop());

  /** A browser signed in with email, as after "Log in with Email" in the widget. */
  async function signedInBrowser(): Promise<{ browser: TestBrowser; accessToken: string }> {
    const browser = new TestBrowser();
    const started = await startEmailSignIn(browser, discovery, `logout-${++people}@example.com`, { name: 'Shared Computer' });
    const relay = await browser.post(`${gw.issuer}/interaction/${started.uid}/email/code`, { code: codeIn(started.message!) });
    const tokens = await redeemCode(discovery, started.pending, relayParams(relay).get('code')!);
    expect(tokens.status).toBe(200);
    return { browser, accessToken: String(tokens.body['access_token']) };
  }

  /** The logout popup the widget opens: the end-session endpoint with the site's client_id. */
  function openLogoutPopup(browser: TestBrowser): Promise<BrowserResponse> {
    const url = new URL(discovery['end_session_endpoint'] as string);
    url.searchParams.set('client_id', 'demo-blog');
    return browser.get(url.href);
  }

  /** Presses "Log out" on the confirmation page (its button adds logout=yes to the form). */
  function confirm(browser: TestBrowser, page: BrowserResponse): Promise<BrowserResponse> {
    return browser.post(`${gw.issuer}/session/end/confirm`, { ...hiddenFields(page.text), logout: 'yes' });
  }

  it('asks plainly, then ends the sign-in: the account page and the next email sign-in ask again', async () => {
    const { browser } = await signedInBrowser();
    expect((await browser.get(`${gw.issuer}/account`)).text).toContain('Shared Computer');
    // Before logging out, "Log in with Email" in another tab goes straight back with a code.
    expect(relayParams((await authorize(browser, discovery, { provider: 'email' })).response).get('code')).toBeTruthy();

    const popup = await openLogoutPopup(browser);
    expect(popup.status).toBe(200);
    expect(popup.text).toContain('Log out of comments on this browser?');
    expect(popup.text).toContain('/assets/logout.js');
    const done = await confirm(browser, popup);
    expect(done.status).toBe(200);
    expect(done.url).toBe(`${gw.issuer}/session/end/success`);
    expect(done.text).toContain('You are logged out of comments on this browser');

    const account = await browser.get(`${gw.issuer}/account`);
    expect(account.status).toBe(200);
    expect(account.text).toContain('You are not logged in on this browser.');
    expect(account.text).not.toContain('Shared Computer');

    const again = await authorize(browser, discovery, { provider: 'email' });
    expect(again.response.url).not.toMatch(/\/relay\//);
    expect(again.response.url).toMatch(/\/interaction\/[^/]+$/);
    expect(again.response.text).toContain('Log in with email');
  });

  it('keeps the page session when the confirmation is posted without the sign-in cookie (cross-site)', async () => {
    const { browser } = await signedInBrowser();
    const popup = await openLogoutPopup(browser);
    // A cross-site form post carries no SameSite=Lax cookie: nothing of this browser is ended.
    const response = await fetch(`${gw.issuer}/session/end/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...hiddenFields(popup.text), logout: 'yes' }).toString(),
      redirect: 'manual',
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect((await browser.get(`${gw.issuer}/account`)).text).toContain('Shared Computer');
  });

  it('serves the popup script from its own origin (CSP allows no inline script)', async () => {
    const script = await fetch(`${gw.issuer}/assets/logout.js`);
    expect(script.status).toBe(200);
    expect(await script.text()).toContain('window.close()');
  });
});
