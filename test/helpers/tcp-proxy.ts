import net from 'node:net';

/**
 * A TCP relay on loopback between a service and one of its dependencies (PostgreSQL, Redis), so a
 * test can take that dependency away from this service alone — the shared servers keep running
 * for every other test — and give it back:
 *
 * - `stop()`: as the server stopping or its host going down: every open connection is reset and
 *   new ones are refused (ECONNREFUSED) until `start()`.
 * - `stall()`: as a server that hangs or a network that drops everything: connections stay open
 *   and new ones are accepted, but nothing passes either way until `resume()` (what was sent in
 *   the meantime is lost, as in a partition).
 */
export interface TcpProxy {
  readonly port: number;
  /** `url` with its host and port replaced by the relay's. */
  through(url: string): string;
  stop(): Promise<void>;
  start(): Promise<void>;
  stall(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  let stalled = false;

  const relay = (from: net.Socket, to: net.Socket) =>
    from.on('data', (chunk: Buffer) => {
      if (!stalled && !to.destroyed) to.write(chunk);
    });

  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    const pair = { client, upstream };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    relay(client, upstream);
    relay(upstream, client);
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });

  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        port = (server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  const stopListening = () =>
    new Promise<void>((resolve) => {
      for (const { client, upstream } of pairs) {
        client.resetAndDestroy();
        upstream.destroy();
      }
      pairs.clear();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });

  await listen();
  return {
    get port() {
      return port;
    },
    through(url) {
      const relayed = new URL(url);
      relayed.hostname = '127.0.0.1';
      relayed.port = String(port);
      return relayed.href;
    },
    stop: stopListening,
    start: listen,
    stall() {
      stalled = true;
    },
    resume() {
      stalled = false;
    },
    close: stopListening,
  };
}

/** Host and port of a dependency's URL (postgres://…, redis://…). */
export function hostAndPort(url: string, defaultPort: number): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: parsed.port === '' ? defaultPort : Number(parsed.port) };
}
