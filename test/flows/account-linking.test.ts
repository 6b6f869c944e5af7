import { decodeJwt } from 'jose';
import { TestBrowser, extract } from '../helpers/browser';
import { authorize, codeIn, discover, readMailbox, redeemCode, relayParams, type Discovery } from '../helpers/oidc-client';
import { startEmailSignIn } from '../helpers/email';
import { answerProviderPage, startGatewayWithEmulators, type GatewayWithEmulators } from '../helpers/upstream';

describe('linking sign-in methods on the account page', () => {
  let env: GatewayWithEmulators;
  let discovery: Discovery;
  let issuer: string;

  beforeAll(async () => {
    env = await startGatewayWithEmulators();
    discovery = await discover(env.gw.issuer);
    issuer = env.gw.issuer;
  });
  afterAll(() => env.stop());

  async function subjectOf(pending: Parameters<typeof redeemCode>[1], relay: Awaited<ReturnType<TestBrowser['get']>>): Promise<string> {
    const tokens = await redeemCode(discovery, pending, relayParams(relay).get('code')!);
    return decodeJwt(tokens.body['access_token'] as string).sub!;
  }

  async function emailSignIn(browser: TestBrowser, email: string): Promise<string> {
    const started = await startEmailSignIn(browser, discovery, email, { name: 'Linker' });
    const relay = await browser.post(`${issuer}/interaction/${started.uid}/email/code`, { code: codeIn(started.message!) });
    return subjectOf(started.pending, relay);
  }

  async function twitterSignIn(browser: TestBrowser, userId: string): Promise<string> {
    const { pending, response } = await authorize(browser, discovery, { provider: 'twitter' });
    return subjectOf(pending, await answerProviderPage(browser, response, { userId }));
  }

  async function facebookSignIn(browser: TestBrowser, userId: string): Promise<string> {
    const { pending, response } = await authorize(browser, discovery, { provider: 'facebook' });
    return subjectOf(pending, await answerProviderPage(browser, response, { userId }));
  }

  function csrfOf(page: string): string {
    return extract(page, /name="csrf" value="([^"]+)"/);
  }

  it('shows a signed-out page to a browser that never signed in', async () => {
    const page = await new TestBrowser().get(`${issuer}/account`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('You are not logged in on this browser');
  });

  it('adds Twitter to an email account, after which both sign in to the same subject, and removes a method while one remains', async () => {
    const alice = env.emulators.twitter.users[0]!;
    const owner = new TestBrowser();
    const emailSub = await emailSignIn(owner, 'linker@example.com');

    const account = await owner.get(`${issuer}/account`);
    expect(account.text).toContain('Logged in as <strong>Linker</strong>');
    expect(account.text).toContain('linker@example.com');
    expect(account.text).toContain('This is your only way to log in');

    const providerPage = await owner.get(`${issuer}/account/link/twitter`);
    const linked = await answerProviderPage(owner, providerPage, { userId: alice.idStr });
    expect(linked.url).toContain('/account?notice=');
    expect(linked.text).toContain('Your Twitter account now logs you in to this account');
    expect(linked.text).toContain(`@${alice.screenName}`);

    expect(await twitterSignIn(new TestBrowser(), alice.idStr)).toBe(emailSub);

    const removeEmail = await owner.post(`${issuer}/account/remove`, { csrf: csrfOf(linked.text), provider: 'email', subject: 'linker@example.com' });
    expect(removeEmail.text).toContain('That email address no longer logs you in');
    expect(removeEmail.text).toContain('This is your only way to log in');
    const removeLast = await owner.post(`${issuer}/account/remove`, { csrf: csrfOf(removeEmail.text), provider: 'twitter', subject: alice.idStr });
    expect(removeLast.text).toContain('You cannot remove your only way to log in');

    // The removed address now starts an account of its own.
    expect(await emailSignIn(new TestBrowser(), 'linker@example.com')).not.toBe(emailSub);
    expect(await twitterSignIn(new TestBrowser(), alice.idStr)).toBe(emailSub);
  });

  it('refuses to take a method that already signs in to another account', async () => {
    const bob = env.emulators.twitter.users[1]!;
    const bobSub = await twitterSignIn(new TestBrowser(), bob.idStr);
    const other = new TestBrowser();
    const otherSub = await emailSignIn(other, 'someone-else@example.com');
    const providerPage = await other.get(`${issuer}/account/link/twitter`);
    const refused = await answerProviderPage(other, providerPage, { userId: bob.idStr });
    expect(refused.text).toContain('already logs in to a different account');
    expect(await twitterSignIn(new TestBrowser(), bob.idStr)).toBe(bobSub);
    expect(bobSub).not.toBe(otherSub);
  });

  it('adds an email address with the code from the email', async () => {
    const carol = env.emulators.twitter.users[2]!;
    const owner = new TestBrowser();
    const twitterSub = await twitterSignIn(owner, carol.idStr);
    const account = await owner.get(`${issuer}/account`);
    const sent = await owner.post(`${issuer}/account/email`, { csrf: csrfOf(account.text), email: 'carol-added@example.com' });
    expect(sent.text).toContain('Check your email');
    const [message] = await readMailbox(issuer, 'carol-added@example.com');
    expect(message!.subject).toBe('Confirm your email address for commenting');
    const done = await owner.post(`${issuer}/account/email/code`, { csrf: csrfOf(sent.text), code: codeIn(message!) });
    expect(done.text).toContain('Your email address now logs you in to this account');
    expect(await emailSignIn(new TestBrowser(), 'carol-added@example.com')).toBe(twitterSub);
  });

  it('never links accounts because two providers report the same email address', async () => {
    const dana = env.emulators.facebook.users[0]!;
    const emailSub = await emailSignIn(new TestBrowser(), dana.email!);
    const facebookSub = await facebookSignIn(new TestBrowser(), dana.id);
    expect(facebookSub).not.toBe(emailSub);
  });

  it('refuses an account form posted without its CSRF token', async () => {
    const owner = new TestBrowser();
    await emailSignIn(owner, 'csrf@example.com');
    const forged = await owner.post(`${issuer}/account/remove`, { provider: 'email', subject: 'csrf@example.com' });
    expect(forged.status).toBe(403);
    const account = await owner.get(`${issuer}/account`);
    expect(account.text).toContain('csrf@example.com');
  });

  it('logs the browser out of the account page', async () => {
    const owner = new TestBrowser();
    await emailSignIn(owner, 'logout@example.com');
    const account = await owner.get(`${issuer}/account`);
    const out = await owner.post(`${issuer}/account/logout`, { csrf: csrfOf(account.text) });
    expect(out.text).toContain('You are not logged in on this browser');
  });
});
