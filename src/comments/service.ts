import express from 'express';
import type { Settings } from '../config/settings';
import type { Site } from '../config/sites';
import { createVerifier } from '../../packages/verify/src';
import { healthRoutes } from '../http/health-routes';
import { requestLog } from '../observability/request-log';
import { createServiceMetrics } from '../observability/metrics-registry';
import { httpMetrics } from '../observability/http-metrics';
import { serveMetrics } from '../observability/metrics-server';
import type { RunningServer } from '../http/listen';
import type { Registry } from 'prom-client';
import { CommentMetrics, countCommentPosts, countingVerifier } from './comment-metrics';
import type { Logger } from '../observability/logger';
import { openCommentsDatabase, type CommentsDb } from './database';
import { DatabaseDpopReplayStore } from './dpop-replay-store';
import { commentErrorHandler, notFound } from './error-handler';
import { IdempotencyStore } from './idempotency';
import { resolveCommentServiceOptions, SWEEP_INTERVAL_MS, type CommentServiceOptions } from './options';
import { sweepRateLimits } from './rate-limits';
import { commentRoutes } from './routes';
import { moderationRoutes } from './moderation-page/moderation-api';
import { moderationPageRoutes } from './moderation-page/page-route';
import { ThreadCache } from './thread-cache';
import { backchannelRoutes } from './backchannel/routes';
import { BACKCHANNEL_PATHS } from '../backchannel/protocol';
import { apiSecurityHeaders } from './security-headers';
import { WIDGET_FILE, widgetRoute } from './widget-route';

export interface CommentService {
  /** The Express app: pass it to listen(), or mount it. */
  readonly app: express.Express;
  /** The service's logger (JSON lines, or the `log` option's sink). */
  readonly logger: Logger;
  /** Its Prometheus registry, served at /metrics on PARLEY_METRICS_PORT when that is set. */
  readonly metrics: Registry;
  /** The port the metrics listener is bound to; undefined when PARLEY_METRICS_PORT is unset. */
  readonly metricsPort: number | undefined;
  /** Stops the sweeper and closes the database; close the HTTP server first. */
  close(): Promise<void>;
}

/**
 * Builds the comment service: the comment API over comments.sqlite, with tokens checked by the
 * verifier against the gateway (issuer PARLEY_ISSUER, audience PARLEY_COMMENTS_URL, the sites of
 * the sites file). DPoP-bound tokens are checked with their proofs, whose `htu` starts with
 * PARLEY_COMMENTS_URL and whose `jti`s are remembered in the database, shared by every instance;
 * a site with `requireDpop` accepts no other.
 */
export async function createCommentService(settings: Settings, serviceOptions: CommentServiceOptions = {}): Promise<CommentService> {
  const options = resolveCommentServiceOptions(serviceOptions, settings);
  const metrics = createServiceMetrics();
  const commentMetrics = new CommentMetrics(metrics.registry);
  const db: CommentsDb = await openCommentsDatabase(settings);
  const dpopProofs = new DatabaseDpopReplayStore(db);
  // Every site in the sites file: the verifier refuses any other site's token (403 wrong_site);
  // the routes then check that the token's site is the one in the URL.
  const verifier = countingVerifier(
    serviceOptions.verifier ??
      createVerifier({
        dpopReplayStore: dpopProofs,
        ...serviceOptions.verifierOptions,
        onEvent: (event) => commentMetrics.verifierEvent(event),
        issuer: settings.gateway.issuer,
        audience: settings.comments.url,
        // The URL clients reach the API at, path prefix included: each DPoP proof's htu starts with it.
        publicUrl: settings.comments.url,
        clientId: settings.sites.map((site) => site.id),
        requireDpop: settings.sites.filter((site) => site.requireDpop === true).map((site) => site.id),
      }),
    commentMetrics,
  );
  const sites = new Map<string, Site>(settings.sites.map((site) => [site.id, site]));

  const app = express();
  app.disable('x-powered-by');
  // PARLEY_TRUST_PROXY, as for the gateway: only a proxy named there is believed about the client's
  // address (guests' rate limits use it); by default the TCP peer is the client.
  app.set('trust proxy', settings.gateway.trustProxy);
  // The gateway reads the reply outbox every few seconds: a line each only at debug.
  app.use(requestLog(options.logger, { routine: new Set([BACKCHANNEL_PATHS.replies]) }));
  app.use(httpMetrics(metrics));
  app.use(countCommentPosts(commentMetrics));
  // Defence in depth: <, > and & leave as \u003c, \u003e, \u0026 even inside JSON strings.
  app.set('json escape', true);
  app.use(apiSecurityHeaders());
  app.use(healthRoutes({ service: 'comments', db, log: (line) => options.logger.warn(line) }));
  const threads = new ThreadCache();
  app.use(commentRoutes({ db, sites, verifier, options, threads }));
  app.use(moderationRoutes({ db, sites, verifier, threads, clock: options.clock }));
  app.use(backchannelRoutes({ db, sites, options, threads, issuer: settings.gateway.issuer, audience: settings.comments.url, replayStore: dpopProofs }));
  app.use(moderationPageRoutes({ sites, gatewayUrl: settings.gateway.issuer, commentsUrl: settings.comments.url }));
  app.get('/widget.js', widgetRoute(serviceOptions.widgetFile));
  // Its source map, which widget.js names, for the blog owner's browser developer tools.
  app.get('/widget.js.map', widgetRoute(`${serviceOptions.widgetFile ?? WIDGET_FILE}.map`, 'application/json; charset=utf-8'));
  app.use(notFound());
  app.use(commentErrorHandler(options.logger));

  const sweep = async () => {
    const now = options.clock();
    await new IdempotencyStore(db, options.idempotencyTtlMs).sweep(now);
    await sweepRateLimits(db, options.rateLimits, now);
    await dpopProofs.sweep(now);
  };
  const sweeper = setInterval(() => {
    sweep().catch((error: unknown) => options.logger.error({ err: error }, 'sweep failed'));
  }, SWEEP_INTERVAL_MS);
  sweeper.unref();

  let metricsServer: RunningServer | undefined;
  const { metricsPort, metricsHost } = settings.observability;
  if (metricsPort !== undefined) {
    try {
      metricsServer = await serveMetrics(metrics.registry, metricsPort, metricsHost);
      options.logger.info({ metricsPort: metricsServer.port, metricsHost }, `metrics: GET /metrics on ${metricsHost} port ${metricsServer.port}`);
    } catch (error) {
      clearInterval(sweeper);
      await db.destroy();
      throw error;
    }
  }

  let closing: Promise<void> | undefined;
  return {
    app,
    logger: options.logger,
    metrics: metrics.registry,
    metricsPort: metricsServer?.port,
    close() {
      clearInterval(sweeper);
      closing ??= Promise.all([metricsServer?.close(), db.destroy()]).then(() => undefined);
      return closing;
    },
  };
}
