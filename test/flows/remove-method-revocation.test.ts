import { decodeJwt } from 'jose';
import { createVerifier } from '../../packages/verify/src';
import { TestBrowser, extract, type BrowserResponse } from '../helpers/browser';
import { startEmailSignIn } from '../helpers/email';
import { COMMENTS_URL, SITE_ORIGIN } from '../helpers/gateway';
import { authorize, codeIn, discover, redeemCode, relayParams, type Discovery, type PendingAuthorization } from '../helpers/oidc-client';
import { answerProviderPage, startGatewayWithEmulators, type GatewayWithEmulators } from '../helpers/upstream';
import { DEMO_ORIGIN, OTHER_ORIGIN, postComment, startCommentService, type RunningCommentService } from '../comments/support';

/** The contract: a revoked token is refused everywhere within 5 seconds of the revocation. */
const REVOCATION_DEADLINE_MS = 5_000;
/** The verifier's revocation list is never older than this when it answers (2 × its poll interval). */
const VERIFIER_MAX_AGE_MS = 4_000;

/**
 * Removing a sign-in method on the account page (issue #11, item 3): every access token of the
 * account, at every site, is refused from then on by the comment service (polling the gateway's
 * revocation feed) and by `parley/verify` used on its own, whichever method issued the token.
 */
describe('removing a sign-in method revokes the account\'s tokens and signs out every other browser', () => {
  let env: GatewayWithEmulators;
  let issuer: string;
  let discovery: Discovery;
  let comments: RunningCommentService;
  let posts = 0;

  beforeAll(async () => {
    env = await startGatewayWithEmulators();
    issuer = env.gw.issuer;
    discovery = await discover(issuer);
    comments = await startCommentService(issuer);
  });
  afterAll(async () => {
    await comments.stop();
    await env.stop();
  });

  async function redeem(pending: PendingAuthorization, relay: BrowserResponse, origin = SITE_ORIGIN): Promise<string> {
    const tokens = await redeemCode(discovery, pending, relayParams(relay).get('code')!, {}, origin);
    expect(tokens.status).toBe(200);
    return String(tokens.body['access_token']);
  }

  async function emailSignIn(browser: TestBrowser, email: string): Promise<string> {
    const started = await startEmailSignIn(browser, discovery, email, { name: 'Remover' });
    return redeem(started.pending, await browser.post(`${issuer}/interaction/${started.uid}/email/code`, { code: codeIn(started.message!) }));
  }

  async function twitterSignIn(browser: TestBrowser, userId: string): Promise<string> {
    const { pending, response } = await authorize(browser, discovery, { provider: 'twitter' });
    return redeem(pending, await answerProviderPage(browser, response, { userId }));
  }

  const csrfOf = (page: string) => extract(page, /name="csrf" value="([^"]+)"/);

  const post = (token: string) =>
    postComment(comments.url, 'demo-blog', 'remove-method', token, { body: `comment ${(posts += 1)}` }, { origin: DEMO_ORIGIN, 'idempotency-key': `remove-method-${posts}` });

  /** Posts until the service refuses the token with 401 invalid_token; fails if it still accepts it after the deadline. */
  async function expectRefusedWithinDeadline(token: string, since: number): Promise<void> {
    for (;;) {
      const answer = await post(token);
      if (answer.status === 401) {
        expect(answer.headers.get('www-authenticate')).toContain('error="invalid_token"');
        expect(answer.json.error).toBe('invalid_token');
        return;
      }
      // 429: the token was accepted and the commenter's rate limit counted the post.
      expect([201, 429]).toContain(answer.status);
      expect(Date.now() - since).toBeLessThan(REVOCATION_DEADLINE_MS);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it('refuses the tokens of every method and site in the comment service and a verifier on its own, and signs in afresh through what remains', async () => {
    const alice = env.emulators.twitter.users[0]!;
    const owner = new TestBrowser();
    const emailToken = await emailSignIn(owner, 'remover@example.com');
    // The owner's browser is signed in at the gateway: the other blog gets its token without asking.
    const silent = await authorize(owner, discovery, { siteId: 'other-blog' });
    const otherSiteToken = await redeem(silent.pending, silent.response, OTHER_ORIGIN);

    const providerPage = await owner.get(`${issuer}/account/link/twitter`);
    const linked = await answerProviderPage(owner, providerPage, { userId: alice.idStr });
    expect(linked.text).toContain('Your Twitter account now logs you in to this account');
    // Another browser signs in through the Twitter account: someone else's hands, perhaps.
    const other = new TestBrowser();
    const twitterToken = await twitterSignIn(other, alice.idStr);
    expect(decodeJwt(twitterToken).sub).toBe(decodeJwt(emailToken).sub);

    const verifier = createVerifier({ issuer, audience: COMMENTS_URL, clientId: ['demo-blog', 'other-blog'] });
    for (const token of [emailToken, twitterToken, otherSiteToken]) await expect(verifier.verify(token)).resolves.toBeDefined();
    for (const token of [emailToken, twitterToken]) expect((await post(token)).status).toBe(201);

    const removed = await owner.post(`${issuer}/account/remove`, { csrf: csrfOf(linked.text), provider: 'twitter', subject: alice.idStr });
    expect(removed.text).toContain('no longer logs you in, and every other browser is logged out');
    const removedAt = Date.now();

    // The other browser is signed out at the gateway: its next sign-in asks again instead of
    // handing it a token silently. The browser that removed the method keeps its account page.
    const again = await authorize(other, discovery, { siteId: 'other-blog' });
    expect(again.response.url).toMatch(/\/interaction\/[^/]+$/);
    expect(again.response.text).not.toContain('/relay/');
    expect((await owner.get(`${issuer}/account`)).text).toContain('Logged in as');

    // The method used to sign in and the removed one alike: the account's tokens are revoked.
    await expectRefusedWithinDeadline(emailToken, removedAt);
    await expectRefusedWithinDeadline(twitterToken, removedAt);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, VERIFIER_MAX_AGE_MS - (Date.now() - removedAt))));
    for (const token of [emailToken, twitterToken, otherSiteToken]) {
      await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'ERR_TOKEN_REVOKED', status: 401 });
    }

    // The remaining method signs the commenter in again, with a token both accept.
    const fresh = await emailSignIn(new TestBrowser(), 'remover@example.com');
    expect(decodeJwt(fresh).sub).toBe(decodeJwt(emailToken).sub);
    await expect(verifier.verify(fresh)).resolves.toBeDefined();
    // Accepted: posted, or counted against the commenter's rate limit (5 a minute) after the posts above.
    expect([201, 429]).toContain((await post(fresh)).status);
  });
});
