import { TestBrowser, extract } from '../helpers/browser';
import { startTestGateway, type RunningTestGateway } from '../helpers/gateway';
import { codeIn, discover, linkIn, readMailbox, redeemCode, relayParams, type Discovery } from '../helpers/oidc-client';
import { startEmailSignIn } from '../helpers/email';

/**
 * The page a sign-in link opens (GET /email/confirm) is seen by whoever holds the link: a mail
 * scanner, someone the message was forwarded to, a shared computer. It names the address whole
 * only to the browser that asked for the sign-in.
 */
describe('the page a sign-in link opens', () => {
  let gw: RunningTestGateway;
  let discovery: Discovery;

  beforeAll(async () => {
    gw = await startTestGateway();
    discovery = await discover(gw.issuer);
  });
  afterAll(() => gw.stop());

  function expectNoTraceOf(page: string, local: string): void {
    // Tag names are no trace ("<header>" holds "eader"); text and attribute values are.
    const content = page.toLowerCase().replace(/<\/?[a-z][a-z0-9]*/g, '<');
    expect(content).not.toContain(local);
    expect(content).not.toContain(local.slice(1));
  }

  it('masks the address in a browser that did not ask for the sign-in', async () => {
    const started = await startEmailSignIn(new TestBrowser(), discovery, 'reader@example.org');
    const page = await new TestBrowser().get(linkIn(started.message!));
    expect(page.status).toBe(200);
    expect(page.text).toContain('You are logging in as <strong>r•••••@example.org</strong>');
    expectNoTraceOf(page.text, 'reader');
  });

  it('masks the address in a browser waiting for a sign-in of its own', async () => {
    const victim = await startEmailSignIn(new TestBrowser(), discovery, 'victim-reader@example.org');
    const attacker = new TestBrowser();
    await startEmailSignIn(attacker, discovery, 'attacker@example.net');
    const page = await attacker.get(linkIn(victim.message!));
    expect(page.status).toBe(200);
    expect(page.text).toContain('v•••••@example.org');
    expectNoTraceOf(page.text, 'victim-reader');
  });

  it('shows the whole address to the browser that asked, which can still sign in with the link', async () => {
    const browser = new TestBrowser();
    const started = await startEmailSignIn(browser, discovery, 'asker@example.org');
    const link = linkIn(started.message!);
    const page = await browser.get(link);
    expect(page.status).toBe(200);
    expect(page.text).toContain('You are logging in as <strong>asker@example.org</strong>');
    expect(page.text).not.toContain('•');

    const confirmed = await browser.post(`${gw.issuer}/email/confirm`, { token: new URL(link).searchParams.get('token')! });
    expect(confirmed.status).toBe(200);
    const relay = await browser.post(`${gw.issuer}/interaction/${started.uid}/email/complete`, {});
    expect((await redeemCode(discovery, started.pending, relayParams(relay).get('code')!)).status).toBe(200);
  });

  it('masks an address being added on the account page, except in the browser adding it', async () => {
    const owner = new TestBrowser();
    const signedIn = await startEmailSignIn(owner, discovery, 'account-owner@example.org');
    await owner.post(`${gw.issuer}/interaction/${signedIn.uid}/email/code`, { code: codeIn(signedIn.message!) });
    const account = await owner.get(`${gw.issuer}/account`);
    await owner.post(`${gw.issuer}/account/email`, { csrf: extract(account.text, /name="csrf" value="([^"]+)"/), email: 'second-address@example.org' });
    const [message] = await readMailbox(gw.issuer, 'second-address@example.org');
    const link = linkIn(message!);

    const stranger = await new TestBrowser().get(link);
    expect(stranger.text).toContain('The address is <strong>s•••••@example.org</strong>');
    expectNoTraceOf(stranger.text, 'second-address');
    expect((await owner.get(link)).text).toContain('The address is <strong>second-address@example.org</strong>');
  });

  it('reveals nothing of a one-character local part', async () => {
    const started = await startEmailSignIn(new TestBrowser(), discovery, 'q@example.org');
    const page = await new TestBrowser().get(linkIn(started.message!));
    expect(page.text).toContain('<strong>•••••@example.org</strong>');
    expect(page.text).not.toContain('q@example.org');
  });
});
