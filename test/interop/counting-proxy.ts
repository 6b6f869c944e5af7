import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A forward HTTP proxy on loopback that counts, by path, every request passing through it to the
 * gateway. The Python verifier is started with `http_proxy` pointing here (urllib honours it), so
 * the counts are exactly the requests that verifier makes of the gateway: discovery, JWKS, feed.
 */
export interface CountingProxy {
  readonly url: string;
  /** Requests seen for `path` (query string ignored). */
  count(path: string): number;
  /** Every request seen, as "METHOD path". */
  readonly seen: readonly string[];
  close(): Promise<void>;
}

export async function startCountingProxy(): Promise<CountingProxy> {
  const seen: string[] = [];
  const server = http.createServer((request, response) => {
    // A forward proxy receives the absolute URL in the request line.
    const target = new URL(request.url ?? '/');
    seen.push(`${request.method} ${target.pathname}`);
    const upstream = http.request(target, { method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', () => response.writeHead(502).end());
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    count: (path) => seen.filter((entry) => entry.split(' ')[1] === path).length,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
