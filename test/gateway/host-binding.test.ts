import { TestBrowser } from '../helpers/browser';
import { startTestGateway, type RunningTestGateway } from '../helpers/gateway';
import { codeIn, discover, redeemCode, relayParams, type Discovery } from '../helpers/oidc-client';
import { startEmailSignIn } from '../helpers/email';
import { rawRequest, type RawResponse } from '../helpers/raw-http';

const DISCOVERY_PATH = '/.well-known/openid-configuration';
/** Every URL-valued member of the discovery document. */
const ENDPOINT_FIELDS = ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'end_session_endpoint', 'pushed_authorization_request_endpoint', 'revocation_endpoint', 'revocation_feed_endpoint'];

function expectMisdirected(response: RawResponse): void {
  expect(response.status).toBe(421);
  expect(response.text).not.toContain('evil');
  expect(response.headers['location']).toBeUndefined();
}

function expectEndpointsOn(document: Record<string, unknown>, origin: string): void {
  for (const field of ENDPOINT_FIELDS) expect(String(document[field])).toMatch(new RegExp(`^${origin.replace(/[.]/g, '\\.')}/`));
  expect(JSON.stringify(document)).not.toContain('evil');
}

describe('the gateway answers only for its issuer\'s host', () => {
  let gw: RunningTestGateway;
  let discovery: Discovery;

  beforeAll(async () => {
    gw = await startTestGateway();
    discovery = await discover(gw.issuer);
  });
  afterAll(() => gw.stop());

  it('refuses discovery asked for another host with 421, before any endpoint is built', async () => {
    expectMisdirected(await rawRequest(`${gw.issuer}${DISCOVERY_PATH}`, { headers: { host: 'evil.example' } }));
    expectMisdirected(await rawRequest(`${gw.issuer}${DISCOVERY_PATH}`, { headers: { host: `evil.example:${gw.port}` } }));
  });

  it('refuses the issuer\'s host name on another port, another name for the same machine, and a malformed Host', async () => {
    for (const host of ['localhost', `localhost:${gw.port + 1}`, `127.0.0.1:${gw.port}`, `localhost:${gw.port}@evil.example`, `localhost:${gw.port}/evil.example`]) {
      const response = await rawRequest(`${gw.issuer}${DISCOVERY_PATH}`, { headers: { host } });
      expect([host, response.status]).toEqual([host, 421]);
    }
  });

  it('accepts its own host in any letter case', async () => {
    const response = await rawRequest(`${gw.issuer}${DISCOVERY_PATH}`, { headers: { host: `LocalHost:${gw.port}` } });
    expect(response.status).toBe(200);
    expectEndpointsOn(JSON.parse(response.text) as Record<string, unknown>, gw.issuer);
  });

  it('ignores X-Forwarded-Host and X-Forwarded-Proto when no proxy is trusted', async () => {
    const response = await rawRequest(`${gw.issuer}${DISCOVERY_PATH}`, { headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' } });
    expect(response.status).toBe(200);
    expectEndpointsOn(JSON.parse(response.text) as Record<string, unknown>, gw.issuer);
  });

  it('refuses every page of a sign-in for another host: the return address after the code cannot be poisoned', async () => {
    const browser = new TestBrowser();
    const started = await startEmailSignIn(browser, discovery, 'host-poison@example.com');
    const cookie = browser.cookieNames().map((name) => `${name}=${browser.cookieValue(name)}`).join('; ');
    const poisoned = await rawRequest(`${gw.issuer}/interaction/${started.uid}/email/code`, {
      method: 'POST',
      headers: { host: 'evil.example', cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ code: codeIn(started.message!) }).toString(),
    });
    expectMisdirected(poisoned);
    expectMisdirected(await rawRequest(`${gw.issuer}/auth/${started.uid}`, { headers: { host: 'evil.example', cookie } }));

    // The refused request touched nothing: the same code still signs in on the real host.
    const done = await browser.post(`${gw.issuer}/interaction/${started.uid}/email/code`, { code: codeIn(started.message!) });
    for (const hop of done.hops) expect(hop.url.startsWith(gw.issuer)).toBe(true);
    const tokens = await redeemCode(discovery, started.pending, relayParams(done).get('code')!);
    expect(tokens.status).toBe(200);
  });

  it('answers health probes for any host (load balancers probe by address)', async () => {
    const response = await rawRequest(`${gw.issuer}/health`, { headers: { host: '10.0.0.7:4000' } });
    expect(response.status).not.toBe(421);
  });
});

describe('behind a trusted proxy the gateway still builds every URL from its issuer', () => {
  const ISSUER = 'https://comments-sign-in.example';
  let gw: RunningTestGateway;

  beforeAll(async () => {
    gw = await startTestGateway({ env: { PARLEY_ISSUER: ISSUER, PARLEY_TRUST_PROXY: 'true' } });
  });
  afterAll(() => gw.stop());

  const local = (path: string) => `http://127.0.0.1:${gw.port}${path}`;
  const proxied = { host: 'comments-sign-in.example', 'x-forwarded-proto': 'https' };

  it('serves discovery for the issuer\'s host with every endpoint on the issuer', async () => {
    const response = await rawRequest(local(DISCOVERY_PATH), { headers: proxied });
    expect(response.status).toBe(200);
    const document = JSON.parse(response.text) as Record<string, unknown>;
    expect(document['issuer']).toBe(ISSUER);
    expectEndpointsOn(document, ISSUER);
  });

  it('refuses another X-Forwarded-Host with 421, alone or in a list', async () => {
    for (const forwarded of ['evil.example', 'comments-sign-in.example, evil.example', 'evil.example, comments-sign-in.example']) {
      expectMisdirected(await rawRequest(local(DISCOVERY_PATH), { headers: { ...proxied, 'x-forwarded-host': forwarded } }));
    }
  });

  it('accepts the issuer\'s own X-Forwarded-Host, with its default port written out', async () => {
    for (const forwarded of ['comments-sign-in.example', 'comments-sign-in.example:443']) {
      const response = await rawRequest(local(DISCOVERY_PATH), { headers: { ...proxied, 'x-forwarded-host': forwarded } });
      expect(response.status).toBe(200);
    }
  });

  it('keeps https endpoints when a forwarded header claims plain http', async () => {
    const response = await rawRequest(local(DISCOVERY_PATH), { headers: { ...proxied, 'x-forwarded-proto': 'http' } });
    expect(response.status).toBe(200);
    expectEndpointsOn(JSON.parse(response.text) as Record<string, unknown>, ISSUER);
  });
});

describe('discovery and the key set say how long they may be cached', () => {
  let gw: RunningTestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw.stop());

  it('lets shared caches keep discovery for minutes and the key set for less than a key takes to start signing', async () => {
    const document = await fetch(`${gw.issuer}${DISCOVERY_PATH}`);
    expect(document.headers.get('cache-control')).toBe('public, max-age=300');
    const jwks = await fetch(((await document.json()) as { jwks_uri: string }).jwks_uri);
    expect(jwks.status).toBe(200);
    expect(jwks.headers.get('cache-control')).toBe('public, max-age=10');
  });
});
