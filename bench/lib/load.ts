import autocannon from 'autocannon';

export interface LoadResult {
  readonly requestsPerSecond: number;
  /** Responses received in the whole run (2xx or not). */
  readonly completed: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
}

export interface LoadOptions {
  readonly url: string;
  readonly method?: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** A different Authorization header, body or path (with query) per request, cycled. */
  readonly perRequest?: () => { headers?: Record<string, string>; body?: string; path?: string };
  readonly seconds: number;
  readonly connections?: number;
}

/**
 * Load over loopback with autocannon. The server under test runs in another process (see
 * servers/), so the load generator does not share its event loop.
 */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
    duration: options.seconds,
    connections: options.connections ?? 16,
    pipelining: 1,
    ...(options.perRequest
      ? {
          requests: [
            {
              setupRequest: (request: Record<string, unknown>) => {
                const extra = options.perRequest!();
                return { ...request, headers: { ...options.headers, ...(request['headers'] as object), ...extra.headers }, ...(extra.body ? { body: extra.body } : {}), ...(extra.path ? { path: extra.path } : {}) };
              },
            },
          ],
        }
      : {}),
  } as autocannon.Options);
  return {
    requestsPerSecond: result.requests.average,
    completed: result.requests.total,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** Runs a load twice and keeps the better run: a noisy neighbour only ever makes numbers worse. */
export async function bestOf(runs: number, options: LoadOptions): Promise<LoadResult> {
  let best: LoadResult | undefined;
  for (let i = 0; i < runs; i++) {
    const result = await load(options);
    if (!best || result.requestsPerSecond > best.requestsPerSecond) best = result;
  }
  return best!;
}
