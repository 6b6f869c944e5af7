import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/**
 * A service's own Prometheus registry: process and Node metrics (prom-client's defaults: CPU,
 * memory, event loop lag, GC, handles) and the HTTP request duration histogram. Never the global
 * default registry, so two services in one process (the demo, the tests) keep their counts apart.
 */
export interface ServiceMetrics {
  readonly registry: Registry;
  /** parley_http_request_duration_seconds{method, route, status_class} */
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status_class'>;
}

/** From 5 ms to 10 s: a cached thread read to a slow upstream provider's sign-in. */
const DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createServiceMetrics(): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpRequestDuration = new Histogram({
    name: 'parley_http_request_duration_seconds',
    help: 'Time from a request arriving to its response being sent, by route pattern and status class',
    labelNames: ['method', 'route', 'status_class'] as const,
    buckets: DURATION_BUCKETS_SECONDS,
    registers: [registry],
  });
  return { registry, httpRequestDuration };
}
