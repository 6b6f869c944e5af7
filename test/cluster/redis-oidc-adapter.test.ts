import http from 'node:http';
import type { Redis } from 'ioredis';
import { openRedis } from '../../src/store/redis';
import { endRedisAccountSessions, RedisOidcAdapter } from '../../src/store/redis-oidc-adapter';
import { schemaFor } from '../../src/store/database';
import { GATEWAY_DB_FILE } from '../../src/tokens/open-key-store';
import { createVerifier } from '../../packages/verify/src';
import { TestBrowser, extract } from '../helpers/browser';
import { makeDataDir } from '../helpers/data-dir';
import { startEmailSignIn } from '../helpers/email';
import { COMMENTS_URL, SITE_ORIGIN, startTestGateway, type RunningTestGateway } from '../helpers/gateway';
import { authorize, codeIn, discover, relayParams, type Discovery, type PendingAuthorization } from '../helpers/oidc-client';
import { testStoreEnv, withClient } from '../helpers/postgres';
import { testRedis } from '../helpers/redis';

/** oidc-provider's storage contract in Redis, as two instances (two connections, one prefix) see it. */
describe('RedisOidcAdapter', () => {
  let one: Redis;
  let two: Redis;
  const on = (redis: Redis) => (model: string) => new RedisOidcAdapter(redis, model);

  beforeEach(async () => {
    const { url, prefix } = testRedis(expect.getState().currentTestName!.replace(/\W+/g, '-'))!;
    [one, two] = await Promise.all([openRedis(url, prefix), openRedis(url, prefix)]);
  });
  afterEach(() => {
    one.disconnect();
    two.disconnect();
  });

  it('finds a model saved by another instance by id, and replaces it on a second save', async () => {
    await on(one)('Session').upsert('s1', { uid: 'u1', accountId: 'a1' }, 60);
    await on(one)('Session').upsert('s1', { uid: 'u1', accountId: 'a2' }, 60);
    expect(await on(two)('Session').find('s1')).toEqual({ uid: 'u1', accountId: 'a2' });
    expect(await on(two)('Interaction').find('s1')).toBeUndefined();
    expect(await on(two)('Session').find('nothing')).toBeUndefined();
  });

  it('keeps a model exactly as long as oidc-provider says, and not at all when that has passed', async () => {
    await on(one)('Interaction').upsert('i1', { jti: 'i1' }, 1800);
    expect(await one.pttl('oidc:Interaction:i1')).toBeGreaterThan(1_790_000);
    expect(await one.pttl('oidc:Interaction:i1')).toBeLessThanOrEqual(1_800_000);
    await on(one)('AuthorizationCode').upsert('c1', { grantId: 'g1' }, 0.2);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await on(two)('AuthorizationCode').find('c1')).toBeUndefined();
    // oidc-provider saves with the time left: none left means gone, not "forever".
    await on(one)('Interaction').upsert('i1', { jti: 'i1' }, 0);
    expect(await on(two)('Interaction').find('i1')).toBeUndefined();
  });

  it('finds by uid and by user code, only while the model still carries them', async () => {
    await on(one)('Session').upsert('s1', { uid: 'u1' }, 60);
    await on(one)('DeviceCode').upsert('d1', { userCode: 'ABCD-EFGH', grantId: 'g1' }, 60);
    expect(await on(two)('Session').findByUid('u1')).toEqual({ uid: 'u1' });
    expect(await on(two)('DeviceCode').findByUserCode('ABCD-EFGH')).toMatchObject({ userCode: 'ABCD-EFGH' });
    expect(await one.pttl('oidc-uid:Session:u1')).toBeGreaterThan(55_000);
    await on(one)('Session').upsert('s1', { uid: 'u2' }, 60);
    expect(await on(two)('Session').findByUid('u1')).toBeUndefined();
    expect(await on(two)('Session').findByUid('u2')).toEqual({ uid: 'u2' });
    await on(one)('Session').destroy('s1');
    expect(await on(two)('Session').findByUid('u2')).toBeUndefined();
    expect(await on(two)('Session').findByUid('never')).toBeUndefined();
  });

  it('shows a code consumed on one instance as consumed on the other', async () => {
    await on(one)('AuthorizationCode').upsert('c1', { grantId: 'g1' }, 60);
    const before = Math.floor(Date.now() / 1000);
    await on(one)('AuthorizationCode').consume('c1');
    const found = await on(two)('AuthorizationCode').find('c1');
    expect(found?.consumed).toBeGreaterThanOrEqual(before);
    expect(found).toMatchObject({ grantId: 'g1' });
  });

  it('lets exactly one of two instances consuming one code at once succeed; the other gets invalid_grant', async () => {
    for (let round = 0; round < 20; round += 1) {
      await on(one)('AuthorizationCode').upsert(`c${round}`, { grantId: 'g1' }, 60);
      const outcomes = await Promise.allSettled([on(one)('AuthorizationCode').consume(`c${round}`), on(two)('AuthorizationCode').consume(`c${round}`)]);
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      const [refused] = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      expect(refused!.reason).toMatchObject({ error: 'invalid_grant', status: 400 });
    }
    // A code revoked meanwhile cannot be consumed either.
    await expect(on(two)('AuthorizationCode').consume('gone')).rejects.toMatchObject({ error: 'invalid_grant' });
    // Models that are not single-use take a second consumption quietly, as oidc-provider expects.
    await on(one)('PushedAuthorizationRequest').upsert('p1', {}, 60);
    await on(one)('PushedAuthorizationRequest').consume('p1');
    await expect(on(two)('PushedAuthorizationRequest').consume('p1')).resolves.toBeUndefined();
  });

  it("revokes a grant's codes and tokens on any instance, and nothing else", async () => {
    await on(one)('AuthorizationCode').upsert('c1', { grantId: 'g1' }, 60);
    await on(two)('AccessToken').upsert('t1', { grantId: 'g1' }, 900);
    await on(one)('AccessToken').upsert('t2', { grantId: 'g2' }, 900);
    // An interaction carries the grant it replaces; revoking that grant must not end the sign-in.
    await on(one)('Interaction').upsert('i1', { grantId: 'g1' }, 60);
    expect(await one.pttl('oidc-grant:g1')).toBeGreaterThan(895_000);
    await on(two)('AuthorizationCode').revokeByGrantId('g1');
    expect(await on(one)('AuthorizationCode').find('c1')).toBeUndefined();
    expect(await on(one)('AccessToken').find('t1')).toBeUndefined();
    expect(await on(one)('AccessToken').find('t2')).toMatchObject({ grantId: 'g2' });
    expect(await on(one)('Interaction').find('i1')).toMatchObject({ grantId: 'g1' });
    expect(await one.exists('oidc-grant:g1')).toBe(0);
    await expect(on(one)('AccessToken').revokeByGrantId('g1')).resolves.toBeUndefined();
  });

  it("ends an account's sessions saved through any instance, and only that account's", async () => {
    await on(one)('Session').upsert('s1', { uid: 'u1', accountId: 'a1' }, 60);
    await on(two)('Session').upsert('s2', { uid: 'u2', accountId: 'a1' }, 3600);
    await on(one)('Session').upsert('s3', { uid: 'u3', accountId: 'a2' }, 60);
    // A session that signed in to a1 and then to a2 belongs to a2 now.
    await on(one)('Session').upsert('s4', { uid: 'u4', accountId: 'a1' }, 60);
    await on(two)('Session').upsert('s4', { uid: 'u4', accountId: 'a2' }, 60);
    // The account's index lives as long as its longest-lived session.
    expect(await one.pttl('oidc-account-sessions:a1')).toBeGreaterThan(3_590_000);

    expect(await endRedisAccountSessions(two, 'a1')).toBe(2);
    expect(await on(one)('Session').find('s1')).toBeUndefined();
    expect(await on(one)('Session').find('s2')).toBeUndefined();
    expect(await on(one)('Session').find('s3')).toMatchObject({ accountId: 'a2' });
    expect(await on(one)('Session').find('s4')).toMatchObject({ accountId: 'a2' });
    expect(await endRedisAccountSessions(one, 'a1')).toBe(0);
    expect(await endRedisAccountSessions(one, 'a2')).toBe(2);
  });

  it('forgets a logged-out session in its account index', async () => {
    await on(one)('Session').upsert('s1', { uid: 'u1', accountId: 'a1' }, 60);
    await on(two)('Session').destroy('s1');
    expect(await one.smembers('oidc-account-sessions:a1')).toEqual([]);
    expect(await endRedisAccountSessions(one, 'a1')).toBe(0);
  });
});

/** The gateway on PostgreSQL and Redis: oidc-provider's short-lived models are in Redis, grants are not. */
describe('a gateway with REDIS_URL', () => {
  let gw: RunningTestGateway;
  let discovery: Discovery;
  let redis: Redis;

  beforeAll(async () => {
    gw = await startTestGateway();
    discovery = await discover(gw.issuer);
    redis = await openRedis(gw.settings.redisUrl!, gw.settings.redisPrefix);
  });
  afterAll(async () => {
    redis.disconnect();
    await gw.stop();
  });

  /** Signs the browser in by email; its oidc-provider session is saved when the interaction ends. */
  async function signIn(browser: TestBrowser): Promise<void> {
    const started = await startEmailSignIn(browser, discovery, 'redis-everywhere@example.com');
    relayParams(await browser.post(`${gw.issuer}/interaction/${started.uid}/email/code`, { code: codeIn(started.message!) }));
  }

  const storedModels = () =>
    withClient(gw.settings.databaseUrl!, async (client) => {
      const { rows } = await client.query<{ model: string }>(`select distinct model from ${schemaFor(GATEWAY_DB_FILE)}.oidc_payloads order by model`);
      return rows.map((row) => row.model);
    });

  it('keeps sessions in Redis and ends them in every browser with "sign out everywhere"', async () => {
    const laptop = new TestBrowser();
    const phone = new TestBrowser();
    await signIn(laptop);
    await signIn(phone);
    const sessions = [laptop, phone].map((browser) => browser.cookieValue('_session')!);
    for (const id of sessions) expect(await redis.hget(`oidc:Session:${id}`, 'payload')).toContain('accountId');
    expect(await storedModels()).toEqual(['Grant']);

    const account = await laptop.get(`${gw.issuer}/account`);
    await laptop.post(`${gw.issuer}/account/signout-everywhere`, { csrf: extract(account.text, /name="csrf" value="([^"]+)"/) });
    for (const id of sessions) expect(await redis.exists(`oidc:Session:${id}`)).toBe(0);
    // The phone's next authorization request asks who it is instead of signing it in silently.
    const { response } = await authorize(phone, discovery, { provider: 'email' });
    expect(response.url).toMatch(/\/interaction\/[^/]+$/);
  });
});

/**
 * Two gateway instances on one PostgreSQL database and one Redis prefix, one issuer: a code is
 * presented to both at once. Exactly one redeems it; the other is a replay, which revokes the
 * tokens the first got (RFC 6749 §4.1.2).
 */
describe('one authorization code presented to two instances at once', () => {
  let first: RunningTestGateway;
  let second: RunningTestGateway;
  let discovery: Discovery;

  beforeAll(async () => {
    const shared = await testStoreEnv(makeDataDir());
    first = await startTestGateway({ env: shared });
    second = await startTestGateway({ env: { ...shared, PARLEY_ISSUER: first.issuer } });
    discovery = await discover(first.issuer);
  });
  afterAll(async () => {
    await second.stop();
    await first.stop();
  });

  /** The token request redeemCode makes, sent straight to one instance (as a balancer would). */
  function redeemAt(instance: RunningTestGateway, pending: PendingAuthorization, code: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: pending.redirectUri, client_id: pending.siteId, code_verifier: pending.verifier });
    return new Promise((resolve, reject) => {
      const request = http.request(
        {
          host: '127.0.0.1',
          port: instance.port,
          method: 'POST',
          path: new URL(discovery.token_endpoint).pathname,
          headers: { host: new URL(first.issuer).host, origin: SITE_ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown> }));
        },
      );
      request.on('error', reject);
      request.end(form.toString());
    });
  }

  it('gives tokens once, and revokes them', async () => {
    const browser = new TestBrowser();
    const started = await startEmailSignIn(browser, discovery, 'twice@example.com');
    const relay = await browser.post(`${first.issuer}/interaction/${started.uid}/email/code`, { code: codeIn(started.message!) });
    const code = relayParams(relay).get('code')!;

    const answers = await Promise.all([redeemAt(first, started.pending, code), redeemAt(second, started.pending, code)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400]);
    expect(answers.find((answer) => answer.status === 400)!.body).toMatchObject({ error: 'invalid_grant' });

    const token = String(answers.find((answer) => answer.status === 200)!.body['access_token']);
    const verifier = createVerifier({ issuer: first.issuer, audience: COMMENTS_URL, clientId: 'demo-blog' });
    let refused: unknown;
    // The revocation reaches a verifier within its polling interval (DESIGN.md: 5 seconds).
    for (let attempt = 0; attempt < 60 && !refused; attempt += 1) {
      refused = await verifier.verify(token).then(
        () => undefined,
        (error: unknown) => error,
      );
      if (!refused) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(refused).toMatchObject({ code: 'ERR_TOKEN_REVOKED' });
    // The code is dead on both instances.
    for (const instance of [first, second]) expect((await redeemAt(instance, started.pending, code)).status).toBe(400);
  });
});
