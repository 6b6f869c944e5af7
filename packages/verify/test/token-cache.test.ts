import { createVerifier } from '../src';
import { TokenCache } from '../src/token-cache';
import {
  AUDIENCE,
  SITE,
  FakeClock,
  FIXED_NOW_MS,
  fixtureKey,
  mintToken,
  startFixtureIssuer,
  type FixtureIssuer,
  type FixtureKey,
} from './helpers/issuer';

describe('TokenCache', () => {
  const NOW = 1_000_000;
  const LATER = NOW + 60_000;

  it('returns nothing for a token it has not seen', () => {
    expect(new TokenCache<string>(3).get('unseen', NOW)).toBeUndefined();
  });

  it('returns a stored value until its expiry instant, and nothing from then on', () => {
    const cache = new TokenCache<string>(3);
    cache.set('t', 'ada', LATER, NOW);

    expect(cache.get('t', LATER - 1)).toBe('ada');
    expect(cache.get('t', LATER)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('evicts the least recently used entry once full', () => {
    const cache = new TokenCache<string>(3);
    cache.set('a', 'A', LATER, NOW);
    cache.set('b', 'B', LATER, NOW);
    cache.set('c', 'C', LATER, NOW);
    cache.get('a', NOW);
    cache.set('d', 'D', LATER, NOW);

    expect(cache.size).toBe(3);
    expect(cache.get('b', NOW)).toBeUndefined();
    expect(['a', 'c', 'd'].map((token) => cache.get(token, NOW))).toEqual(['A', 'C', 'D']);
  });

  it('keeps exactly the most recently used entries through any mix of uses, new tokens and expiries', () => {
    // A reference model: the order of use as an array, oldest first.
    const model: Array<{ token: string; expiresAtMs: number }> = [];
    const cache = new TokenCache<string>(5);
    let seed = 7;
    const random = (below: number) => ((seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) >>> 16) % below;
    for (let step = 0; step < 5_000; step += 1) {
      const now = NOW + step;
      const token = `t${random(12)}`;
      const at = model.findIndex((entry) => entry.token === token);
      if (random(3) === 0) {
        const expiresAtMs = now + 1 + random(200);
        if (at >= 0) model.splice(at, 1);
        while (model.length >= 5) model.shift();
        model.push({ token, expiresAtMs });
        cache.set(token, token, expiresAtMs, now);
      } else {
        const entry = at >= 0 ? model.splice(at, 1)[0] : undefined;
        const alive = entry !== undefined && now < entry.expiresAtMs;
        if (alive) model.push(entry);
        expect(cache.get(token, now)).toBe(alive ? token : undefined);
      }
      expect(cache.size).toBe(model.length);
    }
  });

  it('never holds more than its maximum number of entries', () => {
    const cache = new TokenCache<number>(100);
    for (let i = 0; i < 1000; i += 1) cache.set(`token-${i}`, i, LATER, NOW);
    expect(cache.size).toBe(100);
    expect(cache.get('token-999', NOW)).toBe(999);
    expect(cache.get('token-899', NOW)).toBeUndefined();
  });

  it('stores nothing when its maximum is 0 or the entry has already expired', () => {
    const off = new TokenCache<string>(0);
    off.set('t', 'ada', LATER, NOW);
    const on = new TokenCache<string>(3);
    on.set('t', 'ada', NOW, NOW);

    expect(off.get('t', NOW)).toBeUndefined();
    expect(on.size).toBe(0);
  });
});

describe('the verifier remembers verified tokens', () => {
  let key: FixtureKey;
  let gateway: FixtureIssuer;
  let clock: FakeClock;

  beforeAll(async () => {
    key = await fixtureKey('RS256', 'cache-key');
    gateway = await startFixtureIssuer([key]);
  });

  afterAll(() => gateway.close());

  beforeEach(() => {
    clock = new FakeClock(FIXED_NOW_MS);
  });

  const verifierWith = (tokenCacheMaxEntries?: number) =>
    createVerifier({ issuer: gateway.issuer, audience: AUDIENCE, clientId: SITE, clock: clock.now, tokenCacheMaxEntries });

  it('returns the very same Commenter for a reused token instead of verifying it again', async () => {
    const verifier = verifierWith();
    const token = await mintToken(key, gateway.issuer, clock.nowSeconds);

    const first = await verifier.verify(token);
    clock.advanceSeconds(60);

    expect(await verifier.verify(token)).toBe(first);
  });

  it('verifies a reused token again when the cache is turned off', async () => {
    const verifier = verifierWith(0);
    const token = await mintToken(key, gateway.issuer, clock.nowSeconds);

    const first = await verifier.verify(token);

    const second = await verifier.verify(token);
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
  });

  it('forgets a token at its exp, then refuses it once the clock tolerance has passed', async () => {
    const verifier = verifierWith();
    const token = await mintToken(key, gateway.issuer, clock.nowSeconds);
    const first = await verifier.verify(token);

    clock.nowMs = first.expiresAt * 1000 - 1;
    expect(await verifier.verify(token)).toBe(first);

    clock.nowMs = first.expiresAt * 1000;
    const reverified = await verifier.verify(token);
    expect(reverified).not.toBe(first);

    clock.nowMs = (first.expiresAt + 30) * 1000;
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'ERR_TOKEN_EXPIRED' });
  });

  it('does not remember a refused token', async () => {
    const verifier = verifierWith();
    const token = await mintToken(key, gateway.issuer, clock.nowSeconds, { claims: { scope: 'openid' } });

    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'ERR_TOKEN_SCOPE' });
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'ERR_TOKEN_SCOPE' });
  });
});
