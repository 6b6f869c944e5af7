import { TestBrowser } from '../helpers/browser';
import { startTestGateway, type RunningTestGateway } from '../helpers/gateway';
import { authorize, codeIn, discover, interactionUid, linkIn, redeemCode, relayParams, type Discovery } from '../helpers/oidc-client';
import { startEmailSignIn } from '../helpers/email';
import { startSmtpServer } from '../helpers/smtp';
import { rotateKeys } from '../../src/tokens/keys';
import { makeDataDir } from '../helpers/data-dir';
import { rawRequest } from '../helpers/raw-http';

describe('gateway safety basics', () => {
  let gw: RunningTestGateway;
  let discovery: Discovery;

  beforeAll(async () => {
    gw = await startTestGateway();
    discovery = await discover(gw.issuer);
  });
  afterAll(() => gw.stop());

  it('forbids framing and referrers on its pages', async () => {
    const browser = new TestBrowser();
    const { response } = await authorize(browser, discovery, { provider: 'email' });
    const relay = await fetch(`${gw.issuer}/relay/demo-blog?code=x&state=y`);
    for (const headers of [response.headers, relay.headers]) {
      expect(headers.get('x-frame-options')).toBe('DENY');
      expect(headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(headers.get('referrer-policy')).toBe('no-referrer');
      // The popup keeps its opener, so the relay can hand the code back to the blog's window.
      expect(headers.get('cross-origin-opener-policy')).toBe('unsafe-none');
    }
  });

  it('sets HttpOnly, SameSite=Lax cookies and changes the session id at sign-in', async () => {
    const browser = new TestBrowser();
    const setCookies: string[] = [];
    const started = await startEmailSignIn(browser, discovery, 'cookies@example.com');
    const before = browser.cookieValue('parley.sid');
    expect(before).toBeDefined();
    const raw = await fetch(`${gw.issuer}/interaction/${started.uid}/email/code`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: browser.cookieNames().map((name) => `${name}=${browser.cookieValue(name)}`).join('; ') },
      body: new URLSearchParams({ code: codeIn(started.message!) }),
    });
    setCookies.push(...raw.headers.getSetCookie());
    const session = setCookies.find((cookie) => cookie.startsWith('parley.sid='));
    expect(session).toBeDefined();
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
    expect(session!.split(';')[0]!.slice('parley.sid='.length)).not.toBe(before);
  });

  it('answers an oversized form with a clean 413 page', async () => {
    const browser = new TestBrowser();
    const { response } = await authorize(browser, discovery, { provider: 'email' });
    const answer = await browser.post(`${gw.issuer}/interaction/${interactionUid(response)}/email`, { email: 'a@example.com', name: 'x'.repeat(40_000) });
    expect(answer.status).toBe(413);
    expect(answer.text).toContain('What you typed was longer than this form takes.');
    expect(answer.text).not.toMatch(/at .*\.(js|ts):\d+/);
  });

  it('never writes a link token, code or access token to the logs', async () => {
    const lines: string[] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
      jest.spyOn(console, level).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' '))),
    );
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
    try {
      const browser = new TestBrowser();
      const started = await startEmailSignIn(browser, discovery, 'quiet@example.com');
      const link = linkIn(started.message!);
      await browser.get(link);
      await browser.post(`${gw.issuer}/email/confirm`, { token: 'wrong-token-value-1234567890' });
      const relay = await browser.post(`${gw.issuer}/interaction/${started.uid}/email/code`, { code: codeIn(started.message!) });
      const code = relayParams(relay).get('code')!;
      const tokens = await redeemCode(discovery, started.pending, code);
      const secrets = [new URL(link).searchParams.get('token')!, codeIn(started.message!), code, String(tokens.body['access_token'])];
      const log = lines.join('\n');
      for (const secret of secrets) expect(log).not.toContain(secret);
    } finally {
      spies.forEach((spy) => spy.mockRestore());
      stdout.mockRestore();
    }
  });
});

describe('gateway cookies in production', () => {
  it('marks its cookies Secure behind a TLS-terminating proxy', async () => {
    const smtp = await startSmtpServer();
    const dataDir = makeDataDir();
    await rotateKeys(dataDir);
    // The gateway answers only for its issuer's host, as the proxy in front of it forwards it.
    const issuer = 'https://sign-in.blog.example';
    const gw = await startTestGateway({
      dataDir,
      env: { NODE_ENV: 'production', PARLEY_ISSUER: issuer, PARLEY_SESSION_SECRET: 's'.repeat(40), PARLEY_SMTP_URL: smtp.url, PARLEY_TRUST_PROXY: 'loopback' },
    });
    const proxied = { host: 'sign-in.blog.example', 'x-forwarded-proto': 'https' };
    try {
      const discovery = JSON.parse((await rawRequest(`http://127.0.0.1:${gw.port}/.well-known/openid-configuration`, { headers: proxied })).text) as Discovery;
      const url = new URL(discovery.authorization_endpoint);
      for (const [key, value] of Object.entries({
        client_id: 'demo-blog',
        redirect_uri: `${issuer}/relay/demo-blog`,
        response_type: 'code',
        scope: 'openid profile comments',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
        provider: 'email',
      })) url.searchParams.set(key, value);
      const answer = await rawRequest(`http://127.0.0.1:${gw.port}${url.pathname}${url.search}`, { headers: proxied });
      expect(answer.status).toBe(303);
      const cookies = answer.headers['set-cookie'] ?? [];
      expect(cookies.length).toBeGreaterThan(0);
      for (const cookie of cookies) {
        expect(cookie).toMatch(/;\s*secure/i);
        expect(cookie).toMatch(/;\s*httponly/i);
      }
      expect(answer.headers['strict-transport-security']).toContain('max-age=');
      // No dev mailbox in production.
      expect((await rawRequest(`http://127.0.0.1:${gw.port}/dev/mailbox?to=a@example.com`, { headers: proxied })).status).toBe(404);
    } finally {
      await gw.stop();
      await smtp.close();
    }
  });
});
