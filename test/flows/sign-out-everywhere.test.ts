import { createVerifier } from '../../packages/verify/src';
import { TestBrowser, extract } from '../helpers/browser';
import { startEmailSignIn } from '../helpers/email';
import { COMMENTS_URL, startTestGateway, type RunningTestGateway } from '../helpers/gateway';
import { authorize, codeIn, discover, redeemCode, relayParams, type Discovery } from '../helpers/oidc-client';

/** The verifier's revocation list is never older than this when it answers (2 × its poll interval). */
const VERIFIER_MAX_AGE_MS = 4_000;

describe('"Sign out everywhere" on the account page', () => {
  let gw: RunningTestGateway;
  let discovery: Discovery;

  beforeAll(async () => {
    gw = await startTestGateway();
    discovery = await discover(gw.issuer);
  });
  afterAll(() => gw.stop());

  async function signIn(browser: TestBrowser, email: string): Promise<string> {
    const started = await startEmailSignIn(browser, discovery, email);
    const relay = await browser.post(`${gw.issuer}/interaction/${started.uid}/email/code`, { code: codeIn(started.message!) });
    const tokens = await redeemCode(discovery, started.pending, relayParams(relay).get('code')!);
    expect(tokens.status).toBe(200);
    return String(tokens.body['access_token']);
  }

  it('ends the sign-in in every browser and revokes the tokens of every site', async () => {
    const laptop = new TestBrowser();
    const phone = new TestBrowser();
    const laptopToken = await signIn(laptop, 'everywhere@example.com');
    const phoneToken = await signIn(phone, 'everywhere@example.com');
    // Already signed in on the phone: the other blog gets its token without asking.
    const silent = await authorize(phone, discovery, { siteId: 'other-blog' });
    const otherTokens = await redeemCode(discovery, silent.pending, relayParams(silent.response).get('code')!, {}, 'http://localhost:4201');
    const otherSiteToken = String(otherTokens.body['access_token']);
    const demoVerifier = createVerifier({ issuer: gw.issuer, audience: COMMENTS_URL, clientId: 'demo-blog' });
    const otherVerifier = createVerifier({ issuer: gw.issuer, audience: COMMENTS_URL, clientId: 'other-blog' });
    for (const token of [laptopToken, phoneToken]) await expect(demoVerifier.verify(token)).resolves.toBeDefined();
    await expect(otherVerifier.verify(otherSiteToken)).resolves.toBeDefined();
    expect((await phone.get(`${gw.issuer}/account`)).text).toContain('Logged in as');

    const account = await laptop.get(`${gw.issuer}/account`);
    const done = await laptop.post(`${gw.issuer}/account/signout-everywhere`, { csrf: extract(account.text, /name="csrf" value="([^"]+)"/) });
    expect(done.text).toContain("You are logged out everywhere");
    const signedOutAt = Date.now();

    // Both browsers are signed out at the gateway: the account page and a new sign-in ask again.
    for (const browser of [laptop, phone]) {
      expect((await browser.get(`${gw.issuer}/account`)).text).toContain('You are not logged in on this browser');
      const { response } = await authorize(browser, discovery, { provider: 'email' });
      expect(response.url).toMatch(/\/interaction\/[^/]+$/);
      expect(response.text).not.toContain('/relay/');
    }

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, VERIFIER_MAX_AGE_MS - (Date.now() - signedOutAt))));
    for (const token of [laptopToken, phoneToken]) await expect(demoVerifier.verify(token)).rejects.toMatchObject({ code: 'ERR_TOKEN_REVOKED' });
    await expect(otherVerifier.verify(otherSiteToken)).rejects.toMatchObject({ code: 'ERR_TOKEN_REVOKED' });

    // Signing in again works, with a token the verifiers accept.
    const fresh = await signIn(phone, 'everywhere@example.com');
    await expect(demoVerifier.verify(fresh)).resolves.toBeDefined();
  });
});
