import { MemoryDpopReplayStore, ReplayStoreFullError } from '../src';
import { FakeClock, FIXED_NOW_MS } from './helpers/issuer';

describe('MemoryDpopReplayStore', () => {
  let clock: FakeClock;
  beforeEach(() => {
    clock = new FakeClock(FIXED_NOW_MS);
  });

  it('says a key is fresh once, then a replay until it expires, then fresh again', () => {
    const store = new MemoryDpopReplayStore(10, clock.now);
    expect(store.remember('k', FIXED_NOW_MS + 1_000)).toBe(true);
    expect(store.remember('k', FIXED_NOW_MS + 1_000)).toBe(false);
    clock.advanceSeconds(1);
    expect(store.remember('k', clock.nowMs + 1_000)).toBe(true);
  });

  it('drops expired keys as new ones come, so it stays as small as the window', () => {
    const store = new MemoryDpopReplayStore(1_000, clock.now);
    for (let i = 0; i < 100; i++) {
      store.remember(`k${i}`, clock.nowMs + 5_000);
      clock.advanceSeconds(1);
    }
    expect(store.size).toBeLessThanOrEqual(6);
  });

  it('refuses a new key when full of unexpired ones, rather than forget one', () => {
    const store = new MemoryDpopReplayStore(2, clock.now);
    store.remember('a', FIXED_NOW_MS + 60_000);
    store.remember('b', FIXED_NOW_MS + 60_000);
    expect(() => store.remember('c', FIXED_NOW_MS + 60_000)).toThrow(ReplayStoreFullError);
    expect(store.remember('a', FIXED_NOW_MS + 60_000)).toBe(false);
  });

  it('makes room from expired keys anywhere in it, not only at the front', () => {
    const store = new MemoryDpopReplayStore(2, clock.now);
    store.remember('long', FIXED_NOW_MS + 60_000);
    store.remember('short', FIXED_NOW_MS + 1_000);
    clock.advanceSeconds(2);
    expect(store.remember('new', clock.nowMs + 60_000)).toBe(true);
    expect(store.remember('long', clock.nowMs + 60_000)).toBe(false);
  });
});
