/**
 * Remembers verified tokens until they expire, so a commenter posting several comments with one
 * token pays for one signature check.
 *
 * - Keyed by the whole token string: a key derived from part of it (say the signature) would let a
 *   forged header or payload borrow a genuine token's entry. Only gateway-signed tokens get in, so
 *   a key is about 1 KiB and the cache stays near `maxEntries` KiB.
 * - Least recently used entries go first once `maxEntries` is reached (a Map iterates in insertion
 *   order, so re-inserting on a hit keeps the oldest first).
 * - An entry is gone at its expiry instant; after that the token is verified afresh (and then
 *   refused once the clock tolerance has passed too).
 */
export class TokenCache<T> {
  readonly #entries = new Map<string, { readonly value: T; readonly expiresAtMs: number }>();

  constructor(readonly maxEntries: number) {}

  get size(): number {
    return this.#entries.size;
  }

  get(token: string, nowMs: number): T | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    this.#entries.delete(token);
    if (nowMs >= entry.expiresAtMs) return undefined;
    this.#entries.set(token, entry);
    return entry.value;
  }

  set(token: string, value: T, expiresAtMs: number, nowMs: number): void {
    if (this.maxEntries <= 0 || nowMs >= expiresAtMs) return;
    this.#entries.delete(token);
    while (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
    this.#entries.set(token, { value, expiresAtMs });
  }
}
