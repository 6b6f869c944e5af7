import { strongEtag } from '../http/etag';

/**
 * The serialised answer to `GET .../comments`, kept per post. Reading, presenting and serialising
 * a thread of thousands of comments costs milliseconds on every request, while a thread changes
 * rarely; the cache makes that cost once per change instead of once per request.
 *
 * Correctness comes before speed: a GET must never be answered with a thread older than a write
 * that finished before the GET began. So:
 *
 * - A write by this process drops its post's entry once it has committed (`invalidatePost`).
 * - A write by another process (the moderation commands) drops everything (`invalidateAll`),
 *   as soon as outside-writes.ts notices it.
 * - A read that started before an invalidation may have seen the old rows: it must not store
 *   its body afterwards. Every invalidation advances a generation counter and remembers, per
 *   post, the generation it happened at. A reader takes `generation()` before reading the rows
 *   and hands it to `store`, which refuses the body when the post (or everything) was
 *   invalidated since.
 *
 * The cache holds at most `maxBytes` and evicts the least recently used entries first; a body
 * bigger than the whole bound is served but not kept. An entry costs its body plus a fixed
 * overhead for its key and bookkeeping: counting bodies alone, anyone could fill memory with GETs of made-up posts,
 * each an empty thread of 15 bytes that really costs ~900 bytes of memory.
 */

/** Enough for the hottest threads of a busy blog without dominating the service's memory. */
export const DEFAULT_THREAD_CACHE_BYTES = 32 * 2 ** 20;

/**
 * Per-post invalidations are remembered only for readers still in flight, but the cache does not
 * track readers; past this many, it forgets them all and refuses every read begun before (see
 * `forgetPostInvalidations`). Reads last milliseconds, so this only costs a few missed stores.
 */
const MAX_REMEMBERED_POST_INVALIDATIONS = 10_000;

/**
 * What an entry costs besides its body: the Map slot, Buffer and ETag (~880 bytes, measured with
 * short keys) and its key (a post id of up to 200 characters, two bytes each at worst).
 */
export const ENTRY_OVERHEAD_BYTES = 1536;

/** A response body ready to send, with its validator. */
export interface SerialisedThread {
  /** The JSON response body, exactly the bytes sent. */
  readonly body: Buffer;
  /** A strong ETag: two equal ETags mean byte-identical bodies, so a 304 is always right. */
  readonly etag: string;
}

export function serialisedThread(body: Buffer): SerialisedThread {
  return { body, etag: strongEtag(body) };
}

/** What `generation()` returns: only meaningful when handed back to `store`. */
export type ThreadGeneration = number;

function keyOf(siteId: string, postId: string): string {
  // Neither site ids nor post ids can contain a space (sites.ts, POST_ID_PATTERN), so the key is unambiguous.
  return `${siteId} ${postId}`;
}

export class ThreadCache {
  /** In least-recently-used order: a Map iterates in insertion order, and a hit re-inserts. */
  private readonly entries = new Map<string, { readonly thread: SerialisedThread; readonly cost: number }>();
  private bytes = 0;
  /** Advances on every invalidation. */
  private currentGeneration = 0;
  /** The generation of each post's latest invalidation that a reader in flight may not know of. */
  private readonly postInvalidatedAt = new Map<string, ThreadGeneration>();
  /** Reads begun before this generation may not store: everything was invalidated since. */
  private readsValidFrom = 0;

  constructor(
    readonly maxBytes: number = DEFAULT_THREAD_CACHE_BYTES,
    private readonly entryOverheadBytes: number = ENTRY_OVERHEAD_BYTES,
  ) {}

  /** What the entries held cost, by the measure `maxBytes` bounds. */
  get byteSize(): number {
    return this.bytes;
  }

  /** The post's cached thread, which becomes the most recently used. */
  get(siteId: string, postId: string): SerialisedThread | undefined {
    const key = keyOf(siteId, postId);
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry?.thread;
  }

  /** Take this before reading the rows a body is made of, and pass it to `store`. */
  generation(): ThreadGeneration {
    return this.currentGeneration;
  }

  /**
   * Keeps `thread` for the post, unless the post was invalidated after `readGeneration` was
   * taken (its rows may predate that write) or it is bigger than the whole cache. True if kept.
   */
  store(siteId: string, postId: string, readGeneration: ThreadGeneration, thread: SerialisedThread): boolean {
    const key = keyOf(siteId, postId);
    if (readGeneration < this.readsValidFrom || (this.postInvalidatedAt.get(key) ?? 0) > readGeneration) return false;
    this.remove(key);
    const cost = thread.body.length + this.entryOverheadBytes;
    if (cost > this.maxBytes) return false;
    this.entries.set(key, { thread, cost });
    this.bytes += cost;
    this.evictDownTo(this.maxBytes);
    return true;
  }

  /** After a write to one post has committed. */
  invalidatePost(siteId: string, postId: string): void {
    const key = keyOf(siteId, postId);
    this.currentGeneration += 1;
    this.remove(key);
    // Re-inserted so that the oldest invalidations come first, should they need forgetting.
    this.postInvalidatedAt.delete(key);
    this.postInvalidatedAt.set(key, this.currentGeneration);
    if (this.postInvalidatedAt.size > MAX_REMEMBERED_POST_INVALIDATIONS) this.forgetPostInvalidations();
  }

  /** After a write of unknown extent (another process committed): nothing cached can be trusted. */
  invalidateAll(): void {
    this.currentGeneration += 1;
    this.entries.clear();
    this.bytes = 0;
    this.forgetPostInvalidations();
  }

  /** Every read begun so far is refused at `store`, so the per-post record is no longer needed. */
  private forgetPostInvalidations(): void {
    this.readsValidFrom = this.currentGeneration;
    this.postInvalidatedAt.clear();
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.bytes -= entry.cost;
  }

  private evictDownTo(maxBytes: number): void {
    for (const [key, entry] of this.entries) {
      if (this.bytes <= maxBytes) return;
      this.entries.delete(key);
      this.bytes -= entry.cost;
    }
  }
}
