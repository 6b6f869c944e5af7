import { TestBrowser } from '../helpers/browser';
import { startTestGateway, type RunningTestGateway } from '../helpers/gateway';
import { authorize, codeIn, discover, interactionUid, linkIn, readMailbox, redeemCode, relayParams, type Discovery } from '../helpers/oidc-client';
import { startEmailSignIn } from '../helpers/email';
import { count, openGatewayDb } from '../helpers/db';
import { EMAIL_RATE_LIMITS } from '../../src/providers/email';

describe('email sign-in refuses what it must, and leaves nothing behind', () => {
  let gw: RunningTestGateway;
  let discovery: Discovery;
  let db: ReturnType<typeof openGatewayDb>;

  beforeAll(async () => {
    // Every test here comes from 127.0.0.1: only the spraying test below keeps the real per-client limit.
    gw = await startTestGateway({ gatewayOptions: { emailRateLimits: { ...EMAIL_RATE_LIMITS, perClient: { limit: 1000, windowSeconds: 900 } } } });
    discovery = await discover(gw.issuer);
    db = openGatewayDb(gw.dataDir);
  });
  afterAll(async () => {
    db.close();
    await gw.stop();
  });

  async function signInWithCode(email: string) {
    const browser = new TestBrowser();
    const started = await startEmailSignIn(browser, discovery, email);
    const relay = await browser.post(`${gw.issuer}/interaction/${started.uid}/email/code`, { code: codeIn(started.message!) });
    return { browser, pending: started.pending, code: relayParams(relay).get('code')! };
  }

  describe('at the token endpoint', () => {
    it('refuses a wrong PKCE verifier with invalid_grant', async () => {
      const { pending, code } = await signInWithCode('pkce-wrong@example.com');
      const result = await redeemCode(discovery, pending, code, { code_verifier: 'x'.repeat(43) });
      expect(result.status).toBe(400);
      expect(result.body['error']).toBe('invalid_grant');
      expect(result.body).not.toHaveProperty('access_token');
    });

    it('refuses a missing PKCE verifier with invalid_grant', async () => {
      const { pending, code } = await signInWithCode('pkce-missing@example.com');
      const result = await redeemCode(discovery, pending, code, { code_verifier: undefined });
      expect(result.status).toBe(400);
      expect(result.body['error']).toBe('invalid_grant');
    });

    it('refuses a token request from a browser origin the site did not register', async () => {
      const { pending, code } = await signInWithCode('cors@example.com');
      const result = await redeemCode(discovery, pending, code, {}, 'https://evil.example');
      expect(result.status).toBe(400);
      expect(result.headers.get('access-control-allow-origin')).toBeNull();
      expect(result.body).not.toHaveProperty('access_token');
    });

    it('refuses a code redeemed twice', async () => {
      const { pending, code } = await signInWithCode('code-twice@example.com');
      const first = await redeemCode(discovery, pending, code);
      expect(first.status).toBe(200);
      const second = await redeemCode(discovery, pending, code);
      expect(second.status).toBe(400);
      expect(second.body['error']).toBe('invalid_grant');
      expect(second.body).not.toHaveProperty('access_token');
    });
  });

  describe('at the authorization endpoint', () => {
    it('sends a request without a PKCE challenge back to the relay with invalid_request', async () => {
      const browser = new TestBrowser();
      const { response } = await authorize(browser, discovery, { provider: 'email', params: { code_challenge: '', code_challenge_method: '' } });
      const params = relayParams(response);
      expect(params.get('error')).toBe('invalid_request');
      expect(params.get('code')).toBeNull();
    });

    it('refuses an unknown site with a page of its own, redirecting nowhere', async () => {
      const browser = new TestBrowser();
      const { response } = await authorize(browser, discovery, { siteId: 'no-such-blog' });
      expect(response.status).toBe(400);
      expect(response.hops).toHaveLength(1);
      expect(response.headers.get('location')).toBeNull();
      expect(response.text).toContain('This log-in cannot continue');
    });

    it('refuses a redirect URI the site did not register, redirecting nowhere', async () => {
      const browser = new TestBrowser();
      const { response } = await authorize(browser, discovery, { params: { redirect_uri: 'https://evil.example/steal' } });
      expect(response.status).toBe(400);
      expect(response.hops).toHaveLength(1);
      expect(response.headers.get('location')).toBeNull();
      expect(response.text).not.toContain('evil.example/steal?');
    });

    it('answers 404 for the relay page of an unknown site', async () => {
      const response = await fetch(`${gw.issuer}/relay/no-such-blog?code=abc`);
      expect(response.status).toBe(404);
    });
  });

  describe('the link in the email', () => {
    it('is not consumed by a GET: a mail scanner opening it twice changes nothing', async () => {
      const browser = new TestBrowser();
      const started = await startEmailSignIn(browser, discovery, 'scanner@example.com');
      const link = linkIn(started.message!);
      const scanner = new TestBrowser();
      expect((await scanner.get(link)).status).toBe(200);
      expect((await scanner.get(link)).status).toBe(200);
      expect((await browser.get(link)).status).toBe(200);
      const confirmed = await browser.post(`${gw.issuer}/email/confirm`, { token: new URL(link).searchParams.get('token')! });
      expect(confirmed.status).toBe(200);
      expect(relayParams(await browser.post(`${gw.issuer}/interaction/${started.uid}/email/complete`, {})).get('code')).toBeTruthy();
    });

    it('cannot be confirmed from another browser, which is told to use the code', async () => {
      const browser = new TestBrowser();
      const started = await startEmailSignIn(browser, discovery, 'other-browser@example.com');
      const token = new URL(linkIn(started.message!)).searchParams.get('token')!;
      const stranger = new TestBrowser();
      const refused = await stranger.post(`${gw.issuer}/email/confirm`, { token });
      expect(refused.status).toBe(409);
      expect(refused.text).toContain('Type the 6-digit code');
      const status = await browser.get(`${gw.issuer}/interaction/${started.uid}/email/status`);
      expect(JSON.parse(status.text)).toEqual({ status: 'pending' });
      const relay = await browser.post(`${gw.issuer}/interaction/${started.uid}/email/code`, { code: codeIn(started.message!) });
      expect(relayParams(relay).get('code')).toBeTruthy();
    });

    it('works once: after the sign-in completed it shows a dead-link page', async () => {
      const browser = new TestBrowser();
      const started = await startEmailSignIn(browser, discovery, 'reuse@example.com');
      const link = linkIn(started.message!);
      const token = new URL(link).searchParams.get('token')!;
      await browser.post(`${gw.issuer}/email/confirm`, { token });
      await browser.post(`${gw.issuer}/interaction/${started.uid}/email/complete`, {});
      expect((await browser.get(link)).status).toBe(410);
      const again = await browser.post(`${gw.issuer}/email/confirm`, { token });
      expect(again.status).toBe(410);
      expect(again.text).toContain('This link can no longer be used');
    });

    it('is refused when tampered with', async () => {
      const browser = new TestBrowser();
      const started = await startEmailSignIn(browser, discovery, 'tamper@example.com');
      const link = new URL(linkIn(started.message!));
      const token = link.searchParams.get('token')!;
      const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
      link.searchParams.set('token', tampered);
      expect((await browser.get(link.href)).status).toBe(410);
      expect((await browser.post(`${gw.issuer}/email/confirm`, { token: tampered })).status).toBe(410);
      expect((await browser.post(`${gw.issuer}/email/confirm`, { token: '<script>' })).status).toBe(410);
    });

    it('expires after 10 minutes', async () => {
      const browser = new TestBrowser();
      const started = await startEmailSignIn(browser, discovery, 'expired@example.com');
      db.prepare('update email_signins set expires_at = ? where email = ?').run(Date.now() - 1, 'expired@example.com');
      const link = linkIn(started.message!);
      expect((await browser.get(link)).status).toBe(410);
      expect((await browser.post(`${gw.issuer}/email/confirm`, { token: new URL(link).searchParams.get('token')! })).status).toBe(410);
      const code = await browser.post(`${gw.issuer}/interaction/${started.uid}/email/code`, { code: codeIn(started.message!) });
      expect(code.status).toBe(410);
      const complete = await browser.post(`${gw.issuer}/interaction/${started.uid}/email/complete`, {});
      expect(complete.status).toBe(410);
      // Still the code page, offering a new code.
      expect(complete.url).toBe(`${gw.issuer}/interaction/${started.uid}/email/code`);
      expect(complete.text).toContain('send a new code');
      expect(complete.text).toContain('Send a new code');
    });

    it('carries at least 128 random bits and is stored only as a hash', async () => {
      const browser = new TestBrowser();
      const started = await startEmailSignIn(browser, discovery, 'hashed@example.com');
      const token = new URL(linkIn(started.message!)).searchParams.get('token')!;
      expect(Buffer.from(token, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
      const code = codeIn(started.message!);
      const dump = JSON.stringify(db.prepare('select * from email_signins').all());
      expect(dump).not.toContain(token);
      expect(dump).not.toMatch(new RegExp(`"${code}"`));
    });
  });

  describe('the 6-digit code', () => {
    it('allows five tries, then dies together with the link', async () => {
      const browser = new TestBrowser();
      const started = await startEmailSignIn(browser, discovery, 'guesser@example.com');
      const right = codeIn(started.message!);
      const wrong = right === '000000' ? '111111' : '000000';
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await browser.post(`${gw.issuer}/interaction/${started.uid}/email/code`, { code: wrong }));
      expect(answers.slice(0, 4).map((answer) => answer.status)).toEqual([400, 400, 400, 400]);
      expect(answers[0]!.text).toContain('4 tries left');
      expect(answers[3]!.text).toContain('1 try left');
      expect(answers[4]!.status).toBe(410);
      const late = await browser.post(`${gw.issuer}/interaction/${started.uid}/email/code`, { code: right });
      expect(late.status).toBe(410);
      expect(late.text).toContain('can no longer be used');
      const link = linkIn(started.message!);
      expect((await browser.get(link)).status).toBe(410);
    });

    it('is refused for a browser that never asked for it', async () => {
      const browser = new TestBrowser();
      const started = await startEmailSignIn(browser, discovery, 'not-yours@example.com');
      const stranger = new TestBrowser();
      const { response } = await authorize(stranger, discovery, { provider: 'email' });
      const strangerUid = interactionUid(response);
      const answer = await stranger.post(`${gw.issuer}/interaction/${strangerUid}/email/code`, { code: codeIn(started.message!) });
      expect(answer.status).toBe(410);
      expect(answer.url).not.toContain('/relay/');
    });
  });

  describe('the address form', () => {
    const hostile = [
      'victim@example.com\r\nBcc: everyone@example.com',
      'victim@example.com\nBcc: everyone@example.com',
      'victim@example.com, other@example.com',
      'victim@example.com;other@example.com',
      'Victim <victim@example.com>',
      '"victim@example.com"@example.net',
      'victim@[127.0.0.1]',
      'victim@localhost',
      'victim(comment)@example.com',
      'victim@example.com\u0000',
      `${'a'.repeat(65)}@example.com`,
      `victim@${'b'.repeat(250)}.com`,
      'no-at-sign.example.com',
      '',
    ];

    it.each(hostile)('refuses %j with a clear message and sends nothing', async (address) => {
      const browser = new TestBrowser();
      const before = count(db, 'select count(*) n from dev_mail');
      const signinsBefore = count(db, 'select count(*) n from email_signins');
      const started = await startEmailSignIn(browser, discovery, address);
      expect(started.sent.status).toBe(400);
      // Said at the address field, which is marked invalid and described by it.
      expect(started.sent.text).toMatch(/<p class="error field-error" role="alert" id="email-error">[^<]+<\/p>\s*<input id="email"[^>]* aria-invalid="true" aria-describedby="email-error"/);
      expect(count(db, 'select count(*) n from dev_mail')).toBe(before);
      expect(count(db, 'select count(*) n from email_signins')).toBe(signinsBefore);
    });

    it('sends exactly one message to one normalised address', async () => {
      const browser = new TestBrowser();
      const started = await startEmailSignIn(browser, discovery, '  Mixed.Case+tag@EXAMPLE.com ');
      expect(started.sent.status).toBe(200);
      expect(await readMailbox(gw.issuer, 'mixed.case+tag@example.com')).toHaveLength(1);
      expect(count(db, "select count(*) n from dev_mail where recipient like '%mixed.case+tag%'")).toBe(1);
    });
  });

  describe('rate limits', () => {
    it('allows five emails per address in a window, then answers 429 with Retry-After', async () => {
      const browser = new TestBrowser();
      const { response } = await authorize(browser, discovery, { provider: 'email' });
      const uid = interactionUid(response);
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 6; i++) {
        last = await browser.post(`${gw.issuer}/interaction/${uid}/email`, { email: 'flooded@example.com', name: 'F' });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(last!.text).toContain('Too many emails');
      expect(await readMailbox(gw.issuer, 'flooded@example.com')).toHaveLength(5);
    });

    it('limits one client spraying many addresses, whatever X-Forwarded-For says', async () => {
      const sprayer = await startTestGateway();
      try {
        const sprayDiscovery = await discover(sprayer.issuer);
        const browser = new TestBrowser();
        const { response } = await authorize(browser, sprayDiscovery, { provider: 'email' });
        const uid = interactionUid(response);
        const statuses: number[] = [];
        for (let i = 0; i < 21; i++) {
          const answer = await browser.post(
            `${sprayer.issuer}/interaction/${uid}/email`,
            { email: `spray${i}@example.com`, name: 'S' },
            { 'x-forwarded-for': `203.0.113.${i}` },
          );
          statuses.push(answer.status);
        }
        expect(statuses.filter((status) => status === 200)).toHaveLength(20);
        expect(statuses[20]).toBe(429);
      } finally {
        await sprayer.stop();
      }
    });
  });

  it('gives the same answer whether or not an account exists for the address', async () => {
    await signInWithCode('known@example.com');
    const known = await startEmailSignIn(new TestBrowser(), discovery, 'known@example.com');
    const unknown = await startEmailSignIn(new TestBrowser(), discovery, 'unknown@example.com');
    const normalise = (text: string) => text.replace(/(un)?known(@|%40)example\.com/g, 'ADDR').replace(/\/interaction\/[^/"]+/g, '/interaction/UID');
    expect(known.sent.status).toBe(unknown.sent.status);
    expect(normalise(known.sent.text)).toBe(normalise(unknown.sent.text));
    expect(known.message!.subject).toBe(unknown.message!.subject);
  });

  it('asks a new commenter who left the name empty for one, after proving the address', async () => {
    const browser = new TestBrowser();
    const started = await startEmailSignIn(browser, discovery, 'nameless@example.com', { name: '' });
    const namePage = await browser.post(`${gw.issuer}/interaction/${started.uid}/email/code`, { code: codeIn(started.message!) });
    expect(namePage.status).toBe(200);
    expect(namePage.text).toContain('Choose your name');
    const blank = await browser.post(`${gw.issuer}/interaction/${started.uid}/name`, { name: '   ' });
    expect(blank.status).toBe(400);
    const relay = await browser.post(`${gw.issuer}/interaction/${started.uid}/name`, { name: 'Nameless No More' });
    const tokens = await redeemCode(discovery, started.pending, relayParams(relay).get('code')!);
    const payload = JSON.parse(Buffer.from(String(tokens.body['access_token']).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(payload['name']).toBe('Nameless No More');
  });

  it('returns the commenter who cancels to the site with access_denied', async () => {
    const browser = new TestBrowser();
    const { response } = await authorize(browser, discovery);
    expect(response.text).toContain('Log in with Email');
    const cancelled = await browser.get(`${gw.issuer}/interaction/${interactionUid(response)}/abort`);
    expect(relayParams(cancelled).get('error')).toBe('access_denied');
  });

  it('shows an expired-window page, not an error, for an interaction this browser does not hold', async () => {
    const browser = new TestBrowser();
    const { response } = await authorize(browser, discovery, { provider: 'email' });
    const stranger = new TestBrowser();
    const answer = await stranger.get(`${gw.issuer}/interaction/${interactionUid(response)}`);
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('This log-in has expired');
    void readMailbox;
  });
});
