import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { TestBrowser } from '../helpers/browser';
import { startTestGateway, COMMENTS_URL } from '../helpers/gateway';
import { codeIn, discover, redeemCode, relayParams } from '../helpers/oidc-client';
import { startEmailSignIn } from '../helpers/email';

describe('a gateway restart', () => {
  it('keeps keys, sessions and pending sign-ins: a sign-in begun before it finishes after it', async () => {
    const first = await startTestGateway();
    const discovery = await discover(first.issuer);
    const jwksBefore = (await (await fetch(discovery.jwks_uri)).json()) as JSONWebKeySet;
    const browser = new TestBrowser();
    const started = await startEmailSignIn(browser, discovery, 'restart@example.com', { name: 'Restart Test' });
    const sessionCookie = browser.cookieValue('parley.sid');
    expect(sessionCookie).toBeDefined();
    await first.stop();

    const second = await startTestGateway({ dataDir: first.dataDir, port: first.port });
    try {
      const jwksAfter = (await (await fetch(discovery.jwks_uri)).json()) as JSONWebKeySet;
      expect(jwksAfter).toEqual(jwksBefore);

      // The popup, still open across the restart, carries on with the code from the email.
      const relay = await browser.post(`${second.issuer}/interaction/${started.uid}/email/code`, { code: codeIn(started.message!) });
      const params = relayParams(relay);
      expect(params.get('state')).toBe(started.pending.state);
      const tokens = await redeemCode(discovery, started.pending, params.get('code')!);
      expect(tokens.status).toBe(200);
      // Verified against the keys published before the restart.
      const { payload } = await jwtVerify(tokens.body['access_token'] as string, createLocalJWKSet(jwksBefore), { issuer: second.issuer, audience: COMMENTS_URL });
      expect(payload['name']).toBe('Restart Test');
    } finally {
      await second.stop();
    }
  });
});
