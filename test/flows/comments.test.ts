import { decodeJwt, decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import { runComments } from '../../src/commands/comments';
import { KEY_ACTIVATION_DELAY_SECONDS, rotateKeys } from '../../src/tokens/keys';
import { TestBrowser } from '../helpers/browser';
import { startEmailSignIn } from '../helpers/email';
import { startTestGateway, type RunningTestGateway } from '../helpers/gateway';
import { codeIn, discover, redeemCode, relayParams, type Discovery } from '../helpers/oidc-client';
import {
  DEMO_ORIGIN,
  expectError,
  getComments,
  OTHER_ORIGIN,
  postComment,
  startCommentService,
  type RunningCommentService,
} from '../comments/support';

/**
 * Commenting end to end with real tokens: a reader signs in at the gateway by email (as the
 * widget drives it), redeems the code, and posts to the comment service with the access token.
 */
describe('commenting with tokens from a real sign-in', () => {
  let gw: RunningTestGateway;
  let discovery: Discovery;
  let comments: RunningCommentService;
  /** The comment service's verifier clock, moved only to pass its key-refetch interval. */
  let verifierClockOffsetMs = 0;

  beforeAll(async () => {
    gw = await startTestGateway({ gatewayOptions: { keyWatchIntervalMs: 25 } });
    discovery = await discover(gw.issuer);
    comments = await startCommentService(gw.issuer, {
      serviceOptions: { verifierOptions: { clock: () => Date.now() + verifierClockOffsetMs } },
    });
  });
  afterAll(async () => {
    await comments.stop();
    await gw.stop();
  });

  /** Signs in by email with the 6-digit code and returns the access token for the site. */
  async function signIn(email: string, name: string, siteId = 'demo-blog'): Promise<string> {
    const browser = new TestBrowser();
    const started = await startEmailSignIn(browser, discovery, email, { siteId, name });
    const relay = await browser.post(`${gw.issuer}/interaction/${started.uid}/email/code`, { code: codeIn(started.message!) });
    const origin = siteId === 'demo-blog' ? DEMO_ORIGIN : OTHER_ORIGIN;
    const tokens = await redeemCode(discovery, started.pending, relayParams(relay).get('code')!, {}, origin);
    expect(tokens.status).toBe(200);
    return tokens.body['access_token'] as string;
  }

  let adaToken: string;
  let graceToken: string;
  let adaCommentId: string;

  it('accepts a comment with the access token and shows it with the name the commenter gave', async () => {
    adaToken = await signIn('ada@example.com', 'Ada Lovelace');
    const posted = await postComment(comments.url, 'demo-blog', 'hello-world', adaToken, { body: 'What a fine engine.' }, { origin: DEMO_ORIGIN });
    expect(posted.status).toBe(201);
    expect(posted.headers.get('access-control-allow-origin')).toBe(DEMO_ORIGIN);
    adaCommentId = posted.json.comment!.id;
    expect(posted.json.comment).toMatchObject({ parentId: null, author: { name: 'Ada Lovelace', picture: null, idp: 'email' }, body: 'What a fine engine.' });
    expect(JSON.stringify(posted.json)).not.toContain('ada@example.com');
  });

  it('threads a reply by another commenter under it', async () => {
    graceToken = await signIn('grace@example.com', 'Grace Hopper');
    const reply = await postComment(comments.url, 'demo-blog', 'hello-world', graceToken, { body: 'It needs a debugger.', parentId: adaCommentId });
    expect(reply.status).toBe(201);
    const listed = (await getComments(comments.url, 'demo-blog', 'hello-world')).json.comments!;
    expect(listed.map((comment) => [comment.author?.name, comment.body, comment.parentId])).toEqual([
      ['Ada Lovelace', 'What a fine engine.', null],
      ['Grace Hopper', 'It needs a debugger.', adaCommentId],
    ]);
  });

  it('refuses the token on another site with 403, and accepts that site\'s own token for the same person', async () => {
    expectError(await postComment(comments.url, 'other-blog', 'hello-world', adaToken, { body: 'Crossing over' }), 403, 'wrong_site');
    const otherToken = await signIn('ada@example.com', 'Ada Lovelace', 'other-blog');
    expect(decodeJwt(otherToken).sub).not.toBe(decodeJwt(adaToken).sub);
    expect((await postComment(comments.url, 'other-blog', 'hello-world', otherToken, { body: 'Hello from the other blog' })).status).toBe(201);
  });

  it('refuses a banned commenter\'s live token on the next request, and accepts it again after unban', async () => {
    const sub = decodeJwt(adaToken).sub!;
    await runComments(comments.settings, ['ban', 'demo-blog', sub], { print: () => undefined });
    expectError(await postComment(comments.url, 'demo-blog', 'hello-world', adaToken, { body: 'Am I banned?' }), 403, 'banned');
    expect((await postComment(comments.url, 'demo-blog', 'hello-world', graceToken, { body: 'Grace is not.' })).status).toBe(201);
    await runComments(comments.settings, ['unban', 'demo-blog', sub], { print: () => undefined });
    expect((await postComment(comments.url, 'demo-blog', 'hello-world', adaToken, { body: 'Back again.' })).status).toBe(201);
  });

  it('accepts tokens signed with the old and the new key after a rotation, without a restart', async () => {
    const oldKid = decodeProtectedHeader(adaToken).kid;
    // A rotation whose activation delay has already passed: the new key signs right away.
    const rotated = await rotateKeys(gw.gateway.keyStore, Date.now() - KEY_ACTIVATION_DELAY_SECONDS * 1000);
    // The rotated-in key is the one activated last (its createdAt lies in the past on purpose).
    const activation = (key: (typeof rotated.keys)[number]) => key.activatesAt ?? key.createdAt;
    const ring = { current: rotated.keys.reduce((latest, key) => (activation(key) > activation(latest) ? key : latest)) };
    // The running gateway notices the new key file by itself; wait until it publishes it.
    const published = async () => ((await (await fetch(discovery.jwks_uri)).json()) as JSONWebKeySet).keys.map((key) => key.kid);
    for (let i = 0; i < 400 && !(await published()).includes(ring.current.kid); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }

    const newToken = await signIn('grace@example.com', 'Grace Hopper');
    expect(decodeProtectedHeader(newToken).kid).toBe(ring.current.kid);
    expect(ring.current.kid).not.toBe(oldKid);
    // The verifier refetches keys for an unknown kid at most every few seconds; step past that.
    verifierClockOffsetMs += 10_000;

    expect((await postComment(comments.url, 'demo-blog', 'rotation', newToken, { body: 'Signed with the new key' })).status).toBe(201);
    expect((await postComment(comments.url, 'demo-blog', 'rotation', adaToken, { body: 'Signed with the old key' })).status).toBe(201);
    const bodies = (await getComments(comments.url, 'demo-blog', 'rotation')).json.comments!.map((comment) => comment.body);
    expect(bodies).toEqual(['Signed with the new key', 'Signed with the old key']);
  });
});
