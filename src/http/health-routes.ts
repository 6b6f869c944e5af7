import { Router, type RequestHandler } from 'express';
import type { Kysely } from 'kysely';
import { probeWrites } from '../store/write-probe';

/** What a load balancer should wait before asking a service that is not ready again. */
export const NOT_READY_RETRY_AFTER_SECONDS = 5;

export interface HealthRoutesOptions<Schema> {
  /** The service, first word of its log lines: `gateway`, `comments`. */
  readonly service: string;
  /** The service's own database: its one dependency today. */
  readonly db: Kysely<Schema>;
  /** Where a failed readiness check is reported, one line each; default console.error. */
  readonly log?: (line: string) => void;
}

/**
 * The probes of the public contract, the same on every service:
 *
 * - GET /healthz: the process serves. Always 200 while it runs (for a supervisor deciding to
 *   restart it).
 * - GET /readyz: every dependency can do its job, which today means its database takes a write
 *   (see probeWrites); else 503 with Retry-After and `{ status: 'unavailable' }` (for a load
 *   balancer deciding to send it traffic), and a log line with the reason.
 * - GET /health: the older name, kept for existing users; the same answer as /readyz.
 *
 * No answer may be cached: each probe must see the present.
 */
export function healthRoutes<Schema>(options: HealthRoutesOptions<Schema>): Router {
  const log = options.log ?? ((line: string) => console.error(line));
  const router = Router();
  router.get('/healthz', (_req, res) => void res.set('Cache-Control', 'no-store').json({ status: 'ok' }));
  const readiness: RequestHandler = async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    try {
      await probeWrites(options.db);
      res.json({ status: 'ok' });
    } catch (error) {
      log(`${options.service}: not ready: the database cannot take a write: ${error instanceof Error ? error.message : String(error)}`);
      res.set('Retry-After', String(NOT_READY_RETRY_AFTER_SECONDS)).status(503).json({ status: 'unavailable' });
    }
  };
  router.get(['/readyz', '/health'], readiness);
  return router;
}
