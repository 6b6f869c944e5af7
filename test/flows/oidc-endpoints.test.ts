import { TestBrowser } from '../helpers/browser';
import { startTestGateway, type RunningTestGateway } from '../helpers/gateway';
import { authorize, codeIn, discover, redeemCode, relayParams, type Discovery } from '../helpers/oidc-client';
import { startEmailSignIn } from '../helpers/email';

describe('the standard OpenID Connect endpoints', () => {
  let gw: RunningTestGateway;
  let discovery: Discovery;

  beforeAll(async () => {
    gw = await startTestGateway();
    discovery = await discover(gw.issuer);
  });
  afterAll(() => gw.stop());

  async function signIn(scope: string) {
    const browser = new TestBrowser();
    const started = await startEmailSignIn(browser, discovery, 'endpoints@example.com', { name: 'Endpoint Tester', params: { scope } });
    const relay = await browser.post(`${gw.issuer}/interaction/${started.uid}/email/code`, { code: codeIn(started.message!) });
    const tokens = await redeemCode(discovery, started.pending, relayParams(relay).get('code')!);
    expect(tokens.status).toBe(200);
    return { browser, tokens: tokens.body };
  }

  // What each advertised member does is checked against the endpoint itself in
  // test/gateway/discovery.test.ts (userinfo is not offered: the site's token is the comment service's).
  it('advertises revocation and RP-initiated logout, pairwise subjects and only the code flow', () => {
    expect(discovery['userinfo_endpoint']).toBeUndefined();
    expect(discovery['revocation_endpoint']).toBe(`${gw.issuer}/token/revocation`);
    expect(discovery['end_session_endpoint']).toBe(`${gw.issuer}/session/end`);
    expect(discovery['subject_types_supported']).toEqual(['pairwise']);
    expect(discovery['response_types_supported']).toEqual(['code']);
    expect(discovery['id_token_signing_alg_values_supported']).toEqual(['RS256']);
  });

  it('grants a registered site without a consent screen, even when it asks for prompt=consent', async () => {
    const { browser } = await signIn('openid profile comments');
    const { pending, response } = await authorize(browser, discovery, { params: { prompt: 'consent' } });
    const tokens = await redeemCode(discovery, pending, relayParams(response).get('code')!);
    expect(tokens.status).toBe(200);
    const claims = JSON.parse(Buffer.from(String(tokens.body['id_token']).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims['name']).toBe('Endpoint Tester');
  });

  it('shows its own logout page for RP-initiated logout', async () => {
    const { browser, tokens } = await signIn('openid profile comments');
    const url = new URL(discovery['end_session_endpoint'] as string);
    url.searchParams.set('id_token_hint', String(tokens['id_token']));
    const page = await browser.get(url.href);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Log out of comments on this browser?');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
  });
});
