import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { TestBrowser } from '../helpers/browser';
import { startTestGateway, COMMENTS_URL, type RunningTestGateway } from '../helpers/gateway';
import { codeIn, discover, redeemCode, relayParams, type Discovery } from '../helpers/oidc-client';
import { startEmailSignIn } from '../helpers/email';
import { KEY_ACTIVATION_DELAY_SECONDS, rotateKeys } from '../../src/tokens/keys';

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

  async function waitUntilPublished(kid: string): Promise<void> {
    // The running gateway notices the key directory change by itself (no restart).
    for (let i = 0; i < 200 && !(await jwks()).keys.some((key) => key.kid === kid); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it('publishes a key rotated in by another process at once, and keeps signing with the current one until the new one activates', async () => {
    const before = await accessToken('pending-before@example.com');
    const currentKid = decodeProtectedHeader(before).kid;
    const ring = await rotateKeys(gw.gateway.keyStore);
    const pending = ring.keys.find((key) => key.kid !== currentKid && key.activatesAt! > Date.now())!;
    expect(pending).toBeDefined();
    await waitUntilPublished(pending.kid);

    expect((await jwks()).keys.map((key) => key.kid)).toEqual([currentKid, pending.kid]);
    const during = await accessToken('pending-during@example.com');
    expect(decodeProtectedHeader(during).kid).toBe(currentKid);
  });

  it('signs with a rotated-in key once its activation time has come, and keeps publishing the old one', async () => {
    const before = await accessToken('rotate-before@example.com');
    const oldKid = decodeProtectedHeader(before).kid;

    // A rotation made long enough ago that the new key's activation time has passed.
    const known = new Set((await jwks()).keys.map((key) => key.kid));
    const rotated = await rotateKeys(gw.gateway.keyStore, Date.now() - KEY_ACTIVATION_DELAY_SECONDS * 1000);
    const ring = { current: rotated.keys.find((key) => !known.has(key.kid))! };
    await waitUntilPublished(ring.current.kid);

    const after = await accessToken('rotate-after@example.com');
    expect(decodeProtectedHeader(after).kid).toBe(ring.current.kid);
    expect(ring.current.kid).not.toBe(oldKid);

    const published = await jwks();
    expect(published.keys[0]!.kid).toBe(ring.current.kid);
    expect(published.keys.map((key) => key.kid)).toContain(oldKid);
    const keys = createLocalJWKSet(published);
    for (const token of [before, after]) {
      await expect(jwtVerify(token, keys, { issuer: gw.issuer, audience: COMMENTS_URL, typ: 'at+jwt' })).resolves.toBeDefined();
    }
  });
});
