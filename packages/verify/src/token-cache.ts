/**
 * Remembers verified tokens until they expire, so a commenter posting several comments with one
 * token pays for one signature check.
 *
 * - Keyed by the whole token string: a key derived from part of it (say the signature) would let a
 *   forged header or payload borrow a genuine token's entry. Only gateway-signed tokens get in, so
 *   a key is about 1 KiB and the cache stays near `maxEntries` KiB.
 * - Least recently used entries go first once `maxEntries` is reached. The order of use is a
 *   doubly linked list beside the Map, so a hit moves two pointers and leaves the Map alone. (It
 *   used to delete and re-insert the Map entry: in V8 each delete leaves a tombstone in the key's
 *   hash bucket until the table is rebuilt, so a token used again and again walked a chain of its
 *   own tombstones, and a hit cost ~3 µs with 1,500 entries and ~25 µs with the default 10,000,
 *   as much as verifying a fresh token.)
 * - An entry is gone at its expiry instant; after that the token is verified afresh (and then
 *   refused once the clock tolerance has passed too).
 */
interface Entry<T> {
  readonly token: string;
  readonly value: T;
  readonly expiresAtMs: number;
  older: Entry<T> | undefined;
  newer: Entry<T> | undefined;
}

export class TokenCache<T> {
  readonly #entries = new Map<string, Entry<T>>();
  /** The two ends of the order of use. */
  #oldest: Entry<T> | undefined;
  #newest: Entry<T> | undefined;

  constructor(readonly maxEntries: number) {}

  get size(): number {
    return this.#entries.size;
  }

  get(token: string, nowMs: number): T | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    if (nowMs >= entry.expiresAtMs) {
      this.#remove(entry);
      return undefined;
    }
    if (entry !== this.#newest) {
      this.#unlink(entry);
      this.#append(entry);
    }
    return entry.value;
  }

  set(token: string, value: T, expiresAtMs: number, nowMs: number): void {
    if (this.maxEntries <= 0 || nowMs >= expiresAtMs) return;
    const existing = this.#entries.get(token);
    if (existing !== undefined) this.#remove(existing);
    while (this.#entries.size >= this.maxEntries) this.#remove(this.#oldest!);
    const entry: Entry<T> = { token, value, expiresAtMs, older: undefined, newer: undefined };
    this.#entries.set(token, entry);
    this.#append(entry);
  }

  #remove(entry: Entry<T>): void {
    this.#entries.delete(entry.token);
    this.#unlink(entry);
  }

  #unlink(entry: Entry<T>): void {
    if (entry.older === undefined) this.#oldest = entry.newer;
    else entry.older.newer = entry.newer;
    if (entry.newer === undefined) this.#newest = entry.older;
    else entry.newer.older = entry.older;
    entry.older = undefined;
    entry.newer = undefined;
  }

  #append(entry: Entry<T>): void {
    entry.older = this.#newest;
    if (this.#newest === undefined) this.#oldest = entry;
    else this.#newest.newer = entry;
    this.#newest = entry;
  }
}
