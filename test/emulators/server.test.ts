/**
 * startEmulators: the layout of the combined server, its documented defaults, option
 * validation, and a close() that ends keep-alive and hanging connections.
 */
import {
  DEFAULT_EMULATOR_PORT,
  DEFAULT_FACEBOOK_APP_ID,
  DEFAULT_TWITTER_CONSUMER_KEY,
  EmulatorConfigError,
  startEmulators,
  type RunningEmulators,
} from '../../src/emulators';
import { dialogUrl, twitterRequestToken, twitterSignIn } from './support';

describe('startEmulators', () => {
  let emulators: RunningEmulators;

  beforeAll(async () => {
    emulators = await startEmulators({ port: 0 });
  });

  afterAll(async () => {
    await emulators.close();
  });

  it('serves both emulators on one port under the documented paths', () => {
    expect(DEFAULT_EMULATOR_PORT).toBe(4300);
    expect(emulators.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emulators.twitter.apiUrl).toBe(`${emulators.url}/twitter`);
    expect(emulators.facebook.wwwUrl).toBe(`${emulators.url}/facebook/www`);
    expect(emulators.facebook.graphUrl).toBe(`${emulators.url}/facebook/graph`);
  });

  it('uses the documented development credentials by default', () => {
    expect(emulators.twitter.consumerKey).toBe(DEFAULT_TWITTER_CONSUMER_KEY);
    expect(emulators.twitter.consumerKey).toBe('parley-dev-twitter');
    expect(emulators.facebook.appId).toBe(DEFAULT_FACEBOOK_APP_ID);
    expect(emulators.facebook.appId).toBe('parley-dev-facebook');
    expect(emulators.twitter.consumerSecret).toEqual(expect.any(String));
    expect(emulators.facebook.appSecret).toEqual(expect.any(String));
  });

  it('has stable test users with https avatars', () => {
    expect(emulators.twitter.users.map((u) => u.idStr)).toEqual(['1580661436132757506', '4000000001', '7000000003']);
    expect(emulators.facebook.users.map((u) => u.id)).toEqual(['100000000000001', '100000000000002', '100000000000003']);
    for (const user of emulators.twitter.users) expect(user.profileImageUrlHttps).toMatch(/^https:\/\//);
    for (const user of emulators.facebook.users) expect(user.pictureUrl).toMatch(/^https:\/\//);
  });

  it('has an index page that says what it is, with escaped names', async () => {
    const response = await fetch(emulators.url);
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('Development emulator');
    expect(page).toContain('parley-dev-twitter');
    expect(page).toContain('Carol &lt;O&#39;Hara&gt;');
  });

  it('sends pages with headers that keep them out of frames and caches', async () => {
    const response = await fetch(dialogUrl(emulators));
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('answers 404 in JSON outside the emulators', async () => {
    const response = await fetch(`${emulators.url}/nowhere`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'not_found' });
  });
});

describe('overridden credentials', () => {
  it('are the ones the emulators check', async () => {
    const emulators = await startEmulators({
      port: 0,
      twitter: { consumerKey: 'my-key', consumerSecret: 'my-secret' },
      facebook: { appId: '1234567890', appSecret: 'fb-secret' },
    });
    try {
      expect(emulators.twitter.consumerKey).toBe('my-key');
      const access = await twitterSignIn(emulators, emulators.twitter.users[1]!.idStr);
      expect(access.screenName).toBe('parley_bob');
      expect((await fetch(dialogUrl(emulators))).status).toBe(200);
      expect((await fetch(dialogUrl(emulators, { clientId: 'parley-dev-facebook' }))).status).toBe(400);
    } finally {
      await emulators.close();
    }
  });
});

describe('close()', () => {
  it('resolves while a response hangs, and the waiting client sees the connection drop', async () => {
    const emulators = await startEmulators({ port: 0 });
    const token = await twitterRequestToken(emulators);
    emulators.twitter.control.fail('access_token', { kind: 'hang' });
    const pending = fetch(`${emulators.twitter.apiUrl}/oauth/access_token`, {
      method: 'POST',
      headers: { authorization: `OAuth oauth_token="${token.token}"` },
    }).then(
      () => 'answered',
      () => 'dropped',
    );
    // The one-shot failure is used up once the request has reached the server.
    while (emulators.twitter.control.list().length > 0) await new Promise((r) => setTimeout(r, 5));

    const started = Date.now();
    await emulators.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toBe('dropped');
  });

  it('does not wait for idle keep-alive connections, and can be called twice', async () => {
    const emulators = await startEmulators({ port: 0 });
    await (await fetch(emulators.url)).text();
    await (await fetch(dialogUrl(emulators))).text();
    const started = Date.now();
    await Promise.all([emulators.close(), emulators.close()]);
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(fetch(emulators.url)).rejects.toThrow();
  });
});

describe('option validation', () => {
  it('names the option that is wrong', async () => {
    await expect(startEmulators({ port: -1 })).rejects.toThrow(EmulatorConfigError);
    await expect(startEmulators({ port: 0, twitter: { consumerKey: '' } })).rejects.toThrow(/twitter\.consumerKey/);
    await expect(
      startEmulators({ port: 0, facebook: { allowedRedirectUris: ['not a url'] } }),
    ).rejects.toThrow(/facebook\.allowedRedirectUris/);
    await expect(startEmulators({ port: 0, twitter: { users: [] } })).rejects.toThrow(/twitter\.users/);
  });

  it('reports a port in use', async () => {
    const first = await startEmulators({ port: 0 });
    try {
      const port = Number(new URL(first.url).port);
      await expect(startEmulators({ port })).rejects.toMatchObject({ code: 'PARLEY_EMULATOR_CONFIG', option: 'port' });
    } finally {
      await first.close();
    }
  });
});
