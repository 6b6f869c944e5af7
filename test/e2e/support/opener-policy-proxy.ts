import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback proxy in front of a provider emulator that can add a Cross-Origin-Opener-Policy
 * to its pages, as real providers may: a popup that passes through such a page loses its
 * `window.opener` for good, and the widget must still get its answer.
 */
export interface OpenerPolicyProxy {
  /** The proxy's origin, e.g. http://127.0.0.1:PORT. */
  readonly url: string;
  /** The policy added to every response from now on; undefined adds none. */
  policy: string | undefined;
  close(): Promise<void>;
}

export async function startOpenerPolicyProxy(target: string): Promise<OpenerPolicyProxy> {
  const upstream = new URL(target);
  const proxy: { policy: string | undefined } = { policy: undefined };
  const server = http.createServer((req, res) => {
    // The Host header travels unchanged: OAuth 1.0a signatures cover the URL the client used.
    const forward = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      const headers = { ...answer.headers };
      if (proxy.policy) headers['cross-origin-opener-policy'] = proxy.policy;
      res.writeHead(answer.statusCode ?? 502, headers);
      answer.pipe(res);
    });
    forward.on('error', () => {
      res.statusCode = 502;
      res.end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get policy() {
      return proxy.policy;
    },
    set policy(value) {
      proxy.policy = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
