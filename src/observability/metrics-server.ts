import type { Registry } from 'prom-client';
import { listen, type RunningServer } from '../http/listen';

/**
 * The metrics listener: GET /metrics in Prometheus's text format, on a port of its own
 * (PARLEY_METRICS_PORT), bound to loopback unless PARLEY_METRICS_HOST says otherwise. It is never
 * on the public port: the numbers say who signs in how often, which is nobody else's business.
 */
export function serveMetrics(registry: Registry, port: number, host: string): Promise<RunningServer> {
  return listen((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      () => res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n'),
    );
  }, port, host);
}
