/**
 * Replay protection for OAuth 1.0a (RFC 5849 §3.3): a timestamp must be close to the server's
 * clock, and a nonce may be used once per (client, token, timestamp). Because stale timestamps
 * are refused, nonces only need remembering for the width of the window.
 */

/** Twitter does not publish its tolerance; five minutes each way is the common choice. */
export const DEFAULT_TIMESTAMP_WINDOW_SECONDS = 5 * 60;

export interface NonceUse {
  readonly consumerKey: string;
  readonly token: string | undefined;
  readonly timestamp: number;
  readonly nonce: string;
}

export class NonceTimestampGuard {
  /** Key of each remembered use, mapped to its timestamp so old ones can be forgotten. */
  readonly #seen = new Map<string, number>();

  constructor(readonly windowSeconds: number = DEFAULT_TIMESTAMP_WINDOW_SECONDS) {}

  /** RFC 5849 §3.3: "The timestamp value MUST be a positive integer." */
  static parseTimestamp(value: string): number | undefined {
    return /^[1-9][0-9]{0,15}$/.test(value) ? Number(value) : undefined;
  }

  isFresh(timestampSeconds: number, nowSeconds: number): boolean {
    return Math.abs(nowSeconds - timestampSeconds) <= this.windowSeconds;
  }

  /** Records a use; false when the same combination was already seen (a replay). */
  remember(use: NonceUse, nowSeconds: number): boolean {
    this.#forgetOlderThan(nowSeconds - this.windowSeconds);
    const key = JSON.stringify([use.consumerKey, use.token ?? '', use.timestamp, use.nonce]);
    if (this.#seen.has(key)) return false;
    this.#seen.set(key, use.timestamp);
    return true;
  }

  get size(): number {
    return this.#seen.size;
  }

  #forgetOlderThan(oldestSeconds: number): void {
    for (const [key, timestamp] of this.#seen) {
      if (timestamp < oldestSeconds) this.#seen.delete(key);
    }
  }
}
