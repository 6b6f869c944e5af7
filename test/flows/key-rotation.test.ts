import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { TestBrowser } from '../helpers/browser';
import { startTestGateway, COMMENTS_URL, type RunningTestGateway } from '../helpers/gateway';
import { codeIn, discover, redeemCode, relayParams, type Discovery } from '../helpers/oidc-client';
import { startEmailSignIn } from '../helpers/email';
import { rotateKeys } from '../../src/tokens/keys';

describe('key rotation at the gateway', () => {
  let gw: RunningTestGateway;
  let discovery: Discovery;

  beforeAll(async () => {
    gw = await startTestGateway({ gatewayOptions: { keyWatchIntervalMs: 25 } });
    discovery = await discover(gw.issuer);
  });
  afterAll(() => gw.stop());

  async function accessToken(email: string): Promise<string> {
    const browser = new TestBrowser();
    const started = await startEmailSignIn(browser, discovery, email);
    const relay = await browser.post(`${gw.issuer}/interaction/${started.uid}/email/code`, { code: codeIn(started.message!) });
    return (await redeemCode(discovery, started.pending, relayParams(relay).get('code')!)).body['access_token'] as string;
  }

  async function jwks(): Promise<JSONWebKeySet> {
    return (await (await fetch(discovery.jwks_uri)).json()) as JSONWebKeySet;
  }

  it('signs with the new key once rotated by another process, and keeps publishing the old one', async () => {
    const before = await accessToken('rotate-before@example.com');
    const oldKid = decodeProtectedHeader(before).kid;

    const ring = await rotateKeys(gw.dataDir);
    // The running gateway notices the new key file by itself (no restart); wait until it has.
    for (let i = 0; i < 200 && !(await jwks()).keys.some((key) => key.kid === ring.current.kid); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }

    const after = await accessToken('rotate-after@example.com');
    expect(decodeProtectedHeader(after).kid).toBe(ring.current.kid);
    expect(ring.current.kid).not.toBe(oldKid);

    const published = await jwks();
    expect(published.keys.map((key) => key.kid)).toEqual([ring.current.kid, oldKid]);
    const keys = createLocalJWKSet(published);
    for (const token of [before, after]) {
      await expect(jwtVerify(token, keys, { issuer: gw.issuer, audience: COMMENTS_URL, typ: 'at+jwt' })).resolves.toBeDefined();
    }
  });
});
