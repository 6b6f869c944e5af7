import { TestBrowser } from '../helpers/browser';
import { startTestGateway, type RunningTestGateway } from '../helpers/gateway';
import { codeIn, discover, linkIn, readMailbox, redeemCode, relayParams, type Discovery } from '../helpers/oidc-client';
import { startEmailSignIn, type StartedEmailSignIn } from '../helpers/email';
import { EMAIL_RATE_LIMITS } from '../../src/providers/email';

/** Five emails per address in a window, as in production; the per-client limit raised (one loopback address). */
const LIMITS = { ...EMAIL_RATE_LIMITS, perClient: { limit: 1000, windowSeconds: 900 } };

/**
 * The "check your email" page over HTTP (issue #11, item 5): "Send a new code", codes pasted with
 * separators, and "I opened the link, continue" pressed too early.
 */
describe('the email code page', () => {
  let gw: RunningTestGateway;
  let discovery: Discovery;

  beforeAll(async () => {
    gw = await startTestGateway({ gatewayOptions: { emailRateLimits: LIMITS } });
    discovery = await discover(gw.issuer);
  });
  afterAll(() => gw.stop());

  const codePage = (started: StartedEmailSignIn) => `${gw.issuer}/interaction/${started.uid}/email/code`;

  function sendCode(browser: TestBrowser, started: StartedEmailSignIn, code: string) {
    return browser.post(codePage(started), { code });
  }

  function resend(browser: TestBrowser, started: StartedEmailSignIn) {
    return browser.post(`${gw.issuer}/interaction/${started.uid}/email/resend`, {});
  }

  async function expectSignedIn(started: StartedEmailSignIn, relay: Awaited<ReturnType<TestBrowser['get']>>): Promise<void> {
    expect((await redeemCode(discovery, started.pending, relayParams(relay).get('code')!)).status).toBe(200);
  }

  describe('"Send a new code"', () => {
    it('mails a new code, says so with the address masked, and only the newest code and link work', async () => {
      const browser = new TestBrowser();
      const started = await startEmailSignIn(browser, discovery, 'resend-flow@example.org');
      const first = started.message!;

      const answer = await resend(browser, started);
      expect(answer.status).toBe(200);
      expect(answer.url).toBe(codePage(started));
      expect(answer.hops[0]!.status).toBe(303);
      expect(answer.text).toContain('We sent a new code to r•••••@example.org.');
      const messages = await readMailbox(gw.issuer, 'resend-flow@example.org');
      expect(messages).toHaveLength(2);
      const second = messages[0]!;

      // The first link is dead, in this browser and any other.
      expect((await browser.get(linkIn(first))).status).toBe(410);
      expect((await new TestBrowser().post(`${gw.issuer}/email/confirm`, { token: new URL(linkIn(first)).searchParams.get('token')! })).status).toBe(410);
      if (codeIn(first) !== codeIn(second)) {
        const old = await sendCode(browser, started, codeIn(first));
        expect(old.status).toBe(400);
        expect(old.text).toContain('That code is not right');
      }
      await expectSignedIn(started, await sendCode(browser, started, codeIn(second)));
    });

    it('keeps the name typed with the first request', async () => {
      const browser = new TestBrowser();
      const started = await startEmailSignIn(browser, discovery, 'resend-name@example.org', { name: 'Named Before' });
      await resend(browser, started);
      const [latest] = await readMailbox(gw.issuer, 'resend-name@example.org');
      const relay = await sendCode(browser, started, codeIn(latest!));
      const tokens = await redeemCode(discovery, started.pending, relayParams(relay).get('code')!);
      const claims = JSON.parse(Buffer.from(String(tokens.body['access_token']).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
      expect(claims['name']).toBe('Named Before');
    });

    it('revives a log-in whose code died of too many tries', async () => {
      const browser = new TestBrowser();
      const started = await startEmailSignIn(browser, discovery, 'resend-dead@example.org');
      const wrong = codeIn(started.message!) === '000000' ? '111111' : '000000';
      let answer;
      for (let i = 0; i < 5; i++) answer = await sendCode(browser, started, wrong);
      expect(answer!.status).toBe(410);
      expect(answer!.text).toContain('send a new code');
      await resend(browser, started);
      const [latest] = await readMailbox(gw.issuer, 'resend-dead@example.org');
      await expectSignedIn(started, await sendCode(browser, started, codeIn(latest!)));
    });

    it('is limited like the first send: the sixth email of a window is refused with Retry-After, and the last code still works', async () => {
      const browser = new TestBrowser();
      const started = await startEmailSignIn(browser, discovery, 'resend-limit@example.org');
      for (let i = 0; i < 4; i++) expect((await resend(browser, started)).status).toBe(200);
      const refused = await resend(browser, started);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused.url).toBe(codePage(started));
      expect(refused.text).toMatch(/Too many emails were asked for: try again in \d+ minutes?\./);
      const messages = await readMailbox(gw.issuer, 'resend-limit@example.org');
      expect(messages).toHaveLength(5);
      await expectSignedIn(started, await sendCode(browser, started, codeIn(messages[0]!)));
    });

    it('replaces only the log-in of its own popup', async () => {
      const browser = new TestBrowser();
      const a = await startEmailSignIn(browser, discovery, 'resend-a@example.org');
      const b = await startEmailSignIn(browser, discovery, 'resend-b@example.org');
      await resend(browser, a);
      await expectSignedIn(b, await sendCode(browser, b, codeIn(b.message!)));
      const [latestA] = await readMailbox(gw.issuer, 'resend-a@example.org');
      await expectSignedIn(a, await sendCode(browser, a, codeIn(latestA!)));
    });

    it('from a browser that does not hold the log-in, sends nothing and says the log-in is not there', async () => {
      const browser = new TestBrowser();
      const started = await startEmailSignIn(browser, discovery, 'resend-owner@example.org');
      const stranger = new TestBrowser();
      const answer = await resend(stranger, started);
      expect(answer.text).toContain('This log-in has expired');
      expect(await readMailbox(gw.issuer, 'resend-owner@example.org')).toHaveLength(1);
    });
  });

  describe('a code typed or pasted', () => {
    it.each([
      ['with a space', (code: string) => `${code.slice(0, 3)} ${code.slice(3)}`],
      ['with a dash', (code: string) => `${code.slice(0, 3)}-${code.slice(3)}`],
      ['with a no-break space and padding', (code: string) => ` ${code.slice(0, 3)}\u00a0${code.slice(3)} `],
      ['in full-width digits', (code: string) => code.replace(/\d/g, (digit) => String.fromCharCode(0xff10 + Number(digit)))],
    ])('%s is accepted', async (way, format) => {
      const browser = new TestBrowser();
      const started = await startEmailSignIn(browser, discovery, `pasted-${way.replace(/\W+/g, '-')}@example.org`);
      await expectSignedIn(started, await sendCode(browser, started, format(codeIn(started.message!))));
    });

    it('with letters in it is refused as not right, and marks the code field', async () => {
      const browser = new TestBrowser();
      const started = await startEmailSignIn(browser, discovery, 'pasted-letters@example.org');
      const answer = await sendCode(browser, started, `${codeIn(started.message!)}x`);
      expect(answer.status).toBe(400);
      expect(answer.text).toMatch(/<input id="code"[^>]* aria-invalid="true" aria-describedby="code-error"/);
      expect(answer.text).toContain('id="code-error">That code is not right: check the email and try again (4 tries left).');
    });
  });

  describe('"I opened the link, continue" pressed before the link was opened', () => {
    it('stays on the code page, says so in one sentence, and the code still works', async () => {
      const browser = new TestBrowser();
      const started = await startEmailSignIn(browser, discovery, 'too-early@example.org');
      const early = await browser.post(`${gw.issuer}/interaction/${started.uid}/email/complete`, {});
      expect(early.status).toBe(409);
      expect(early.url).toBe(codePage(started));
      expect(early.text).toContain('The link has not been opened yet: enter the code, or open the link in this browser.');
      expect(early.text).toContain('<input id="code"');
      expect(early.text).not.toContain('id="email"');
      await expectSignedIn(started, await sendCode(browser, started, codeIn(started.message!)));
    });
  });

  it('shows the code page again on a reload, without posting anything', async () => {
    const browser = new TestBrowser();
    const started = await startEmailSignIn(browser, discovery, 'reload@example.org');
    expect(started.sent.url).toBe(codePage(started));
    const again = await browser.get(codePage(started));
    expect(again.status).toBe(200);
    expect(again.headers.get('cache-control')).toBe('no-store');
    expect(again.text).toContain('Check your email');
    expect(await readMailbox(gw.issuer, 'reload@example.org')).toHaveLength(1);
  });
});
