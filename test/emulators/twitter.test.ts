/**
 * The Twitter emulator over real loopback HTTP: the three-legged OAuth 1.0a dance, the user
 * object, and every rejection a careless or hostile client should meet.
 */
import { startEmulators, type RunningEmulators } from '../../src/emulators';
import {
  formPairs,
  hiddenFields,
  location,
  postForm,
  TWITTER_CALLBACK,
  twitterCall,
  twitterPick,
  twitterRequestToken,
  twitterSignIn,
  type TwitterErrorBody,
} from './support';

let emulators: RunningEmulators;

beforeAll(async () => {
  emulators = await startEmulators({ port: 0 });
});

afterAll(async () => {
  await emulators.close();
});

afterEach(() => {
  emulators.twitter.control.reset();
});

const alice = () => emulators.twitter.users[0]!;
const carol = () => emulators.twitter.users[2]!;

async function twitterError(response: Response): Promise<{ status: number; code: number | undefined; message: string | undefined }> {
  const body = (await response.json()) as TwitterErrorBody;
  return { status: response.status, code: body.errors[0]?.code, message: body.errors[0]?.message };
}

describe('the Twitter sign-in dance', () => {
  it('goes request_token → authenticate → callback → access_token → verify_credentials', async () => {
    // 1. Temporary credentials (RFC 5849 §2.1).
    const requestTokenResponse = await twitterCall(emulators, '/oauth/request_token', {
      oauthParams: { oauth_callback: TWITTER_CALLBACK },
    });
    expect(requestTokenResponse.status).toBe(200);
    const requestToken = formPairs(await requestTokenResponse.text());
    expect(requestToken).toEqual({
      oauth_token: expect.any(String),
      oauth_token_secret: expect.any(String),
      oauth_callback_confirmed: 'true',
    });

    // 2. The person picks a test user on the authenticate page.
    const page = await fetch(
      `${emulators.twitter.apiUrl}/oauth/authenticate?oauth_token=${encodeURIComponent(requestToken['oauth_token']!)}`,
    );
    expect(page.status).toBe(200);
    const pageHtml = await page.text();
    expect(pageHtml).toContain('Development emulator: this is not the real Twitter');
    expect(pageHtml).toContain(`Sign in as Alice Example (@parley_alice)`);
    expect(hiddenFields(pageHtml)['oauth_token']).toBe(requestToken['oauth_token']);
    const redirect = await twitterPick(emulators, requestToken['oauth_token']!, { userId: alice().idStr });

    // 3. Back to the callback with the token and a verifier.
    expect(redirect.status).toBe(302);
    const callback = location(redirect);
    expect(`${callback.origin}${callback.pathname}`).toBe(TWITTER_CALLBACK);
    expect(callback.searchParams.get('oauth_token')).toBe(requestToken['oauth_token']);
    const verifier = callback.searchParams.get('oauth_verifier');
    expect(verifier).toEqual(expect.any(String));

    // 4. Token credentials (RFC 5849 §2.3).
    const accessTokenResponse = await twitterCall(emulators, '/oauth/access_token', {
      token: requestToken['oauth_token']!,
      tokenSecret: requestToken['oauth_token_secret']!,
      oauthParams: { oauth_verifier: verifier! },
    });
    expect(accessTokenResponse.status).toBe(200);
    const access = formPairs(await accessTokenResponse.text());
    expect(access).toEqual({
      oauth_token: expect.stringMatching(new RegExp(`^${alice().idStr}-`)),
      oauth_token_secret: expect.any(String),
      user_id: alice().idStr,
      screen_name: 'parley_alice',
    });

    // 5. The profile.
    const profileResponse = await twitterCall(
      emulators,
      '/1.1/account/verify_credentials.json?include_email=true&skip_status=true',
      { method: 'GET', token: access['oauth_token']!, tokenSecret: access['oauth_token_secret']! },
    );
    expect(profileResponse.status).toBe(200);
    expect(profileResponse.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await profileResponse.text();
    // The numeric id is written exactly, though JavaScript cannot hold it: read id_str.
    expect(text).toContain(`"id":${alice().idStr},"id_str":"${alice().idStr}"`);
    const profile = JSON.parse(text) as Record<string, unknown>;
    expect(profile).toMatchObject({
      id_str: alice().idStr,
      name: 'Alice Example',
      screen_name: 'parley_alice',
      profile_image_url_https: expect.stringMatching(/^https:\/\//),
      email: 'alice@example.com',
    });
    expect(typeof profile['id']).toBe('number');
    expect(profile).not.toHaveProperty('status');
  });

  it('accepts /oauth/authorize like /oauth/authenticate', async () => {
    const requestToken = await twitterRequestToken(emulators);
    const page = await fetch(`${emulators.twitter.apiUrl}/oauth/authorize?oauth_token=${requestToken.token}`);
    expect(page.status).toBe(200);
    expect(hiddenFields(await page.text())['oauth_token']).toBe(requestToken.token);
  });

  it('keeps the callback URL query and appends to it', async () => {
    const requestToken = await twitterRequestToken(emulators, `${TWITTER_CALLBACK}?next=%2Fposts%2F1`);
    const callback = location(await twitterPick(emulators, requestToken.token, { userId: alice().idStr }));
    expect(callback.search).toMatch(/^\?next=%2Fposts%2F1&oauth_token=/);
  });

  it('escapes test users’ names on the page', async () => {
    const requestToken = await twitterRequestToken(emulators);
    const page = await (await fetch(`${emulators.twitter.apiUrl}/oauth/authenticate?oauth_token=${requestToken.token}`)).text();
    expect(page).toContain('Carol &lt;O&#39;Hara&gt; &amp; &quot;Co&quot;');
    expect(page).not.toContain(carol().name);
  });

  it('supports the out-of-band PIN flow', async () => {
    const requestToken = await twitterRequestToken(emulators, 'oob');
    const response = await twitterPick(emulators, requestToken.token, { userId: alice().idStr });
    expect(response.status).toBe(200);
    const pin = /<code id="oauth_pin">([^<]+)<\/code>/.exec(await response.text())?.[1];
    const exchange = await twitterCall(emulators, '/oauth/access_token', {
      token: requestToken.token,
      tokenSecret: requestToken.secret,
      oauthParams: { oauth_verifier: pin ?? '' },
    });
    expect(exchange.status).toBe(200);
  });
});

describe('verify_credentials', () => {
  it('embeds the latest status and entities unless told otherwise', async () => {
    const access = await twitterSignIn(emulators, alice().idStr);
    const call = (query: string) =>
      twitterCall(emulators, `/1.1/account/verify_credentials.json${query}`, {
        method: 'GET',
        token: access.token,
        tokenSecret: access.secret,
      });
    const full = (await (await call('')).json()) as Record<string, unknown>;
    expect(full).toHaveProperty('status.text');
    expect(full).toHaveProperty('entities');
    expect(full).not.toHaveProperty('email');
    const bare = (await (await call('?include_entities=false&skip_status=1')).json()) as Record<string, unknown>;
    expect(bare).not.toHaveProperty('status');
    expect(bare).not.toHaveProperty('entities');
  });

  it('answers email null for an account without one', async () => {
    const access = await twitterSignIn(emulators, carol().idStr);
    const response = await twitterCall(emulators, '/1.1/account/verify_credentials.json?include_email=true', {
      method: 'GET',
      token: access.token,
      tokenSecret: access.secret,
    });
    expect(await response.json()).toMatchObject({ screen_name: 'parley_carol', email: null });
  });
});

describe('rejections', () => {
  it('a bad signature: 401, code 32, with an OAuth challenge', async () => {
    const response = await twitterCall(emulators, '/oauth/request_token', {
      consumerSecret: 'not-the-secret',
      oauthParams: { oauth_callback: TWITTER_CALLBACK },
    });
    expect(await twitterError(response)).toEqual({ status: 401, code: 32, message: 'Could not authenticate you.' });
    expect(response.headers.get('www-authenticate')).toBe(`OAuth realm="${emulators.twitter.apiUrl}"`);
  });

  it('a stale timestamp: 401, code 135', async () => {
    const response = await twitterCall(emulators, '/oauth/request_token', {
      timestamp: Math.floor(Date.now() / 1000) - 3600,
      oauthParams: { oauth_callback: TWITTER_CALLBACK },
    });
    expect(await twitterError(response)).toMatchObject({ status: 401, code: 135 });
  });

  it('a timestamp from the future: 401, code 135', async () => {
    const response = await twitterCall(emulators, '/oauth/request_token', {
      timestamp: Math.floor(Date.now() / 1000) + 3600,
      oauthParams: { oauth_callback: TWITTER_CALLBACK },
    });
    expect(await twitterError(response)).toMatchObject({ status: 401, code: 135 });
  });

  it('a replayed nonce: the first request passes, the replay gets 401, code 32', async () => {
    const call = {
      nonce: 'replayed-nonce-0001',
      timestamp: Math.floor(Date.now() / 1000),
      oauthParams: { oauth_callback: TWITTER_CALLBACK },
    };
    expect((await twitterCall(emulators, '/oauth/request_token', call)).status).toBe(200);
    expect(await twitterError(await twitterCall(emulators, '/oauth/request_token', call))).toMatchObject({
      status: 401,
      code: 32,
    });
  });

  it('a wrong consumer key: 401, code 32', async () => {
    const response = await twitterCall(emulators, '/oauth/request_token', {
      consumerKey: 'someone-else',
      oauthParams: { oauth_callback: TWITTER_CALLBACK },
    });
    expect(await twitterError(response)).toMatchObject({ status: 401, code: 32 });
  });

  it('no OAuth at all, or PLAINTEXT: 400, code 215', async () => {
    const bare = await fetch(`${emulators.twitter.apiUrl}/oauth/request_token`, { method: 'POST' });
    expect(await twitterError(bare)).toEqual({ status: 400, code: 215, message: 'Bad Authentication data.' });

    const secret = `${emulators.twitter.consumerSecret}&`;
    const plaintext = await fetch(`${emulators.twitter.apiUrl}/oauth/request_token`, {
      method: 'POST',
      headers: {
        authorization:
          `OAuth oauth_callback="${encodeURIComponent(TWITTER_CALLBACK)}", oauth_consumer_key="${emulators.twitter.consumerKey}", ` +
          `oauth_signature_method="PLAINTEXT", oauth_signature="${encodeURIComponent(secret)}"`,
      },
    });
    expect(await twitterError(plaintext)).toMatchObject({ status: 400, code: 215 });
  });

  it('a duplicated protocol parameter: 400, code 215', async () => {
    const signed = await twitterCall(emulators, '/oauth/request_token?oauth_nonce=again', {
      oauthParams: { oauth_callback: TWITTER_CALLBACK },
    });
    expect(await twitterError(signed)).toMatchObject({ status: 400, code: 215 });
  });

  it('a request token without oauth_callback: 400, code 215', async () => {
    expect(await twitterError(await twitterCall(emulators, '/oauth/request_token'))).toMatchObject({ status: 400, code: 215 });
  });

  it('a request token used twice: the second exchange is refused', async () => {
    const requestToken = await twitterRequestToken(emulators);
    const verifier = location(await twitterPick(emulators, requestToken.token, { userId: alice().idStr })).searchParams.get(
      'oauth_verifier',
    )!;
    const exchange = () =>
      twitterCall(emulators, '/oauth/access_token', {
        token: requestToken.token,
        tokenSecret: requestToken.secret,
        oauthParams: { oauth_verifier: verifier },
      });
    expect((await exchange()).status).toBe(200);
    const again = await exchange();
    expect(again.status).toBe(401);
    expect(await again.text()).toBe('Invalid request token');
    // And its authenticate page is Twitter's dead end.
    const page = await fetch(`${emulators.twitter.apiUrl}/oauth/authenticate?oauth_token=${requestToken.token}`);
    expect(await page.text()).toContain('The request token for this page is invalid.');
  });

  it("a verifier is only good for its own request token, and only once", async () => {
    const first = await twitterRequestToken(emulators);
    const firstVerifier = location(await twitterPick(emulators, first.token, { userId: alice().idStr })).searchParams.get(
      'oauth_verifier',
    )!;
    const second = await twitterRequestToken(emulators);
    await twitterPick(emulators, second.token, { userId: alice().idStr });

    const crossed = await twitterCall(emulators, '/oauth/access_token', {
      token: second.token,
      tokenSecret: second.secret,
      oauthParams: { oauth_verifier: firstVerifier },
    });
    expect(crossed.status).toBe(401);
    expect(await crossed.text()).toBe('Error processing your OAuth request: Invalid oauth_verifier parameter');

    const exchange = () =>
      twitterCall(emulators, '/oauth/access_token', {
        token: first.token,
        tokenSecret: first.secret,
        oauthParams: { oauth_verifier: firstVerifier },
      });
    expect((await exchange()).status).toBe(200);
    expect((await exchange()).status).toBe(401);
  });

  it('an exchange without a verifier is refused', async () => {
    const requestToken = await twitterRequestToken(emulators);
    await twitterPick(emulators, requestToken.token, { userId: alice().idStr });
    const response = await twitterCall(emulators, '/oauth/access_token', {
      token: requestToken.token,
      tokenSecret: requestToken.secret,
    });
    expect(response.status).toBe(401);
    expect(await response.text()).toBe('Required oauth_verifier parameter not provided');
  });

  it('a wrong token secret: 401, code 32, on access_token and on verify_credentials', async () => {
    const requestToken = await twitterRequestToken(emulators);
    const verifier = location(await twitterPick(emulators, requestToken.token, { userId: alice().idStr })).searchParams.get(
      'oauth_verifier',
    )!;
    const wrongSecret = await twitterCall(emulators, '/oauth/access_token', {
      token: requestToken.token,
      tokenSecret: 'guessed',
      oauthParams: { oauth_verifier: verifier },
    });
    expect(await twitterError(wrongSecret)).toMatchObject({ status: 401, code: 32 });

    const access = await twitterSignIn(emulators, alice().idStr);
    const profile = await twitterCall(emulators, '/1.1/account/verify_credentials.json', {
      method: 'GET',
      token: access.token,
      tokenSecret: 'guessed',
    });
    expect(await twitterError(profile)).toMatchObject({ status: 401, code: 32 });
  });

  it('an unknown access token, or a request token used as one: 401, code 89', async () => {
    const unknown = await twitterCall(emulators, '/1.1/account/verify_credentials.json', {
      method: 'GET',
      token: '1-nope',
      tokenSecret: 'x',
    });
    expect(await twitterError(unknown)).toEqual({ status: 401, code: 89, message: 'Invalid or expired token.' });

    const requestToken = await twitterRequestToken(emulators);
    const misuse = await twitterCall(emulators, '/1.1/account/verify_credentials.json', {
      method: 'GET',
      token: requestToken.token,
      tokenSecret: requestToken.secret,
    });
    expect(await twitterError(misuse)).toMatchObject({ status: 401, code: 89 });
  });

  it('a sign-in form posted with someone else’s authenticity token: 403', async () => {
    const requestToken = await twitterRequestToken(emulators);
    const response = await postForm(`${emulators.twitter.apiUrl}/oauth/authenticate`, {
      oauth_token: requestToken.token,
      authenticity_token: 'forged',
      user_id: alice().idStr,
    });
    expect(response.status).toBe(403);
  });

  it('unknown API paths: 404, code 34', async () => {
    const response = await fetch(`${emulators.twitter.apiUrl}/1.1/statuses/home_timeline.json`);
    expect(await twitterError(response)).toMatchObject({ status: 404, code: 34 });
  });
});

describe('denying access', () => {
  it('redirects to the callback with ?denied=<request token> and kills the token', async () => {
    const requestToken = await twitterRequestToken(emulators);
    const response = await twitterPick(emulators, requestToken.token, 'cancel');
    expect(response.status).toBe(302);
    const callback = location(response);
    expect([...callback.searchParams]).toEqual([['denied', requestToken.token]]);

    const exchange = await twitterCall(emulators, '/oauth/access_token', {
      token: requestToken.token,
      tokenSecret: requestToken.secret,
      oauthParams: { oauth_verifier: 'anything' },
    });
    expect(exchange.status).toBe(401);
  });
});

describe('registered callback URLs', () => {
  let strict: RunningEmulators;

  beforeAll(async () => {
    strict = await startEmulators({ port: 0, twitter: { allowedCallbackUrls: [TWITTER_CALLBACK] } });
  });

  afterAll(async () => {
    await strict.close();
  });

  it('accepts a registered callback, with or without a query', async () => {
    const response = await twitterCall(strict, '/oauth/request_token', {
      oauthParams: { oauth_callback: `${TWITTER_CALLBACK}?x=1` },
    });
    expect(response.status).toBe(200);
  });

  it('refuses any other: 403, code 415', async () => {
    const response = await twitterCall(strict, '/oauth/request_token', {
      oauthParams: { oauth_callback: 'http://127.0.0.1:9/elsewhere' },
    });
    expect(await twitterError(response)).toMatchObject({ status: 403, code: 415 });
  });
});
