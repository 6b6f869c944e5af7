/**
 * Switchable failures on both emulators, armed through the control object and through the
 * HTTP control endpoints: deny and approve by themselves, 5xx, hanging, malformed bodies and
 * error objects with HTTP 200; one-shot, sticky, and reset.
 */
import { FailureControlError, startEmulators, type RunningEmulators } from '../../src/emulators';
import {
  dialogUrl,
  exchangeCode,
  FACEBOOK_REDIRECT_URI,
  facebookAccessToken,
  facebookCode,
  formPairs,
  location,
  TWITTER_CALLBACK,
  twitterCall,
  twitterRequestToken,
  twitterSignIn,
  type FacebookErrorBody,
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
  emulators.facebook.control.reset();
});

const HANG_TIMEOUT_MS = 300;

/** Resolves with the name of the error the fetch rejected with. */
async function rejectionName(request: Promise<Response>): Promise<string> {
  try {
    await request;
    return 'resolved';
  } catch (error) {
    return (error as Error).name;
  }
}

const requestToken = () =>
  twitterCall(emulators, '/oauth/request_token', { oauthParams: { oauth_callback: TWITTER_CALLBACK } });

describe('Twitter failures', () => {
  it('server-error is one-shot by default: a 503 with code 130, then normal service', async () => {
    emulators.twitter.control.fail('request_token', { kind: 'server-error', status: 503 });
    const failed = await requestToken();
    expect(failed.status).toBe(503);
    expect(((await failed.json()) as TwitterErrorBody).errors[0]).toEqual({ code: 130, message: 'Over capacity' });
    expect((await requestToken()).status).toBe(200);
  });

  it('sticky failures last until reset()', async () => {
    const access = await twitterSignIn(emulators, emulators.twitter.users[0]!.idStr);
    const profile = () =>
      twitterCall(emulators, '/1.1/account/verify_credentials.json', {
        method: 'GET',
        token: access.token,
        tokenSecret: access.secret,
      });
    emulators.twitter.control.fail('verify_credentials', { kind: 'server-error' }, { sticky: true });
    expect((await profile()).status).toBe(500);
    expect((await profile()).status).toBe(500);
    emulators.twitter.control.reset();
    expect((await profile()).status).toBe(200);
  });

  it('hang: the client’s own timeout fires', async () => {
    const token = await twitterRequestToken(emulators);
    emulators.twitter.control.fail('access_token', { kind: 'hang' });
    const url = `${emulators.twitter.apiUrl}/oauth/access_token`;
    const name = await rejectionName(
      fetch(url, { method: 'POST', headers: { authorization: `OAuth oauth_token="${token.token}"` }, signal: AbortSignal.timeout(HANG_TIMEOUT_MS) }),
    );
    expect(name).toBe('TimeoutError');
  });

  it('malformed: a 200 whose body yields no usable token', async () => {
    emulators.twitter.control.fail('request_token', { kind: 'malformed' });
    const response = await requestToken();
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(() => formPairs(body)).not.toThrow();
    expect(() => decodeURIComponent(body)).toThrow(URIError);
    expect(body).not.toMatch(/oauth_token_secret=[^&]/);
  });

  it('malformed JSON from verify_credentials', async () => {
    const access = await twitterSignIn(emulators, emulators.twitter.users[0]!.idStr);
    emulators.twitter.control.fail('verify_credentials', { kind: 'malformed' });
    const response = await twitterCall(emulators, '/1.1/account/verify_credentials.json', {
      method: 'GET',
      token: access.token,
      tokenSecret: access.secret,
    });
    expect(response.status).toBe(200);
    await expect(response.json()).rejects.toMatchObject({ name: 'SyntaxError' });
  });

  it('error-200: Twitter’s error object with HTTP 200', async () => {
    emulators.twitter.control.fail('request_token', { kind: 'error-200' });
    const response = await requestToken();
    expect(response.status).toBe(200);
    expect(((await response.json()) as TwitterErrorBody).errors[0]?.code).toBe(131);
  });

  it('deny: the authenticate page redirects with ?denied= by itself', async () => {
    const token = await twitterRequestToken(emulators);
    emulators.twitter.control.deny();
    const response = await fetch(`${emulators.twitter.apiUrl}/oauth/authenticate?oauth_token=${token.token}`, {
      redirect: 'manual',
    });
    expect(location(response).searchParams.get('denied')).toBe(token.token);
  });

  it('approve: the authenticate page signs in the chosen user by itself', async () => {
    const bob = emulators.twitter.users[1]!;
    const token = await twitterRequestToken(emulators);
    emulators.twitter.control.approve(bob.idStr);
    const response = await fetch(`${emulators.twitter.apiUrl}/oauth/authenticate?oauth_token=${token.token}`, {
      redirect: 'manual',
    });
    const verifier = location(response).searchParams.get('oauth_verifier')!;
    const exchange = await twitterCall(emulators, '/oauth/access_token', {
      token: token.token,
      tokenSecret: token.secret,
      oauthParams: { oauth_verifier: verifier },
    });
    expect(formPairs(await exchange.text())['screen_name']).toBe(bob.screenName);
  });

  it('malformed on the sign-in page: the callback arrives without a verifier', async () => {
    const token = await twitterRequestToken(emulators);
    emulators.twitter.control.fail('authenticate', { kind: 'malformed' });
    const response = await fetch(`${emulators.twitter.apiUrl}/oauth/authenticate?oauth_token=${token.token}`, {
      redirect: 'manual',
    });
    expect([...location(response).searchParams.keys()]).toEqual(['oauth_token']);
  });

  it('server-error on the sign-in page: Twitter’s error page, still marked as an emulator', async () => {
    emulators.twitter.control.fail('authenticate', { kind: 'server-error', status: 502 });
    const response = await fetch(`${emulators.twitter.apiUrl}/oauth/authenticate?oauth_token=x`);
    expect(response.status).toBe(502);
    const page = await response.text();
    expect(page).toContain('Something is technically wrong.');
    expect(page).toContain('Development emulator');
  });
});

describe('Facebook failures', () => {
  it('deny: the dialog redirects with access_denied by itself', async () => {
    emulators.facebook.control.deny();
    const response = await fetch(dialogUrl(emulators, { state: 's' }), { redirect: 'manual' });
    expect(response.headers.get('location')).toBe(
      `${FACEBOOK_REDIRECT_URI}?error=access_denied&error_code=200&error_description=Permissions+error&error_reason=user_denied&state=s#_=_`,
    );
  });

  it('approve: the dialog issues a code for the chosen user by itself', async () => {
    const eli = emulators.facebook.users[1]!;
    emulators.facebook.control.approve(eli.id);
    const response = await fetch(dialogUrl(emulators), { redirect: 'manual' });
    const code = location(response).searchParams.get('code')!;
    const token = (await (await exchangeCode(emulators, { code })).json()) as { access_token: string };
    const profile = await fetch(`${emulators.facebook.graphUrl}/v19.0/me?access_token=${token.access_token}`);
    expect(await profile.json()).toEqual({ name: eli.name, id: eli.id });
  });

  it('server-error on the token endpoint: 503 with code 2, once', async () => {
    const code = await facebookCode(emulators);
    emulators.facebook.control.fail('access_token', { kind: 'server-error', status: 503 });
    const failed = await exchangeCode(emulators, { code });
    expect(failed.status).toBe(503);
    expect(((await failed.json()) as FacebookErrorBody).error).toMatchObject({ code: 2, type: 'OAuthException' });
    expect((await exchangeCode(emulators, { code })).status).toBe(200);
  });

  it('hang on /me: the client’s own timeout fires', async () => {
    const token = await facebookAccessToken(emulators);
    emulators.facebook.control.fail('me', { kind: 'hang' });
    const name = await rejectionName(
      fetch(`${emulators.facebook.graphUrl}/v19.0/me?access_token=${token}`, { signal: AbortSignal.timeout(HANG_TIMEOUT_MS) }),
    );
    expect(name).toBe('TimeoutError');
  });

  it('malformed token response: not JSON', async () => {
    const code = await facebookCode(emulators);
    emulators.facebook.control.fail('access_token', { kind: 'malformed' });
    const response = await exchangeCode(emulators, { code });
    expect(response.status).toBe(200);
    await expect(response.json()).rejects.toMatchObject({ name: 'SyntaxError' });
  });

  it('error-200 on /me: Graph’s error object with HTTP 200', async () => {
    const token = await facebookAccessToken(emulators);
    emulators.facebook.control.fail('me', { kind: 'error-200' });
    const response = await fetch(`${emulators.facebook.graphUrl}/v19.0/me?access_token=${token}`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as FacebookErrorBody).error).toMatchObject({ code: 1, type: 'OAuthException' });
  });

  it('error-200 on the dialog: error_code and error_message without an error parameter', async () => {
    emulators.facebook.control.fail('dialog', { kind: 'error-200' });
    const callback = location(await fetch(dialogUrl(emulators, { state: 's' }), { redirect: 'manual' }));
    expect(callback.searchParams.get('error')).toBeNull();
    expect(callback.searchParams.get('error_code')).toBe('1');
    expect(callback.searchParams.get('error_message')).toBe('An unknown error has occurred.');
    expect(callback.searchParams.get('state')).toBe('s');
  });

  it('malformed on the dialog: the callback carries neither code nor error', async () => {
    emulators.facebook.control.fail('dialog', { kind: 'malformed' });
    const callback = location(await fetch(dialogUrl(emulators, { state: 's' }), { redirect: 'manual' }));
    expect([...callback.searchParams.keys()]).toEqual(['state']);
  });
});

describe('the control object', () => {
  it('refuses impossible combinations with a FailureControlError', () => {
    const { control } = emulators.facebook;
    expect(() => control.fail('me', { kind: 'deny' })).toThrow(FailureControlError);
    expect(() => control.fail('me', { kind: 'server-error', status: 404 })).toThrow(/500-599/);
    expect(() => control.approve('no-such-user')).toThrow(/no test user/);
    expect(() => control.fail('nope' as 'me', { kind: 'hang' })).toThrow(/no endpoint "nope"/);
  });

  it('lists what is armed', () => {
    emulators.twitter.control.fail('access_token', { kind: 'hang' }, { sticky: true });
    expect(emulators.twitter.control.list()).toEqual([
      { endpoint: 'access_token', failure: { kind: 'hang' }, sticky: true },
    ]);
  });
});

describe('the HTTP control endpoints', () => {
  const post = (path: string, body?: unknown) =>
    fetch(`${emulators.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });

  it('arm a Twitter failure that the next request meets', async () => {
    const armed = await post('/twitter/__control/failures', { endpoint: 'request_token', kind: 'server-error', status: 502 });
    expect(armed.status).toBe(201);
    const state = (await (await fetch(`${emulators.url}/twitter/__control`)).json()) as { armed: unknown[] };
    expect(state.armed).toEqual([{ endpoint: 'request_token', failure: { kind: 'server-error', status: 502 }, sticky: false }]);
    expect((await requestToken()).status).toBe(502);
    expect((await requestToken()).status).toBe(200);
  });

  it('arm a sticky Facebook deny, then reset it over HTTP', async () => {
    expect((await post('/facebook/__control/failures', { endpoint: 'dialog', kind: 'deny', sticky: true })).status).toBe(201);
    for (let i = 0; i < 2; i += 1) {
      const response = await fetch(dialogUrl(emulators), { redirect: 'manual' });
      expect(location(response).searchParams.get('error')).toBe('access_denied');
    }
    expect((await post('/facebook/__control/reset')).status).toBe(204);
    expect((await fetch(dialogUrl(emulators), { redirect: 'manual' })).status).toBe(200);
  });

  it('refuse nonsense with 400 and a message', async () => {
    const cases: unknown[] = [
      { endpoint: 'access_token', kind: 'deny' },
      { endpoint: 'nope', kind: 'hang' },
      { endpoint: 'me', kind: 'explode' },
      { endpoint: 'me', kind: 'hang', extra: true },
      '{not json',
    ];
    for (const body of cases) {
      const response = await post('/facebook/__control/failures', body);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'invalid_request', message: expect.any(String) });
    }
  });

  it('show and reset both emulators at /__control', async () => {
    emulators.twitter.control.fail('request_token', { kind: 'hang' });
    emulators.facebook.control.deny();
    const both = (await (await fetch(`${emulators.url}/__control`)).json()) as Record<string, { armed: unknown[] }>;
    expect(both['twitter']?.armed).toHaveLength(1);
    expect(both['facebook']?.armed).toHaveLength(1);
    expect((await post('/__control/reset')).status).toBe(204);
    expect(emulators.twitter.control.list()).toEqual([]);
    expect(emulators.facebook.control.list()).toEqual([]);
  });
});
