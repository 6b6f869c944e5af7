import { Router, type RequestHandler } from 'express';
import type { Kysely } from 'kysely';
import { probeWrites } from '../store/write-probe';

/** What a load balancer should wait before asking a service that is not ready again. */
export const NOT_READY_RETRY_AFTER_SECONDS = 5;

/** One more dependency /readyz asks: `check` resolves when it can do its job now. */
export interface DependencyCheck {
  /** In the log line when it fails: `Redis`. */
  readonly name: string;
  check(): Promise<unknown>;
}

export interface HealthRoutesOptions<Schema> {
  /** The service, first word of its log lines: `gateway`, `comments`. */
  readonly service: string;
  /** The service's own database: it must take a write. */
  readonly db: Kysely<Schema>;
  /** Its other dependencies (Redis, when configured), each of which must answer. */
  readonly dependencies?: readonly DependencyCheck[];
  /** Where a failed readiness check is reported, one line each; default console.error. */
  readonly log?: (line: string) => void;
}

/**
 * The probes of the public contract, the same on every service:
 *
 * - GET /healthz: the process serves. Always 200 while it runs (for a supervisor deciding to
 *   restart it).
 * - GET /readyz: every dependency can do its job: its database takes a write (see probeWrites) and
 *   every other dependency answers (Redis: PING), each within DEPENDENCY_TIMEOUTS; else 503 with Retry-After and `{ status: 'unavailable' }` (for a load
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
    const checks: DependencyCheck[] = [{ name: 'the database', check: () => probeWrites(options.db) }, ...(options.dependencies ?? [])];
    const failures = (await Promise.allSettled(checks.map((dependency) => dependency.check())))
      .map((outcome, index) => (outcome.status === 'rejected' ? `${checks[index]!.name}: ${reason(outcome.reason)}` : undefined))
      .filter((failure) => failure !== undefined);
    if (failures.length === 0) {
      res.json({ status: 'ok' });
    } else {
      log(`${options.service}: not ready: ${failures.join('; ')}`);
      res.set('Retry-After', String(NOT_READY_RETRY_AFTER_SECONDS)).status(503).json({ status: 'unavailable' });
    }
  };
  router.get(['/readyz', '/health'], readiness);
  return router;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}
