import { decodeJwt } from 'jose';
import { runTokens } from '../../src/commands/tokens';
import { gatewaySecretsFor } from '../../src/gateway/secrets';
import { TokenRevocations } from '../../src/gateway/token-revocations';
import { openDatabase } from '../../src/store/database';
import { RevocationStore } from '../../src/store/revocations';
import { loadKeyRing } from '../../src/tokens/keys';
import { createVerifier } from '../../packages/verify/src';
import { TestBrowser } from '../helpers/browser';
import { startEmailSignIn } from '../helpers/email';
import { COMMENTS_URL, startTestGateway, type RunningTestGateway } from '../helpers/gateway';
import { authorize, codeIn, discover, redeemCode, relayParams, type Discovery, type PendingAuthorization } from '../helpers/oidc-client';
import { DEMO_ORIGIN, postComment, startCommentService, type RunningCommentService } from '../comments/support';

/** The contract: a revoked token is refused everywhere within 5 seconds of the revocation. */
const REVOCATION_DEADLINE_MS = 5_000;

/**
 * Revocation end to end: a reader signs in at a real gateway, posts with the access token, the
 * token is revoked in one of the ways the gateway offers, and the comment service (and the verifier
 * on its own, as another blog backend uses it) refuses it from then on, without asking the gateway
 * per request: they poll the gateway's signed revocation feed.
 */
describe('revoked access tokens are refused everywhere within seconds', () => {
  let gw: RunningTestGateway;
  let discovery: Discovery;
  let comments: RunningCommentService;
  let posts = 0;

  beforeAll(async () => {
    gw = await startTestGateway();
    discovery = await discover(gw.issuer);
    comments = await startCommentService(gw.issuer);
  });
  afterAll(async () => {
    await comments.stop();
    await gw.stop();
  });

  async function signIn(email: string): Promise<{ browser: TestBrowser; token: string; pending: PendingAuthorization; code: string }> {
    const browser = new TestBrowser();
    const started = await startEmailSignIn(browser, discovery, email);
    const relay = await browser.post(`${gw.issuer}/interaction/${started.uid}/email/code`, { code: codeIn(started.message!) });
    const code = relayParams(relay).get('code')!;
    const tokens = await redeemCode(discovery, started.pending, code, {}, DEMO_ORIGIN);
    expect(tokens.status).toBe(200);
    return { browser, token: String(tokens.body['access_token']), pending: started.pending, code };
  }

  const post = (token: string) =>
    postComment(comments.url, 'demo-blog', 'revocation', token, { body: `comment ${(posts += 1)}` }, { origin: DEMO_ORIGIN, 'idempotency-key': `revocation-${posts}` });

  /** Posts until the service refuses the token; fails if it still accepts it after the deadline. */
  async function expectRefusedWithinDeadline(token: string, since: number): Promise<void> {
    for (;;) {
      const answer = await post(token);
      if (answer.status === 401) {
        expect(answer.headers.get('www-authenticate')).toContain('error="invalid_token"');
        return;
      }
      // 429: the token was accepted and the commenter's rate limit counted the post.
      expect([201, 429]).toContain(answer.status);
      expect(Date.now() - since).toBeLessThan(REVOCATION_DEADLINE_MS);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  function revokeAtEndpoint(token: string, clientId = 'demo-blog', origin = DEMO_ORIGIN): Promise<Response> {
    return fetch(discovery['revocation_endpoint'] as string, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: new URLSearchParams({ token, client_id: clientId }),
    });
  }

  it('advertises its revocation feed in discovery, on its own origin', () => {
    expect(discovery['revocation_feed_endpoint']).toBe(`${gw.issuer}/revocations`);
  });

  it('names the sign-in in every access token (sid), not the grant itself', async () => {
    const { token } = await signIn('sid@example.com');
    const { sid } = decodeJwt(token);
    expect(sid).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]{22}$/));
  });

  it('refuses a token revoked at the revocation endpoint (RFC 7009), in the comment service and a verifier on its own', async () => {
    const { token } = await signIn('endpoint@example.com');
    const verifier = createVerifier({ issuer: gw.issuer, audience: COMMENTS_URL, clientId: 'demo-blog' });
    await expect(verifier.verify(token)).resolves.toMatchObject({ siteId: 'demo-blog' });
    expect((await post(token)).status).toBe(201);

    const revoked = await revokeAtEndpoint(token);
    expect(revoked.status).toBe(200);
    const since = Date.now();
    await expectRefusedWithinDeadline(token, since);
    // The verifier's list is at most 4 s old once it answers; past that it waits for a fresh poll.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 4_000 - (Date.now() - since))));
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'ERR_TOKEN_REVOKED', status: 401 });
  });

  it('gives the same browser a fresh sign-in after its token was revoked at the endpoint: a new sid, accepted', async () => {
    // The widget's Log Out with its logout window blocked: the token is revoked, the gateway's own
    // session stays, and the next authorization from that browser must not bring the revoked sid back.
    const { browser, token } = await signIn('again@example.com');
    expect((await revokeAtEndpoint(token)).status).toBe(200);
    await expectRefusedWithinDeadline(token, Date.now());

    const { pending, response } = await authorize(browser, discovery, { provider: 'email' });
    const tokens = await redeemCode(discovery, pending, relayParams(response).get('code')!, {}, DEMO_ORIGIN);
    expect(tokens.status).toBe(200);
    const fresh = String(tokens.body['access_token']);
    expect(decodeJwt(fresh).sid).not.toBe(decodeJwt(token).sid);
    expect((await post(fresh)).status).toBe(201);
  });

  it('lets no site revoke another site\'s token: 200, and the token keeps working', async () => {
    const { token } = await signIn('other-site@example.com');
    const answer = await revokeAtEndpoint(token, 'other-blog', 'http://localhost:4201');
    expect([answer.status, await answer.text()]).toEqual([200, '']);
    const feed = (await (await fetch(`${gw.issuer}/revocations`)).json()) as { sets: Record<string, string> };
    const { sid } = decodeJwt(token);
    for (const set of Object.values(feed.sets)) expect(JSON.stringify(decodeJwt(set))).not.toContain(String(sid));
    expect((await post(token)).status).toBe(201);
  });

  it('refuses the tokens of an authorization code that was replayed (RFC 6749 §4.1.2)', async () => {
    const { token, pending, code } = await signIn('replay@example.com');
    expect((await post(token)).status).toBe(201);
    const replay = await redeemCode(discovery, pending, code, {}, DEMO_ORIGIN);
    expect(replay.status).toBe(400);
    await expectRefusedWithinDeadline(token, Date.now());
  });

  it('refuses every token of a commenter an operator revoked with `parley tokens revoke`', async () => {
    const first = await signIn('operator@example.com');
    const second = await signIn('operator@example.com');
    const lines: string[] = [];
    await runTokens(gw.settings, ['revoke', 'demo-blog', String(decodeJwt(first.token).sub)], (line) => lines.push(line));
    expect(lines.join('\n')).toContain('revoked');
    const since = Date.now();
    await expectRefusedWithinDeadline(first.token, since);
    await expectRefusedWithinDeadline(second.token, since);
  });

  it('serves the feed as signed Security Event Tokens with CAEP session-revoked events, and pages with a cursor', async () => {
    const all = (await (await fetch(`${gw.issuer}/revocations`)).json()) as { sets: Record<string, string>; cursor: string; moreAvailable: boolean };
    const sets = Object.entries(all.sets);
    expect(sets.length).toBeGreaterThan(0);
    for (const [jti, set] of sets) {
      const claims = decodeJwt(set);
      expect(claims).toMatchObject({ iss: gw.issuer, jti, client_id: 'demo-blog' });
      expect(Object.keys(claims['events'] as object)).toEqual(['https://schemas.openid.net/secevent/caep/event-type/session-revoked']);
    }
    const after = (await (await fetch(`${gw.issuer}/revocations?after=${all.cursor}`)).json()) as { sets: Record<string, string> };
    expect(after.sets).toEqual({});
    expect((await fetch(`${gw.issuer}/revocations?after=nonsense`)).status).toBe(400);
  });

  it('is read to the end by a new verifier when it holds more revocations than one answer may carry', async () => {
    // A busy gateway: more events in force than fit in one answer of the verifier's size limit.
    const settings = gw.settings;
    const db = await openDatabase({ dataDir: settings.dataDir, fileName: 'gateway.sqlite', databaseUrl: settings.databaseUrl });
    const keyRing = (await loadKeyRing(gw.gateway.keyStore, { createIfMissing: false }))!;
    const bulk = new TokenRevocations({
      store: new RevocationStore(db),
      keyRing: () => keyRing,
      issuer: settings.gateway.issuer,
      pairwiseSecret: (await gatewaySecretsFor(settings, db)).pairwiseSecret,
      sites: settings.sites,
    });
    try {
      for (let index = 0; index < 1_200; index += 1) await bulk.revokeSubject('demo-blog', `someone-else-${index}`);
    } finally {
      await db.destroy();
    }
    const { token } = await signIn('busy-feed@example.com');
    await runTokens(settings, ['revoke', 'demo-blog', String(decodeJwt(token).sub)], () => undefined);

    const firstPage = await fetch(`${gw.issuer}/revocations`);
    expect(Number(firstPage.headers.get('content-length'))).toBeLessThanOrEqual(128 * 1024);
    expect(((await firstPage.json()) as { moreAvailable: boolean }).moreAvailable).toBe(true);
    const verifier = createVerifier({ issuer: gw.issuer, audience: COMMENTS_URL, clientId: 'demo-blog' });
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'ERR_TOKEN_REVOKED', status: 401 });
  });
});
