/**
 * Watches the requests this process makes with the global fetch (a verifier's polls of the
 * revocation feed, and its key fetches), so that a benchmark can make sure none is in flight, or
 * about to start, when it starts timing, and show afterwards that none started inside a timed
 * loop. The verifier's own code runs unchanged: the wrapper only takes notes.
 */
export interface FetchWatch {
  /** Requests not answered yet (the caller reads the small body right after the answer). */
  inFlight(): number;
  /** When (performance.now()) the latest request to a URL starting with `prefix` started. */
  lastStarted(prefix: string): number;
  /** When (performance.now()) every request started. */
  readonly started: readonly number[];
  restore(): void;
}

export function watchFetches(): FetchWatch {
  const original = globalThis.fetch;
  const started: number[] = [];
  const urls: string[] = [];
  let inFlight = 0;
  globalThis.fetch = async (...args: Parameters<typeof fetch>) => {
    started.push(performance.now());
    urls.push(args[0] instanceof Request ? args[0].url : String(args[0]));
    inFlight += 1;
    try {
      return await original(...args);
    } finally {
      inFlight -= 1;
    }
  };
  return {
    inFlight: () => inFlight,
    lastStarted: (prefix) => {
      for (let index = urls.length - 1; index >= 0; index -= 1) if (urls[index]!.startsWith(prefix)) return started[index]!;
      return Number.NEGATIVE_INFINITY;
    },
    started,
    restore: () => (globalThis.fetch = original),
  };
}
