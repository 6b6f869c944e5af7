/**
 * The Facebook emulator over real loopback HTTP: the login dialog, the code exchange with
 * PKCE, Graph's /me with fields and appsecret_proof, and Facebook's own error answers.
 */
import { appSecretProof, startEmulators, type RunningEmulators } from '../../src/emulators';
import {
  dialogUrl,
  exchangeCode,
  FACEBOOK_REDIRECT_URI,
  facebookAccessToken,
  facebookCode,
  facebookPick,
  formAction,
  hiddenFields,
  location,
  newPkce,
  type FacebookErrorBody,
} from './support';

let now = Date.now();
let emulators: RunningEmulators;

beforeAll(async () => {
  emulators = await startEmulators({ port: 0, facebook: { clock: () => now } });
});

afterAll(async () => {
  await emulators.close();
});

beforeEach(() => {
  now = Date.now();
});

afterEach(() => {
  emulators.facebook.control.reset();
});

const dana = () => emulators.facebook.users[0]!;

async function graphError(response: Response): Promise<{ status: number } & Partial<FacebookErrorBody['error']>> {
  const body = (await response.json()) as FacebookErrorBody;
  return { status: response.status, ...body.error };
}

function me(token: string, query: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Response> {
  const params = new URLSearchParams({ access_token: token, ...query });
  if (headers['authorization']) params.delete('access_token');
  return fetch(`${emulators.facebook.graphUrl}/v19.0/me?${params}`, { headers });
}

describe('the Facebook login flow', () => {
  it('goes dialog → code → token (PKCE) → /me with fields and appsecret_proof', async () => {
    const pkce = newPkce();

    // 1. The dialog shows the test users.
    const page = await fetch(dialogUrl(emulators, { pkce, scope: 'email', state: 'xyz' }));
    expect(page.status).toBe(200);
    const pageHtml = await page.text();
    expect(pageHtml).toContain('Development emulator: this is not the real Facebook');
    expect(pageHtml).toContain('Continue as Dana Example');

    // 2. Picking Dana redirects with a code, the state, and Facebook's #_=_.
    const redirect = await facebookPick(emulators, { pkce, scope: 'email', state: 'xyz' }, { userId: dana().id });
    expect(redirect.status).toBe(302);
    const target = redirect.headers.get('location')!;
    expect(target.startsWith(`${FACEBOOK_REDIRECT_URI}?code=`)).toBe(true);
    expect(target.endsWith('&state=xyz#_=_')).toBe(true);
    const code = new URL(target).searchParams.get('code')!;

    // 3. The code and the PKCE verifier buy an access token.
    const tokenResponse = await exchangeCode(emulators, { code, code_verifier: pkce.verifier });
    expect(tokenResponse.status).toBe(200);
    const token = (await tokenResponse.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(token).toEqual({ access_token: expect.stringMatching(/^EAA/), token_type: 'bearer', expires_in: expect.any(Number) });
    expect(token.expires_in).toBeGreaterThan(0);

    // 4. /me with fields, proved with appsecret_proof.
    const profile = await me(token.access_token, {
      fields: 'id,name,email,picture',
      appsecret_proof: appSecretProof(token.access_token, emulators.facebook.appSecret),
    });
    expect(profile.status).toBe(200);
    expect(await profile.json()).toEqual({
      id: dana().id,
      name: 'Dana Example',
      email: 'dana@example.com',
      picture: {
        data: {
          height: 50,
          is_silhouette: false,
          url: expect.stringMatching(/^https:\/\//),
          width: 50,
        },
      },
    });
  });

  it('accepts the exchange as a GET with query parameters too', async () => {
    const code = await facebookCode(emulators);
    const query = new URLSearchParams({
      client_id: emulators.facebook.appId,
      client_secret: emulators.facebook.appSecret,
      redirect_uri: FACEBOOK_REDIRECT_URI,
      code,
    });
    const response = await fetch(`${emulators.facebook.graphUrl}/v3.2/oauth/access_token?${query}`);
    expect(response.status).toBe(200);
  });

  it('answers name and id when no fields are asked for, and no email without the permission', async () => {
    const token = await facebookAccessToken(emulators);
    expect(await (await me(token)).json()).toEqual({ name: 'Dana Example', id: dana().id });
    expect(await (await me(token, { fields: 'id,email' })).json()).toEqual({ id: dana().id });
  });

  it('omits permission-gated fields instead of failing, as passport-facebook profileFields expect', async () => {
    const token = await facebookAccessToken(emulators, { scope: 'email' });
    const response = await me(token, { fields: 'id,name,last_name,first_name,middle_name,gender,link,email,picture' });
    expect(response.status).toBe(200);
    expect(Object.keys((await response.json()) as object)).toEqual([
      'id',
      'name',
      'last_name',
      'first_name',
      'email',
      'picture',
    ]);
  });

  it('takes the token from Authorization: Bearer or OAuth', async () => {
    const token = await facebookAccessToken(emulators);
    for (const scheme of ['Bearer', 'OAuth']) {
      const response = await me(token, {}, { authorization: `${scheme} ${token}` });
      expect(response.status).toBe(200);
    }
  });

  it('sizes pictures by type, by width/height, and filters their subfields', async () => {
    const token = await facebookAccessToken(emulators, {}, emulators.facebook.users[1]!.id);
    const large = (await (await me(token, { fields: 'picture.type(large)' })).json()) as {
      picture: { data: { width: number; height: number; is_silhouette: boolean } };
    };
    expect(large.picture.data).toMatchObject({ width: 200, height: 200, is_silhouette: true });
    const sized = (await (await me(token, { fields: 'picture.width(120).height(80)' })).json()) as {
      picture: { data: { width: number; height: number } };
    };
    expect(sized.picture.data).toMatchObject({ width: 120, height: 80 });
    expect(await (await me(token, { fields: 'picture{url}' })).json()).toEqual({
      picture: { data: { url: expect.stringMatching(/^https:\/\//) } },
    });
  });

  it('accepts any v<major>.<minor> version, or none, and nothing else', async () => {
    for (const version of ['v2.12', 'v3.2', 'v19.0']) {
      expect((await fetch(dialogUrl(emulators, { version }))).status).toBe(200);
    }
    const unversioned = dialogUrl(emulators).replace('/v19.0/dialog', '/dialog');
    expect((await fetch(unversioned)).status).toBe(200);
    expect((await fetch(dialogUrl(emulators, { version: 'latest' }))).status).toBe(404);
  });

  it('escapes names and the redirect_uri on the dialog page', async () => {
    const redirectUri = `${FACEBOOK_REDIRECT_URI}?next="><script>alert(1)</script>`;
    const page = await (await fetch(dialogUrl(emulators, { redirectUri }))).text();
    expect(page).not.toContain('<script>');
    expect(page).toContain('Frankie &quot;&lt;b&gt;Bold&lt;/b&gt;&quot; O&#39;Neil &amp; Co');
  });
});

describe('the dialog refuses to redirect anywhere it should not', () => {
  it('an unknown client_id gets a page, not a redirect', async () => {
    const response = await fetch(dialogUrl(emulators, { clientId: 'someone-else' }), { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Invalid App ID');
  });

  it('a redirect_uri that is not an absolute http(s) URL gets a page', async () => {
    for (const redirectUri of ['javascript:alert(1)', '/relative', 'http://127.0.0.1:9/cb#frag']) {
      const response = await fetch(dialogUrl(emulators, { redirectUri }), { redirect: 'manual' });
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('URL blocked');
    }
  });

  it('errors after the redirect_uri is validated go back to it (RFC 6749 §4.1.2.1)', async () => {
    const url = new URL(dialogUrl(emulators));
    url.searchParams.set('response_type', 'token');
    const response = await fetch(url, { redirect: 'manual' });
    expect(location(response).searchParams.get('error')).toBe('unsupported_response_type');
  });

  describe('with registered redirect URIs', () => {
    let strict: RunningEmulators;

    beforeAll(async () => {
      strict = await startEmulators({ port: 0, facebook: { allowedRedirectUris: [FACEBOOK_REDIRECT_URI] } });
    });

    afterAll(async () => {
      await strict.close();
    });

    it('only those are accepted', async () => {
      expect((await fetch(dialogUrl(strict))).status).toBe(200);
      const other = await fetch(dialogUrl(strict, { redirectUri: 'http://127.0.0.1:9/other' }));
      expect(other.status).toBe(400);
    });
  });
});

describe('denying access', () => {
  it('redirects with Facebook’s access_denied parameters and #_=_', async () => {
    const response = await facebookPick(emulators, { state: 'st-1' }, 'cancel');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(
      `${FACEBOOK_REDIRECT_URI}?error=access_denied&error_code=200&error_description=Permissions+error&error_reason=user_denied&state=st-1#_=_`,
    );
  });

  it('a dialog can be answered once only', async () => {
    const page = await (await fetch(dialogUrl(emulators))).text();
    const post = () =>
      fetch(new URL(formAction(page), emulators.url), {
        method: 'POST',
        body: new URLSearchParams({ ...hiddenFields(page), user_id: dana().id }),
        redirect: 'manual',
      });
    expect((await post()).status).toBe(302);
    expect((await post()).status).toBe(400);
  });
});

describe('token endpoint rejections', () => {
  it('a wrong client secret: 400, code 1', async () => {
    const code = await facebookCode(emulators);
    const response = await exchangeCode(emulators, { code, client_secret: 'wrong' });
    expect(await graphError(response)).toMatchObject({
      status: 400,
      type: 'OAuthException',
      code: 1,
      message: 'Error validating client secret.',
      fbtrace_id: expect.any(String),
    });
  });

  it('an unknown client id: 400, code 101', async () => {
    const code = await facebookCode(emulators);
    expect(await graphError(await exchangeCode(emulators, { code, client_id: 'nope' }))).toMatchObject({ code: 101 });
  });

  it('a redirect_uri that differs from the dialog’s: 400, code 100, subcode 36008', async () => {
    const code = await facebookCode(emulators);
    const response = await exchangeCode(emulators, { code, redirect_uri: `${FACEBOOK_REDIRECT_URI}/` });
    expect(await graphError(response)).toMatchObject({ status: 400, code: 100, error_subcode: 36008 });
    expect(response.headers.get('www-authenticate')).toMatch(/^OAuth "Facebook Platform" "invalid_code" "Error validating verification code/);
  });

  it('a reused code: 400, code 100, subcode 36009, and the first token is revoked', async () => {
    const code = await facebookCode(emulators);
    const first = (await (await exchangeCode(emulators, { code })).json()) as { access_token: string };
    expect((await me(first.access_token)).status).toBe(200);
    const again = await exchangeCode(emulators, { code });
    expect(await graphError(again)).toMatchObject({
      status: 400,
      code: 100,
      error_subcode: 36009,
      message: 'This authorization code has been used.',
    });
    expect(await graphError(await me(first.access_token))).toMatchObject({ code: 190 });
  });

  it('an expired code: 400, code 100, subcode 36007', async () => {
    const code = await facebookCode(emulators);
    now += 11 * 60 * 1000;
    expect(await graphError(await exchangeCode(emulators, { code }))).toMatchObject({ code: 100, error_subcode: 36007 });
  });

  it('an unknown code: 400, code 100', async () => {
    expect(await graphError(await exchangeCode(emulators, { code: 'AQnothing' }))).toMatchObject({
      code: 100,
      message: 'Invalid verification code format.',
    });
  });

  it('a wrong or missing code_verifier: 400, code 1', async () => {
    const pkce = newPkce();
    const code = await facebookCode(emulators, { pkce });
    expect(await graphError(await exchangeCode(emulators, { code, code_verifier: newPkce().verifier }))).toMatchObject({
      status: 400,
      code: 1,
      message: expect.stringMatching(/^Invalid code verifier/),
    });
    expect(await graphError(await exchangeCode(emulators, { code }))).toMatchObject({ code: 1 });
    // The failures did not use the code up.
    expect((await exchangeCode(emulators, { code, code_verifier: pkce.verifier })).status).toBe(200);
  });

  it('a code_verifier without a challenge at the dialog: 400, code 1', async () => {
    const code = await facebookCode(emulators);
    expect(await graphError(await exchangeCode(emulators, { code, code_verifier: newPkce().verifier }))).toMatchObject({
      code: 1,
      message: 'code_verifier param is provided without a code_challenge in authorization request.',
    });
  });
});

describe('Graph /me rejections', () => {
  it('no access token: 400, code 2500', async () => {
    const response = await fetch(`${emulators.facebook.graphUrl}/v19.0/me`);
    expect(await graphError(response)).toMatchObject({ status: 400, code: 2500 });
    expect(response.headers.get('www-authenticate')).toContain('"invalid_request"');
  });

  it('a bad access token: 400, code 190, with an invalid_token challenge', async () => {
    const garbage = await me('not-a-token');
    expect(await graphError(garbage)).toMatchObject({
      status: 400,
      type: 'OAuthException',
      code: 190,
      message: 'Invalid OAuth access token - Cannot parse access token',
    });
    expect(garbage.headers.get('www-authenticate')).toContain('"invalid_token"');
    const unknown = await me(`EAA${'x'.repeat(40)}`);
    expect(await graphError(unknown)).toMatchObject({ code: 190, message: 'Invalid OAuth access token.' });
  });

  it('an expired access token: 400, code 190, subcode 463', async () => {
    const token = await facebookAccessToken(emulators);
    now += 61 * 24 * 60 * 60 * 1000;
    expect(await graphError(await me(token))).toMatchObject({ code: 190, error_subcode: 463 });
  });

  it('a bad appsecret_proof: 400, GraphMethodException code 100', async () => {
    const token = await facebookAccessToken(emulators);
    const response = await me(token, { appsecret_proof: appSecretProof(token, 'not-the-secret') });
    expect(await graphError(response)).toMatchObject({
      status: 400,
      type: 'GraphMethodException',
      code: 100,
      message: 'Invalid appsecret_proof provided in the API argument',
    });
  });

  it('an unknown field: 400, code 100', async () => {
    const token = await facebookAccessToken(emulators);
    expect(await graphError(await me(token, { fields: 'id,shoe_size' }))).toMatchObject({
      code: 100,
      message: '(#100) Tried accessing nonexisting field (shoe_size) on node type (User)',
    });
    expect(await graphError(await me(token, { fields: 'id,,name' }))).toMatchObject({ code: 100 });
  });

  describe('when the app requires appsecret_proof', () => {
    let strict: RunningEmulators;

    beforeAll(async () => {
      strict = await startEmulators({ port: 0, facebook: { requireAppsecretProof: true } });
    });

    afterAll(async () => {
      await strict.close();
    });

    it('calls without it fail and calls with it pass', async () => {
      const token = await facebookAccessToken(strict);
      const without = await fetch(`${strict.facebook.graphUrl}/v19.0/me?access_token=${token}`);
      expect(await graphError(without)).toMatchObject({
        type: 'GraphMethodException',
        message: 'API calls from the server require an appsecret_proof argument',
      });
      const proof = appSecretProof(token, strict.facebook.appSecret);
      const withProof = await fetch(`${strict.facebook.graphUrl}/v19.0/me?access_token=${token}&appsecret_proof=${proof}`);
      expect(withProof.status).toBe(200);
    });
  });
});
