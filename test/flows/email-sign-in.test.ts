import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { TestBrowser } from '../helpers/browser';
import { startTestGateway, COMMENTS_URL, SITE_ORIGIN, type RunningTestGateway } from '../helpers/gateway';
import { authorize, codeIn, discover, interactionUid, linkIn, readMailbox, redeemCode, relayParams, type Discovery } from '../helpers/oidc-client';

describe('email sign-in, end to end over HTTP as the widget drives it', () => {
  let gw: RunningTestGateway;
  let discovery: Discovery;

  beforeAll(async () => {
    gw = await startTestGateway();
    discovery = await discover(gw.issuer);
  });
  afterAll(() => gw.stop());

  async function verifyAccessToken(token: string) {
    const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
    return jwtVerify(token, jwks, { issuer: gw.issuer, audience: COMMENTS_URL, typ: 'at+jwt', algorithms: ['RS256'], requiredClaims: ['exp', 'iat', 'sub', 'jti'] });
  }

  it('publishes discovery with PKCE S256 and the JWKS', async () => {
    expect(discovery.issuer).toBe(gw.issuer);
    expect(discovery.code_challenge_methods_supported).toEqual(['S256']);
    const jwks = (await (await fetch(discovery.jwks_uri)).json()) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const key of jwks.keys) expect(key).not.toHaveProperty('d');
  });

  it('signs in through the link in the email and issues an access token with every claim of the contract', async () => {
    const browser = new TestBrowser();
    const { pending, response: form } = await authorize(browser, discovery, { provider: 'email' });
    expect(form.status).toBe(200);
    expect(form.text).toContain('Log in with email');
    expect(form.text).toContain('never your email address');
    const uid = interactionUid(form);

    const sent = await browser.post(`${gw.issuer}/interaction/${uid}/email`, { email: 'Ada@Example.com', name: 'Ada Lovelace' });
    expect(sent.status).toBe(200);
    expect(sent.text).toContain('Check your email');
    // Without SMTP, the page says where the message went.
    expect(sent.text).toContain('href="/dev/mailbox?to=ada%40example.com"');

    const [message] = await readMailbox(gw.issuer, 'ada@example.com');
    expect(message!.to).toBe('ada@example.com');
    const link = linkIn(message!);

    const confirmPage = await browser.get(link);
    expect(confirmPage.status).toBe(200);
    expect(confirmPage.text).toContain('Log in to comment on Demo Blog?');
    const token = new URL(link).searchParams.get('token')!;
    const confirmed = await browser.post(`${gw.issuer}/email/confirm`, { token });
    expect(confirmed.status).toBe(200);
    expect(confirmed.text).toContain('You are logged in');

    const status = await browser.get(`${gw.issuer}/interaction/${uid}/email/status`);
    expect(JSON.parse(status.text)).toEqual({ status: 'confirmed' });

    const relay = await browser.post(`${gw.issuer}/interaction/${uid}/email/complete`, {});
    const params = relayParams(relay);
    expect(relay.status).toBe(200);
    expect(params.get('state')).toBe(pending.state);
    expect(params.get('iss')).toBe(gw.issuer);
    expect(relay.text).toContain(JSON.stringify([SITE_ORIGIN]).replace(/"/g, '&quot;'));

    const tokens = await redeemCode(discovery, pending, params.get('code')!);
    expect(tokens.status).toBe(200);
    expect(tokens.headers.get('access-control-allow-origin')).toBe(SITE_ORIGIN);
    const accessToken = tokens.body['access_token'] as string;

    const { payload, protectedHeader } = await verifyAccessToken(accessToken);
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(protectedHeader.kid).toEqual(expect.any(String));
    expect(payload).toMatchObject({ iss: gw.issuer, aud: COMMENTS_URL, client_id: 'demo-blog', name: 'Ada Lovelace', idp: 'email' });
    expect(String(payload['scope']).split(' ')).toContain('comments');
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(15 * 60);
    expect(payload.jti).toEqual(expect.any(String));
    expect(payload.sub).toEqual(expect.any(String));
    expect(payload).not.toHaveProperty('picture');
    expect(JSON.stringify(payload)).not.toMatch(/example\.com/i);
    expect(decodeProtectedHeader(tokens.body['id_token'] as string).alg).toBe('RS256');
  });

  it('signs in through the 6-digit code typed into the popup, to the same account', async () => {
    const first = new TestBrowser();
    const firstRun = await authorize(first, discovery, { provider: 'email' });
    const firstUid = interactionUid(firstRun.response);
    await first.post(`${gw.issuer}/interaction/${firstUid}/email`, { email: 'grace@example.org', name: 'Grace Hopper' });
    const [firstMail] = await readMailbox(gw.issuer, 'grace@example.org');
    const firstRelay = await first.post(`${gw.issuer}/interaction/${firstUid}/email/code`, { code: codeIn(firstMail!) });
    const firstTokens = await redeemCode(discovery, firstRun.pending, relayParams(firstRelay).get('code')!);
    const firstClaims = (await verifyAccessToken(firstTokens.body['access_token'] as string)).payload;

    // A second device: a fresh browser, the name left empty (the account already has one).
    const second = new TestBrowser();
    const secondRun = await authorize(second, discovery, { provider: 'email' });
    const secondUid = interactionUid(secondRun.response);
    await second.post(`${gw.issuer}/interaction/${secondUid}/email`, { email: 'grace@example.org', name: '' });
    const [secondMail] = await readMailbox(gw.issuer, 'grace@example.org');
    expect(codeIn(secondMail!)).not.toBe('');
    const relay = await second.post(`${gw.issuer}/interaction/${secondUid}/email/code`, { code: ` ${codeIn(secondMail!)} ` });
    const tokens = await redeemCode(discovery, secondRun.pending, relayParams(relay).get('code')!);
    const claims = (await verifyAccessToken(tokens.body['access_token'] as string)).payload;

    expect(claims.sub).toBe(firstClaims.sub);
    expect(claims['name']).toBe('Grace Hopper');
    expect(claims['idp']).toBe('email');
  });
});
