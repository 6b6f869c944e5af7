import { decodeJwt } from 'jose';
import { startEmulators, type RunningEmulators } from '../../src/emulators';
import { TestBrowser, extract } from '../helpers/browser';
import { startEmailSignIn } from '../helpers/email';
import { authorize, codeIn, COMMENTS_URL, discover, readMailbox, redeemCode, relayParams, type Discovery } from '../helpers/oidc-client';
import { answerProviderPage, emulatorEnv } from '../helpers/upstream';
import { expectError, postComment } from '../comments/support';
import { moderatedComments, moderationCall, startModerationTestbed, type ModerationTestbed } from '../comments/moderation-support';

const ORIGINS: Record<string, string> = { 'demo-blog': 'http://localhost:4200', 'other-blog': 'http://localhost:4201', 'open-blog': 'http://localhost:4203' };

/**
 * Who moderates, end to end: real sign-ins at a real gateway (email through the dev mailbox,
 * Twitter through its emulator), whose access tokens carry `roles: ["moderator"]` only for the
 * addresses the sites file lists for that site, and a comment service that takes them.
 */
describe('moderators signed in at the gateway', () => {
  let emulators: RunningEmulators;
  let bed: ModerationTestbed;
  let discovery: Discovery;

  beforeAll(async () => {
    emulators = await startEmulators({ port: 0 });
    bed = await startModerationTestbed(undefined, emulatorEnv(emulators));
    discovery = await discover(bed.gateway.issuer);
  });
  afterAll(async () => {
    await bed.stop();
    await emulators.close();
  });

  async function emailTokens(email: string, name: string, siteId = 'demo-blog', browser = new TestBrowser()): Promise<Record<string, unknown>> {
    const started = await startEmailSignIn(browser, discovery, email, { siteId, name });
    const relay = await browser.post(`${bed.gateway.issuer}/interaction/${started.uid}/email/code`, { code: codeIn(started.message!) });
    const tokens = await redeemCode(discovery, started.pending, relayParams(relay).get('code')!, {}, ORIGINS[siteId]);
    expect(tokens.status).toBe(200);
    return tokens.body;
  }

  it('gives a listed address the moderator role for its site, never the address itself, and the API takes the token', async () => {
    const tokens = await emailTokens('mod@example.com', 'Molly Moderator');
    const accessToken = tokens['access_token'] as string;
    const claims = decodeJwt(accessToken);
    expect(claims.roles).toEqual(['moderator']);
    expect(JSON.stringify(claims)).not.toContain('mod@example.com');
    // Only the comment service's token carries it: not the ID token, which the blog reads.
    expect(decodeJwt(tokens['id_token'] as string).roles).toBeUndefined();

    const me = await moderationCall(bed.url, 'demo-blog', '/me', accessToken);
    expect(JSON.parse(me.text)).toEqual({ site: { id: 'demo-blog', name: 'Demo Blog', moderation: 'post' }, moderator: { sub: claims.sub, name: 'Molly Moderator' } });
  });

  it('matches the address as the email sign-in normalises it (case, spaces)', async () => {
    const claims = decodeJwt((await emailTokens('  MOD@Example.COM ', 'Molly Again'))['access_token'] as string);
    expect(claims.roles).toEqual(['moderator']);
  });

  it('gives a listed post author the author role, and their comments are marked as the author\'s', async () => {
    const accessToken = (await emailTokens('author@example.com', 'Ada Author'))['access_token'] as string;
    expect(decodeJwt(accessToken).roles).toEqual(['author']);
    const posted = await postComment(bed.url, 'demo-blog', 'by-author', accessToken, { body: 'Thanks for reading' });
    expect(posted.json.comment).toMatchObject({ byAuthor: true, author: { name: 'Ada Author' } });
    expectError(await moderationCall(bed.url, 'demo-blog', '/comments', accessToken), 403, 'not_moderator');
  });

  it('gives no role to any other address, even one whose display name is a moderator\'s address, and the API answers 403', async () => {
    const tokens = await emailTokens('reader@example.com', 'mod@example.com');
    const accessToken = tokens['access_token'] as string;
    expect(decodeJwt(accessToken).roles).toBeUndefined();
    expectError(await moderationCall(bed.url, 'demo-blog', '/comments', accessToken), 403, 'not_moderator');
    expectError(await moderationCall(bed.url, 'demo-blog', '/commenters/anyone/ban', accessToken, 'POST'), 403, 'not_moderator');
  });

  it('gives another site\'s moderator no role here, and their own site\'s token is refused here with 403', async () => {
    const here = (await emailTokens('other-mod@example.com', 'Otto', 'demo-blog'))['access_token'] as string;
    expect(decodeJwt(here).roles).toBeUndefined();
    expectError(await moderationCall(bed.url, 'demo-blog', '/comments', here), 403, 'not_moderator');

    const theirs = (await emailTokens('other-mod@example.com', 'Otto', 'other-blog'))['access_token'] as string;
    expect(decodeJwt(theirs).roles).toEqual(['moderator']);
    expectError(await moderationCall(bed.url, 'demo-blog', '/comments', theirs), 403, 'wrong_site');
    expect((await moderationCall(bed.url, 'other-blog', '/comments', theirs)).status).toBe(200);
  });

  it('lets a moderator hide a real commenter\'s comment and ban them, and logs it under the moderator\'s name', async () => {
    const commenter = (await emailTokens('loud@example.com', 'Loud Larry'))['access_token'] as string;
    const posted = await postComment(bed.url, 'demo-blog', 'flow-post', commenter, { body: 'BUY NOW' });
    expect(posted.status).toBe(201);
    const moderatorToken = (await emailTokens('mod@example.com', 'Molly Moderator'))['access_token'] as string;

    const listed = moderatedComments(await moderationCall(bed.url, 'demo-blog', '/comments?post=flow-post', moderatorToken));
    expect(listed.map((entry) => [entry.body, entry.author.name])).toEqual([['BUY NOW', 'Loud Larry']]);
    const sub = listed[0]!.author.sub;
    expect(sub).toBe(decodeJwt(commenter).sub);

    expect((await moderationCall(bed.url, 'demo-blog', `/comments/${posted.json.comment!.id}/hide`, moderatorToken, 'POST')).status).toBe(200);
    expect((await moderationCall(bed.url, 'demo-blog', `/commenters/${sub}/ban`, moderatorToken, 'POST')).status).toBe(200);
    expectError(await postComment(bed.url, 'demo-blog', 'flow-post', commenter, { body: 'buy now please' }), 403, 'banned');

    const log = JSON.parse((await moderationCall(bed.url, 'demo-blog', '/log', moderatorToken)).text) as { actions: Array<{ moderator: { name: string; sub: string }; action: string }> };
    expect(log.actions.slice(0, 2).map((entry) => [entry.moderator.name, entry.action])).toEqual([
      ['Molly Moderator', 'ban'],
      ['Molly Moderator', 'hide'],
    ]);
    expect(log.actions[0]!.moderator.sub).toBe(decodeJwt(moderatorToken).sub);
  });

  it('gives the role to a Twitter sign-in whose account has the moderator\'s address linked on the account page', async () => {
    const user = emulators.twitter.users[0]!;
    const browser = new TestBrowser();
    const twitterSignIn = async (signingIn: TestBrowser) => {
      const { pending, response } = await authorize(signingIn, discovery, { provider: 'twitter' });
      const relay = await answerProviderPage(signingIn, response, { userId: user.idStr });
      return decodeJwt((await redeemCode(discovery, pending, relayParams(relay).get('code')!)).body['access_token'] as string);
    };
    expect((await twitterSignIn(browser)).roles).toBeUndefined();

    const issuer = bed.gateway.issuer;
    const account = await browser.get(`${issuer}/account`);
    const csrf = (page: string) => extract(page, /name="csrf" value="([^"]+)"/);
    const sent = await browser.post(`${issuer}/account/email`, { csrf: csrf(account.text), email: 'linked-mod@example.com' });
    expect(sent.text).toContain('Check your email');
    const [message] = await readMailbox(issuer, 'linked-mod@example.com');
    const linked = await browser.post(`${issuer}/account/email/code`, { csrf: csrf(sent.text), code: codeIn(message!) });
    expect(linked.text).toContain('linked-mod@example.com');

    // A fresh browser, so Twitter is asked again rather than the gateway's session reused.
    expect((await twitterSignIn(new TestBrowser())).roles).toEqual(['moderator']);
  });

  it('hands sign-ins back to the comment service\'s origin (the moderation page) only for sites with moderators', async () => {
    const commentsOrigin = new URL(COMMENTS_URL).origin;
    const origins = async (site: string) => JSON.parse(extract((await new TestBrowser().get(`${bed.gateway.issuer}/relay/${site}`)).text, /data-origins="([^"]*)"/).replace(/&quot;/g, '"')) as string[];
    expect(await origins('demo-blog')).toEqual([ORIGINS['demo-blog'], commentsOrigin]);
    expect(await origins('open-blog')).toEqual([ORIGINS['open-blog']]);

    // The token endpoint lets the page's origin read the answer for such a site only.
    const { pending: demoPending, code: demoCode } = await codeFor('demo-blog');
    const fromPage = await redeemCode(discovery, demoPending, demoCode, {}, commentsOrigin);
    expect(fromPage.status).toBe(200);
    expect(fromPage.headers.get('access-control-allow-origin')).toBe(commentsOrigin);
    const { pending: openPending, code: openCode } = await codeFor('open-blog');
    const refused = await redeemCode(discovery, openPending, openCode, {}, commentsOrigin);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  async function codeFor(siteId: string) {
    const browser = new TestBrowser();
    const started = await startEmailSignIn(browser, discovery, `code-${siteId}@example.com`, { siteId, name: 'Coder' });
    const relay = await browser.post(`${bed.gateway.issuer}/interaction/${started.uid}/email/code`, { code: codeIn(started.message!) });
    return { pending: started.pending, code: relayParams(relay).get('code')! };
  }
});
