import { TestBrowser, extract } from '../helpers/browser';
import { startTestGateway, type RunningTestGateway } from '../helpers/gateway';
import { codeIn, discover, linkIn, readMailbox, redeemCode, relayParams, type Discovery } from '../helpers/oidc-client';
import { startEmailSignIn, type StartedEmailSignIn } from '../helpers/email';
import { EMAIL_RATE_LIMITS } from '../../src/providers/email';

/**
 * A commenter may open the email sign-in popup twice in one browser (two blogs, two tabs, or a
 * second try before the first email arrived). Each popup is an interaction of its own and must
 * finish on its own, whichever finishes first.
 */
describe('email sign-ins in several popups of one browser', () => {
  let gw: RunningTestGateway;
  let discovery: Discovery;

  beforeAll(async () => {
    // Every request here comes from 127.0.0.1, and the cap test below asks for many emails.
    gw = await startTestGateway({ gatewayOptions: { emailRateLimits: { ...EMAIL_RATE_LIMITS, perClient: { limit: 1000, windowSeconds: 900 } } } });
    discovery = await discover(gw.issuer);
  });
  afterAll(() => gw.stop());

  async function expectRedeemable(started: StartedEmailSignIn, relay: Awaited<ReturnType<TestBrowser['get']>>): Promise<void> {
    const tokens = await redeemCode(discovery, started.pending, relayParams(relay).get('code')!);
    expect(tokens.status).toBe(200);
    expect(tokens.body['access_token']).toEqual(expect.any(String));
  }

  /** Two popups of one browser, each of which has asked for its own email. */
  async function twoPopups(label: string) {
    const browser = new TestBrowser();
    const a = await startEmailSignIn(browser, discovery, `a-${label}@example.org`);
    const b = await startEmailSignIn(browser, discovery, `b-${label}@example.org`);
    return { browser, a, b };
  }

  function finishWithCode(browser: TestBrowser, started: StartedEmailSignIn) {
    return browser.post(`${gw.issuer}/interaction/${started.uid}/email/code`, { code: codeIn(started.message!) });
  }

  async function finishWithLink(browser: TestBrowser, started: StartedEmailSignIn) {
    const token = new URL(linkIn(started.message!)).searchParams.get('token')!;
    const confirmed = await browser.post(`${gw.issuer}/email/confirm`, { token });
    expect(confirmed.status).toBe(200);
    const status = await browser.get(`${gw.issuer}/interaction/${started.uid}/email/status`);
    expect(JSON.parse(status.text)).toEqual({ status: 'confirmed' });
    return browser.post(`${gw.issuer}/interaction/${started.uid}/email/complete`, {});
  }

  describe.each([
    ['the later popup finishes first', 'later-first'],
    ['the earlier popup finishes first', 'earlier-first'],
  ])('when %s', (_order, tag) => {
    it.each([
      ['with their codes', 'code', finishWithCode],
      ['through their links, each popup polling its own status', 'link', finishWithLink],
    ])('finishes both %s', async (_way, way, finish) => {
      const { browser, a, b } = await twoPopups(`${way}-${tag}`);
      for (const started of [a, b]) {
        const status = await browser.get(`${gw.issuer}/interaction/${started.uid}/email/status`);
        expect(JSON.parse(status.text)).toEqual({ status: 'pending' });
      }
      const [first, second] = tag === 'later-first' ? [b, a] : [a, b];
      await expectRedeemable(first, await finish(browser, first));
      await expectRedeemable(second, await finish(browser, second));
    });
  });

  it('finishes one popup by link and the other by code', async () => {
    const { browser, a, b } = await twoPopups('mixed');
    await expectRedeemable(a, await finishWithLink(browser, a));
    await expectRedeemable(b, await finishWithCode(browser, b));
  });

  it('forgets a finished sign-in and keeps the other popup waiting', async () => {
    const { browser, a, b } = await twoPopups('once');
    await expectRedeemable(a, await finishWithCode(browser, a));
    const status = await browser.get(`${gw.issuer}/interaction/${a.uid}/email/status`);
    expect(status.status).toBe(404);
    expect(JSON.parse(status.text)).toEqual({ status: 'dead' });
    const pollB = await browser.get(`${gw.issuer}/interaction/${b.uid}/email/status`);
    expect(JSON.parse(pollB.text)).toEqual({ status: 'pending' });
  });

  it('keeps an address being added on the account page apart from a popup sign-in', async () => {
    const browser = new TestBrowser();
    const owner = await startEmailSignIn(browser, discovery, 'owner-account@example.org');
    await expectRedeemable(owner, await finishWithCode(browser, owner));
    const account = await browser.get(`${gw.issuer}/account`);
    const asked = await browser.post(`${gw.issuer}/account/email`, { csrf: extract(account.text, /name="csrf" value="([^"]+)"/), email: 'owner-added@example.org' });
    expect(asked.text).toContain('Check your email');
    // A signed-in browser skips the popup's pages unless the site asks to sign in again.
    const popup = await startEmailSignIn(browser, discovery, 'owner-popup@example.org', { params: { prompt: 'login' } });

    const [added] = await readMailbox(gw.issuer, 'owner-added@example.org');
    const linked = await browser.post(`${gw.issuer}/account/email/code`, { csrf: extract(asked.text, /name="csrf" value="([^"]+)"/), code: codeIn(added!) });
    expect(linked.text).toContain('Your email address now logs you in to this account');
    await expectRedeemable(popup, await finishWithCode(browser, popup));
  });

  it('keeps at most eight pending sign-ins per browser, dropping the oldest', async () => {
    const browser = new TestBrowser();
    const started: StartedEmailSignIn[] = [];
    for (let i = 0; i < 9; i++) started.push(await startEmailSignIn(browser, discovery, `cap-${i}@example.org`));
    const oldest = await finishWithCode(browser, started[0]!);
    expect(oldest.status).toBe(410);
    expect(oldest.text).toContain('This log-in has expired');
    await expectRedeemable(started[1]!, await finishWithCode(browser, started[1]!));
    await expectRedeemable(started[8]!, await finishWithCode(browser, started[8]!));
  });
});
