import type { RequestHandler } from 'express';
import type { ServiceMetrics } from './metrics-registry';
import { methodLabel } from './request-log';
import { routeOf } from './request-route';

/** `2xx`, `4xx`…: one label per class keeps the series few; the log line has the exact status. */
export function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}

/**
 * Observes every request's duration in parley_http_request_duration_seconds, labelled by method,
 * route pattern (see request-route.ts: never the URL, so the series stay few) and status class.
 */
export function httpMetrics(metrics: ServiceMetrics): RequestHandler {
  return (req, res, next) => {
    const stop = metrics.httpRequestDuration.startTimer();
    res.once('close', () => {
      stop({ method: methodLabel(req.method), route: routeOf(req, res), status_class: statusClass(res.statusCode) });
    });
    next();
  };
}
