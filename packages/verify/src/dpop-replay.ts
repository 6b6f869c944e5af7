/**
 * The DPoP proofs already used (RFC 9449 §11.1): a proof is single-use, so its `jti` is
 * remembered for as long as its `iat` would still be accepted, and a second use is refused.
 *
 * The store is pluggable: one process keeps proofs in memory (MemoryDpopReplayStore, the
 * default); several instances of a service behind one load balancer must share a store (a
 * database table, Redis `SET NX PX`), or a proof refused by one instance could be replayed to
 * another. A store that cannot answer makes the request fail with 503: a replay check that is
 * skipped is no check.
 */
export interface DpopReplayStore {
  /**
   * Records `key` (the token's key thumbprint and the proof's `jti`) as used until `expiresAtMs`
   * (milliseconds since the epoch). True when it was not recorded before: the proof is fresh.
   * False when it was: a replay. Rejects (or throws) when the store cannot tell.
   */
  remember(key: string, expiresAtMs: number): boolean | Promise<boolean>;
}

/** Thrown by MemoryDpopReplayStore when every entry is a proof still young enough to be replayed. */
export class ReplayStoreFullError extends Error {
  override readonly name = 'ReplayStoreFullError';
}

/** A full pass over the entries at most this often, when the store is full. */
const FULL_SWEEP_INTERVAL_MS = 1_000;

/**
 * Used proofs in this process's memory, at most `maxEntries` of them.
 *
 * - Entries go in roughly in order of expiry (every proof gets the same window), so expired ones
 *   are dropped from the front of the Map's insertion order as new ones arrive: amortised O(1).
 * - When it is full of proofs still in their window it refuses (ReplayStoreFullError, a 503),
 *   rather than forget one: forgetting is exactly what a replay needs, and an attacker with a
 *   token of their own could fill the store on purpose to get it. The default size holds a
 *   minute's worth of 1,500 proofs a second.
 */
export class MemoryDpopReplayStore implements DpopReplayStore {
  readonly #expiries = new Map<string, number>();
  #lastFullSweepMs = Number.NEGATIVE_INFINITY;

  constructor(
    readonly maxEntries: number,
    private readonly clock: () => number = Date.now,
  ) {}

  get size(): number {
    return this.#expiries.size;
  }

  remember(key: string, expiresAtMs: number): boolean {
    const nowMs = this.clock();
    const known = this.#expiries.get(key);
    if (known !== undefined && known > nowMs) return false;
    if (known !== undefined) this.#expiries.delete(key);
    this.#dropExpiredFromFront(nowMs);
    if (this.#expiries.size >= this.maxEntries && nowMs - this.#lastFullSweepMs >= FULL_SWEEP_INTERVAL_MS) {
      this.#lastFullSweepMs = nowMs;
      for (const [entry, expiry] of this.#expiries) if (expiry <= nowMs) this.#expiries.delete(entry);
    }
    if (this.#expiries.size >= this.maxEntries) {
      throw new ReplayStoreFullError(`the DPoP replay store holds ${this.maxEntries} proofs still in their window`);
    }
    this.#expiries.set(key, expiresAtMs);
    return true;
  }

  #dropExpiredFromFront(nowMs: number): void {
    for (const [entry, expiry] of this.#expiries) {
      if (expiry > nowMs) return;
      this.#expiries.delete(entry);
    }
  }
}
