import { decodeJwt } from 'jose';
import { TestBrowser } from '../helpers/browser';
import { startTestGateway, type RunningTestGateway } from '../helpers/gateway';
import { authorize, codeIn, discover, pkcePair, redeemCode, relayParams, type Discovery, type PendingAuthorization } from '../helpers/oidc-client';
import { startEmailSignIn } from '../helpers/email';
import { revokedSessionHandles } from '../helpers/revocation-feed';

/**
 * RFC 6749 §4.1.2 and RFC 9700 §4.8: an authorization code is used once, and a failed use is a use.
 * Whoever presents a code with the wrong verifier may have stolen it: the code dies, and so does
 * its grant, so the right verifier afterwards gets nothing either.
 */
describe('a failed redemption of an authorization code uses it up', () => {
  let gw: RunningTestGateway;
  let discovery: Discovery;
  let browser: TestBrowser;

  beforeAll(async () => {
    gw = await startTestGateway();
    discovery = await discover(gw.issuer);
    browser = new TestBrowser();
    const started = await startEmailSignIn(browser, discovery, 'single-use@example.com');
    const relay = await browser.post(`${gw.issuer}/interaction/${started.uid}/email/code`, { code: codeIn(started.message!) });
    expect((await redeemCode(discovery, started.pending, relayParams(relay).get('code')!)).status).toBe(200);
  });
  afterAll(() => gw.stop());

  /** A fresh code for the signed-in browser (no interaction: the session signs it in silently). */
  async function freshCode(params: Record<string, string> = {}): Promise<{ pending: PendingAuthorization; code: string }> {
    const { pending, response } = await authorize(browser, discovery, { params });
    return { pending, code: relayParams(response).get('code')! };
  }

  const failures: [string, (pending: PendingAuthorization) => Record<string, string>][] = [
    ['a wrong verifier of the right length', () => ({ code_verifier: pkcePair().verifier })],
    ['a verifier too short to be one', () => ({ code_verifier: 'abc' })],
    ['a verifier with a character PKCE does not allow', (pending) => ({ code_verifier: `${pending.verifier.slice(0, -1)}&` })],
    ['no verifier at all', () => ({ code_verifier: '' })],
    ['another redirect_uri', () => ({ redirect_uri: `${gw.issuer}/relay/other-blog` })],
  ];

  it.each(failures)('after %s, the right verifier gets invalid_grant', async (_label, change) => {
    const { pending, code } = await freshCode();
    const failed = await redeemCode(discovery, pending, code, change(pending));
    expect(failed.status).toBe(400);
    expect(failed.body['error']).toMatch(/^invalid_(grant|request)$/);
    const retried = await redeemCode(discovery, pending, code);
    expect(retried.status).toBe(400);
    expect(retried.body).toMatchObject({ error: 'invalid_grant' });
  });

  it('after another site presents the code, its own site cannot redeem it', async () => {
    const { pending, code } = await freshCode();
    const stolen = await redeemCode(discovery, { ...pending, siteId: 'other-blog', redirectUri: `${gw.issuer}/relay/other-blog` }, code, {}, 'http://localhost:4201');
    expect(stolen.status).toBe(400);
    expect((await redeemCode(discovery, pending, code)).body).toMatchObject({ error: 'invalid_grant' });
  });

  it('revokes the grant: a token issued earlier on it stops working', async () => {
    const earlier = await freshCode();
    const issued = await redeemCode(discovery, earlier.pending, earlier.code);
    expect(issued.status).toBe(200);
    // Blog backends check tokens offline and refuse the sign-ins the revocation feed names.
    const { sid } = decodeJwt(String(issued.body['access_token']));
    const revoked = () => revokedSessionHandles(String(discovery['revocation_feed_endpoint']), 'demo-blog');
    expect(await revoked()).not.toContain(sid);

    const { pending, code } = await freshCode();
    expect((await redeemCode(discovery, pending, code, { code_verifier: pkcePair().verifier })).status).toBe(400);
    expect(await revoked()).toContain(sid);
  });

  it('still redeems a code presented once, correctly', async () => {
    const { pending, code } = await freshCode();
    const tokens = await redeemCode(discovery, pending, code);
    expect(tokens.status).toBe(200);
    expect(tokens.body['access_token']).toEqual(expect.any(String));
  });
});
