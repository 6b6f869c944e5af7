import { TestBrowser, extract } from '../helpers/browser';
import { SITE_ORIGIN, startTestGateway, type RunningTestGateway } from '../helpers/gateway';
import { authorize, codeIn, discover, interactionUid, readMailbox, relayParams, type Discovery } from '../helpers/oidc-client';

/** The widget's state (src/widget/state.ts): "p." popup or "r." full page, with the post to return to. */
function widgetState(mode: 'p' | 'r', returnTo: string): string {
  return `${mode}.${Buffer.from(JSON.stringify({ returnTo, nonce: 'n0nce' })).toString('base64url')}`;
}

const POST = `${SITE_ORIGIN}/2024/hello?p=1`;

/**
 * Leaving a log-in (issue #11, item 5): "Back to the post" or "Cancel" on every page of a running
 * log-in, and the pages a finished, cancelled or unknown log-in shows when Back returns to them.
 */
describe('the way back from a log-in', () => {
  let gw: RunningTestGateway;
  let discovery: Discovery;

  beforeAll(async () => {
    gw = await startTestGateway();
    discovery = await discover(gw.issuer);
  });
  afterAll(() => gw.stop());

  async function start(mode: 'p' | 'r', returnTo = POST, provider = 'email') {
    const browser = new TestBrowser();
    const { response } = await authorize(browser, discovery, { provider, params: { state: widgetState(mode, returnTo) } });
    return { browser, response, uid: interactionUid(response) };
  }

  it('offers "Back to the post" on the pages of a full-page log-in, and it ends the authorization with access_denied', async () => {
    const { browser, response, uid } = await start('r');
    expect(response.text).toContain(`<form method="post" action="/interaction/${uid}/abort" class="way-back"><button type="submit" class="link">Back to the post</button></form>`);
    const codePage = await browser.post(`${gw.issuer}/interaction/${uid}/email`, { email: 'flow-way-back@example.org', name: '' });
    expect(codePage.text).toContain('Back to the post');
    const [message] = await readMailbox(gw.issuer, 'flow-way-back@example.org');
    const namePage = await browser.post(`${gw.issuer}/interaction/${uid}/email/code`, { code: codeIn(message!) });
    expect(namePage.url).toBe(`${gw.issuer}/interaction/${uid}/name`);
    expect(namePage.text).toContain('Back to the post');

    const relay = await browser.post(`${gw.issuer}/interaction/${uid}/abort`, {});
    expect(relayParams(relay).get('error')).toBe('access_denied');
    expect(relayParams(relay).get('state')).toBe(widgetState('r', POST));
  });

  it('offers "Cancel" instead in a popup', async () => {
    const { response } = await start('p');
    expect(response.text).toMatch(/<button type="submit" class="link">Cancel<\/button>/);
    expect(response.text).not.toContain('Back to the post');
  });

  it('after a full-page log-in, its pages say it has finished and link back to the post', async () => {
    const { browser, uid } = await start('r');
    await browser.post(`${gw.issuer}/interaction/${uid}/email`, { email: 'flow-finished@example.org', name: 'Fin Ished' });
    const [message] = await readMailbox(gw.issuer, 'flow-finished@example.org');
    relayParams(await browser.post(`${gw.issuer}/interaction/${uid}/email/code`, { code: codeIn(message!) }));

    for (const path of ['', '/email', '/email/code', '/name']) {
      const back = await browser.get(`${gw.issuer}/interaction/${uid}${path}`);
      expect(back.status).toBe(200);
      expect(back.headers.get('cache-control')).toBe('no-store');
      expect(back.text).toContain('This log-in has finished');
      expect(extract(back.text, /<a class="button secondary" href="([^"]+)">Back to the post<\/a>/).replace(/&amp;/g, '&')).toBe(POST);
      expect(back.text).not.toContain('<form');
    }
  });

  it('after "Back to the post", its pages say it was cancelled', async () => {
    const { browser, uid } = await start('r');
    await browser.post(`${gw.issuer}/interaction/${uid}/abort`, {});
    const back = await browser.get(`${gw.issuer}/interaction/${uid}`);
    expect(back.text).toContain('This log-in was cancelled');
    expect(back.text).toContain('Back to the post');
  });

  it('never links back to a page off the site’s registered origins', async () => {
    for (const returnTo of ['https://evil.example/steal', 'javascript:alert(1)//http://localhost:4200/', 'http://localhost:4200.evil.example/']) {
      const { browser, uid } = await start('r', returnTo);
      await browser.post(`${gw.issuer}/interaction/${uid}/abort`, {});
      const back = await browser.get(`${gw.issuer}/interaction/${uid}`);
      expect(back.text).toContain('This log-in was cancelled');
      expect(back.text).not.toContain('Back to the post');
      expect(back.text).not.toContain('evil');
      expect(back.text).not.toContain('javascript:');
    }
  });

  it('says a log-in this browser never had has expired, with what to do, as a clean 400', async () => {
    const { uid } = await start('r');
    const stranger = await new TestBrowser().get(`${gw.issuer}/interaction/${uid}`);
    expect(stranger.status).toBe(400);
    expect(stranger.text).toContain('This log-in has expired');
    expect(stranger.text).toContain('press a Log in button on the blog again');
    expect(stranger.text).not.toContain(POST);
  });
});
