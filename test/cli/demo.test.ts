import fs from 'node:fs';
import net from 'node:net';
import { runDemo } from '../../src/commands/demo';
import { withDemoPageOrigins } from '../../src/demo/site-origins';
import { DEFAULTS, loadSettings, type Settings } from '../../src/config';
import { authorizationUrl, relayUri } from '../../src/widget/authorize';
import { discover as widgetDiscover } from '../../src/widget/discovery';
import { TestBrowser, extract } from '../helpers/browser';
import { makeDataDir } from '../helpers/data-dir';
import { codeIn, discover, interactionUid, readMailbox, redeemCode, relayParams, pkcePair, type Discovery } from '../helpers/oidc-client';

/** A loopback port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * `parley demo` on ports of the operator's choosing: the demo site's origins (config/sites.json
 * names the default demo port) follow PARLEY_DEMO_PORT, so the widget on the demo page can read the
 * comments, sign in through the gateway and redeem its code.
 */
describe('`parley demo` on a port other than the default', () => {
  let demo: { close(): Promise<void> };
  let demoOrigin: string;
  let issuer: string;
  let commentsUrl: string;
  let discovery: Discovery;
  let logSpy: jest.SpyInstance;

  beforeAll(async () => {
    const [gatewayPort, commentsPort, emulatorPort, demoPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    expect(demoPort).not.toBe(Number(DEFAULTS.PARLEY_DEMO_PORT));
    issuer = `http://localhost:${gatewayPort}`;
    commentsUrl = `http://localhost:${commentsPort}`;
    demoOrigin = `http://localhost:${demoPort}`;
    logSpy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    // The sites file is the shipped config/sites.json, as a new user running the demo has it.
    const settings = loadSettings({
      PARLEY_DATA_DIR: makeDataDir(),
      PARLEY_GATEWAY_PORT: String(gatewayPort),
      PARLEY_ISSUER: issuer,
      PARLEY_COMMENTS_PORT: String(commentsPort),
      PARLEY_COMMENTS_URL: commentsUrl,
      PARLEY_EMULATOR_PORT: String(emulatorPort),
      PARLEY_DEMO_PORT: String(demoPort),
    });
    demo = await runDemo(settings);
    discovery = await discover(issuer);
  });
  afterAll(async () => {
    await demo?.close();
    logSpy.mockRestore();
  });

  it('serves the demo post with the widget on that port, and says where', async () => {
    const page = await fetch(`${demoOrigin}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`<script src="${commentsUrl}/widget.js" data-parley-gateway="${issuer}" async></script>`);
    expect(logSpy.mock.calls.flat().join('\n')).toContain(`Demo blog post:  ${demoOrigin}/`);
  });

  it("lets the demo page's origins read the comments (CORS), and no longer the default port's", async () => {
    const api = `${commentsUrl}/api/sites/demo-blog/posts/hello-readers/comments`;
    for (const origin of [demoOrigin, demoOrigin.replace('localhost', '127.0.0.1')]) {
      const answer = await fetch(api, { headers: { origin } });
      expect([origin, answer.status, answer.headers.get('access-control-allow-origin')]).toEqual([origin, 200, origin]);
    }
    const stale = await fetch(api, { headers: { origin: `http://localhost:${DEFAULTS.PARLEY_DEMO_PORT}` } });
    expect(stale.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("signs a reader in through the gateway for the demo page's origin: login page, relay to that origin, token redeemed with CORS, comment posted", async () => {
    const browser = new TestBrowser();
    const { verifier, challenge } = pkcePair();
    // The authorization request exactly as the widget on the demo page builds it.
    const url = authorizationUrl(await widgetDiscover(issuer), { siteId: 'demo-blog', state: 'p.demo-port-state', challenge, provider: 'email' });
    const loginPage = await browser.get(url);
    expect(loginPage.status).toBe(200);
    expect(loginPage.text).toContain('Log in with email');
    const uid = interactionUid(loginPage);

    await browser.post(`${issuer}/interaction/${uid}/email`, { email: 'demo-port@example.com', name: 'Port Reader' });
    const [message] = await readMailbox(issuer, 'demo-port@example.com');
    const relay = await browser.post(`${issuer}/interaction/${uid}/email/code`, { code: codeIn(message!) });
    // The relay page posts the code only to the site's origins: the demo page's is among them.
    expect(JSON.parse(extract(relay.text, /data-origins="([^"]+)"/).replace(/&quot;/g, '"'))).toContain(demoOrigin);

    const pending = { siteId: 'demo-blog', redirectUri: relayUri(issuer, 'demo-blog'), verifier, state: 'p.demo-port-state' };
    const tokens = await redeemCode(discovery, pending, relayParams(relay).get('code')!, {}, demoOrigin);
    expect(tokens.status).toBe(200);
    expect(tokens.headers.get('access-control-allow-origin')).toBe(demoOrigin);

    const posted = await fetch(`${commentsUrl}/api/sites/demo-blog/posts/hello-readers/comments`, {
      method: 'POST',
      headers: { origin: demoOrigin, authorization: `Bearer ${String(tokens.body['access_token'])}`, 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'Hello from another port' }),
    });
    expect([posted.status, posted.headers.get('access-control-allow-origin')]).toEqual([201, demoOrigin]);
  });
});

describe("the demo site's origins", () => {
  const sitesFile = `${makeDataDir()}/sites.json`;
  function settingsWith(sites: unknown): Settings {
    fs.writeFileSync(sitesFile, JSON.stringify(sites));
    return loadSettings({ PARLEY_DATA_DIR: makeDataDir(), PARLEY_SITES_FILE: sitesFile });
  }

  it("replace the default demo port's with the demo page's actual port and keep every other origin and site", () => {
    const settings = settingsWith([
      { id: 'demo-blog', name: 'Demo Blog', origins: ['http://localhost:4200', 'https://blog.example', 'http://127.0.0.1:4200'] },
      { id: 'other-blog', name: 'Other Blog', origins: ['http://localhost:4200'] },
    ]);
    const moved = withDemoPageOrigins(settings, 5123);
    expect(moved.sites.map((site) => [site.id, site.origins])).toEqual([
      ['demo-blog', ['http://localhost:5123', 'http://127.0.0.1:5123', 'https://blog.example']],
      ['other-blog', ['http://localhost:4200']],
    ]);
    expect(Object.isFrozen(moved.sites[0]!.origins)).toBe(true);
    expect(withDemoPageOrigins(settings, 4200).sites[0]!.origins).toEqual(['http://localhost:4200', 'http://127.0.0.1:4200', 'https://blog.example']);
  });
});
