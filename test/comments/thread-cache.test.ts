import { serialisedThread, ThreadCache, type SerialisedThread } from '../../src/comments/thread-cache';

/** The cache on its own: generations (the read/write race), the byte bound, the validators. */

function thread(text: string): SerialisedThread {
  return serialisedThread(Buffer.from(text));
}

/** A body of exactly `bytes` bytes, different for each `tag`. */
function threadOfSize(bytes: number, tag: string): SerialisedThread {
  return thread(tag.padEnd(bytes, '.'));
}

describe('the thread cache', () => {
  describe('a read and a write racing', () => {
    it('refuses to store a body read before the post was invalidated, and keeps serving fresh reads', () => {
      const cache = new ThreadCache();
      // A GET misses and takes the generation, then reads the old rows...
      const staleRead = cache.generation();
      // ...a POST commits and invalidates the post before that GET stores its body.
      cache.invalidatePost('demo-blog', 'race');
      expect(cache.store('demo-blog', 'race', staleRead, thread('{"comments":["old"]}'))).toBe(false);
      expect(cache.get('demo-blog', 'race')).toBeUndefined();

      // A read that began after the invalidation saw the write: its body is kept.
      const freshRead = cache.generation();
      const fresh = thread('{"comments":["old","new"]}');
      expect(cache.store('demo-blog', 'race', freshRead, fresh)).toBe(true);
      expect(cache.get('demo-blog', 'race')).toBe(fresh);
    });

    it('refuses a body read before everything was invalidated (another process wrote)', () => {
      const cache = new ThreadCache();
      const staleRead = cache.generation();
      cache.invalidateAll();
      expect(cache.store('demo-blog', 'race-all', staleRead, thread('old'))).toBe(false);
      expect(cache.get('demo-blog', 'race-all')).toBeUndefined();
    });

    it('lets an invalidation of one post spoil only reads of that post', () => {
      const cache = new ThreadCache();
      const read = cache.generation();
      cache.invalidatePost('demo-blog', 'written');
      expect(cache.store('demo-blog', 'untouched', read, thread('untouched'))).toBe(true);
      expect(cache.store('other-blog', 'written', read, thread('same post id, other site'))).toBe(true);
      expect(cache.store('demo-blog', 'written', read, thread('written'))).toBe(false);
    });

    it('still refuses a stale body after forgetting a great many per-post invalidations', () => {
      const cache = new ThreadCache();
      const staleRead = cache.generation();
      cache.invalidatePost('demo-blog', 'race');
      for (let i = 0; i < 20_000; i++) cache.invalidatePost('demo-blog', `busy-${i}`);
      expect(cache.store('demo-blog', 'race', staleRead, thread('old'))).toBe(false);
    });

    it('drops the entry of a post when it is invalidated, and everything on invalidateAll', () => {
      const cache = new ThreadCache();
      cache.store('demo-blog', 'a', cache.generation(), thread('a'));
      cache.store('demo-blog', 'b', cache.generation(), thread('b'));
      cache.invalidatePost('demo-blog', 'a');
      expect(cache.get('demo-blog', 'a')).toBeUndefined();
      expect(cache.get('demo-blog', 'b')?.body.toString()).toBe('b');
      cache.invalidateAll();
      expect(cache.get('demo-blog', 'b')).toBeUndefined();
      expect(cache.byteSize).toBe(0);
    });
  });

  describe('the byte bound', () => {
    /** A cache whose bound counts bodies only (no overhead per entry), so the sizes below are exact. */
    const bodiesOnly = (maxBytes: number) => new ThreadCache(maxBytes, 0);

    it('evicts the least recently used entries first, counting a hit as a use', () => {
      const cache = bodiesOnly(300);
      cache.store('demo-blog', 'first', cache.generation(), threadOfSize(100, 'first'));
      cache.store('demo-blog', 'second', cache.generation(), threadOfSize(100, 'second'));
      cache.store('demo-blog', 'third', cache.generation(), threadOfSize(100, 'third'));
      // Reading "first" makes "second" the least recently used.
      expect(cache.get('demo-blog', 'first')).toBeDefined();

      cache.store('demo-blog', 'fourth', cache.generation(), threadOfSize(100, 'fourth'));
      expect(cache.get('demo-blog', 'second')).toBeUndefined();
      expect(cache.get('demo-blog', 'first')).toBeDefined();
      expect(cache.get('demo-blog', 'third')).toBeDefined();
      expect(cache.get('demo-blog', 'fourth')).toBeDefined();
      expect(cache.byteSize).toBe(300);

      // One big body pushes out as many old ones as it needs, oldest first ("first" was read
      // before "third" and "fourth" just above).
      cache.store('demo-blog', 'big', cache.generation(), threadOfSize(200, 'big'));
      expect(cache.get('demo-blog', 'first')).toBeUndefined();
      expect(cache.get('demo-blog', 'third')).toBeUndefined();
      expect(cache.get('demo-blog', 'fourth')).toBeDefined();
      expect(cache.get('demo-blog', 'big')).toBeDefined();
      expect(cache.byteSize).toBe(300);
    });

    it('counts a replaced entry once', () => {
      const cache = bodiesOnly(300);
      cache.store('demo-blog', 'post', cache.generation(), threadOfSize(100, 'v1'));
      cache.store('demo-blog', 'post', cache.generation(), threadOfSize(150, 'v2'));
      expect(cache.byteSize).toBe(150);
      expect(cache.get('demo-blog', 'post')?.body.toString()).toMatch(/^v2/);
    });

    it('counts each entry\'s key and overhead, so GETs of made-up posts cannot fill memory', () => {
      const cache = new ThreadCache(100 * 1024);
      for (let i = 0; i < 10_000; i++) cache.store('demo-blog', `made-up-post-${i}`, cache.generation(), thread('{"comments":[]}'));
      // Each costs 15 bytes of body and 1.5 KiB for its key and bookkeeping: under seventy fit.
      expect(cache.byteSize).toBeLessThanOrEqual(100 * 1024);
      expect(cache.get('demo-blog', 'made-up-post-9999')).toBeDefined();
      expect(cache.get('demo-blog', 'made-up-post-9900')).toBeUndefined();
    });

    it('does not keep a body bigger than the whole bound, nor evict anything for it', () => {
      const cache = bodiesOnly(300);
      cache.store('demo-blog', 'small', cache.generation(), threadOfSize(100, 'small'));
      expect(cache.store('demo-blog', 'huge', cache.generation(), threadOfSize(301, 'huge'))).toBe(false);
      expect(cache.get('demo-blog', 'huge')).toBeUndefined();
      expect(cache.get('demo-blog', 'small')).toBeDefined();
      expect(cache.byteSize).toBe(100);
    });
  });

  describe('the ETag', () => {
    it('is strong, the same for the same bytes, and different for different bytes', () => {
      const etag = thread('{"comments":[]}').etag;
      expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
      expect(thread('{"comments":[]}').etag).toBe(etag);
      expect(thread('{"comments":[1]}').etag).not.toBe(etag);
    });
  });
});
