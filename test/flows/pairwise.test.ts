import { decodeJwt } from 'jose';
import { TestBrowser } from '../helpers/browser';
import { startTestGateway, type RunningTestGateway } from '../helpers/gateway';
import { codeIn, discover, redeemCode, relayParams, type Discovery } from '../helpers/oidc-client';
import { startEmailSignIn } from '../helpers/email';

describe('pairwise subjects', () => {
  let gw: RunningTestGateway;
  let discovery: Discovery;

  beforeAll(async () => {
    gw = await startTestGateway({
      sites: [
        { id: 'demo-blog', name: 'Demo Blog', origins: ['http://localhost:4200'] },
        // Redirect URIs on another host make oidc-provider want a sector identifier: still one sub per site.
        { id: 'other-blog', name: 'Other Blog', origins: ['http://localhost:4201'], redirectUris: ['http://127.0.0.1:4201/callback'] },
      ],
    });
    discovery = await discover(gw.issuer);
  });
  afterAll(() => gw.stop());

  async function subjectFor(siteId: string, email: string): Promise<string> {
    const browser = new TestBrowser();
    const started = await startEmailSignIn(browser, discovery, email, { siteId, name: 'Pat' });
    const relay = await browser.post(`${gw.issuer}/interaction/${started.uid}/email/code`, { code: codeIn(started.message!) });
    const tokens = await redeemCode(discovery, started.pending, relayParams(relay).get('code')!, {}, siteId === 'demo-blog' ? 'http://localhost:4200' : 'http://localhost:4201');
    expect(tokens.status).toBe(200);
    const accessSub = decodeJwt(tokens.body['access_token'] as string).sub!;
    expect(decodeJwt(tokens.body['id_token'] as string).sub).toBe(accessSub);
    return accessSub;
  }

  it('gives one site the same subject for a commenter every time', async () => {
    expect(await subjectFor('demo-blog', 'pat@example.com')).toBe(await subjectFor('demo-blog', 'pat@example.com'));
  });

  it('gives two sites different subjects for the same commenter', async () => {
    const onDemo = await subjectFor('demo-blog', 'sam@example.com');
    const onOther = await subjectFor('other-blog', 'sam@example.com');
    expect(onOther).not.toBe(onDemo);
  });

  it('gives two commenters different subjects on one site', async () => {
    expect(await subjectFor('demo-blog', 'one@example.com')).not.toBe(await subjectFor('demo-blog', 'two@example.com'));
  });
});
