import type { Redis } from 'ioredis';
import { openRedis } from '../../src/store/redis';
import { RedisRateLimiter } from '../../src/store/redis-rate-limits';
import { RedisSessionStore } from '../../src/store/redis-session-store';
import type session from 'express-session';
import { testRedis } from '../helpers/redis';

/** The Redis stores as two instances (two connections, one prefix) see them. */
describe('Redis stores shared by instances', () => {
  let one: Redis;
  let two: Redis;

  beforeEach(async () => {
    const { url, prefix } = testRedis(expect.getState().currentTestName!.replace(/\W+/g, '-'))!;
    [one, two] = await Promise.all([openRedis(url, prefix), openRedis(url, prefix)]);
  });
  afterEach(() => {
    one.disconnect();
    two.disconnect();
  });

  it('holds one rate limit across instances, per key, and says when it resets', async () => {
    const rule = { limit: 5, windowSeconds: 60 };
    const limiters = [new RedisRateLimiter(one), new RedisRateLimiter(two)];
    const decisions = [];
    for (let hit = 0; hit < 7; hit += 1) decisions.push(await limiters[hit % 2]!.hit('email|a@example.com', rule));
    expect(decisions.map((decision) => decision.allowed)).toEqual([true, true, true, true, true, false, false]);
    expect(decisions[6]!.retryAfterSeconds).toBeGreaterThan(55);
    expect(decisions[6]!.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect((await limiters[1]!.hit('email|b@example.com', rule)).allowed).toBe(true);
    // Another rule on the same key counts apart.
    expect((await limiters[0]!.hit('email|a@example.com', { limit: 10, windowSeconds: 3600 })).allowed).toBe(true);
  });

  it('starts a new window once the old one has passed', async () => {
    const limiter = new RedisRateLimiter(one);
    const rule = { limit: 1, windowSeconds: 1 };
    expect((await limiter.hit('short', rule)).allowed).toBe(true);
    expect((await limiter.hit('short', rule)).allowed).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await limiter.hit('short', rule)).allowed).toBe(true);
  });

  it('lets a session saved through one instance be read and ended through another', async () => {
    const stores = [new RedisSessionStore(one), new RedisSessionStore(two)];
    const call = <T>(run: (done: (error: unknown, value?: T) => void) => void) =>
      new Promise<T | undefined>((resolve, reject) => run((error, value) => (error ? reject(error as Error) : resolve(value))));
    const data = { cookie: { expires: new Date(Date.now() + 60_000) }, handshakes: { twitter: {} } } as unknown as session.SessionData;
    await call((done) => stores[0]!.set('sid-1', data, done));
    const read = await call<session.SessionData | null>((done) => stores[1]!.get('sid-1', done));
    expect(read).toMatchObject({ handshakes: { twitter: {} } });
    expect(await two.pttl('session:sid-1')).toBeGreaterThan(55_000);
    await call((done) => stores[1]!.destroy('sid-1', done));
    expect(await call((done) => stores[0]!.get('sid-1', done))).toBeNull();
    // A session whose cookie has already expired is not kept.
    await call((done) => stores[0]!.set('sid-2', { cookie: { expires: new Date(Date.now() - 1) } } as unknown as session.SessionData, done));
    expect(await one.exists('session:sid-2')).toBe(0);
  });

  it('indexes a signed-in session by account in a set that expires with its longest-lived session, never lives forever', async () => {
    const store = new RedisSessionStore(one);
    const save = (sid: string, lifetimeMs: number) =>
      new Promise<void>((resolve, reject) =>
        store.set(sid, { cookie: { expires: new Date(Date.now() + lifetimeMs) }, passport: { user: 'acct-ttl' } } as unknown as session.SessionData, (error) =>
          error ? reject(error as Error) : resolve(),
        ),
      );
    await save('sid-long', 120_000);
    const first = await one.pttl('account-sessions:acct-ttl');
    expect(first).toBeGreaterThan(110_000);
    expect(first).toBeLessThanOrEqual(120_000);
    // A shorter session later does not shorten the index; a longer one lengthens it.
    await save('sid-short', 10_000);
    expect(await one.pttl('account-sessions:acct-ttl')).toBeGreaterThan(100_000);
    await save('sid-longer', 600_000);
    expect(await one.pttl('account-sessions:acct-ttl')).toBeGreaterThan(590_000);
    expect((await one.smembers('account-sessions:acct-ttl')).sort()).toEqual(['sid-long', 'sid-longer', 'sid-short']);
  });

  it('refuses to start against a Redis that does not answer, naming REDIS_URL', async () => {
    await expect(openRedis('redis://127.0.0.1:1', 'x:')).rejects.toMatchObject({ setting: 'REDIS_URL', message: expect.stringMatching(/Redis cannot be used/) });
  });
});
