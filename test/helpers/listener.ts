import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback port bound before its app exists, so settings can name it (issuer, origins). */
export interface Listener {
  readonly port: number;
  serve(handler: http.RequestListener): void;
  close(): Promise<void>;
}

/** Binds 127.0.0.1:`port` (0: any free port); answers 503 until `serve` is given the app. */
export async function bindLoopback(port = 0): Promise<Listener> {
  let handler: http.RequestListener = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    serve(next) {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
