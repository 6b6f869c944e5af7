import type { Request, RequestHandler, Response } from 'express';
import pino, { type Logger } from 'pino';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id';
import { routeOf } from './request-route';
import { errorFields } from './logger';

/**
 * One log entry per request, when it ends, and a logger for the request's own entries.
 *
 * - The entry is built from an allow-list: request id, method, route pattern, status and
 *   duration, and `aborted` when the client went away first. No URL, query, header, cookie, body
 *   or address is ever read into it, so no token, code, sign-in link or email address can reach
 *   the log through it (test/observability/log-secrets.test.ts signs in and looks).
 * - The request id (X-Request-Id, see request-id.ts) is sent back in the response and is in every
 *   entry logged through `requestLogger(req)`.
 */

/** The fields of a request's entry besides those every entry has (level, time, service, reqId). */
export interface RequestLogLine {
  readonly method: string;
  readonly route: string;
  readonly status: number;
  readonly durationMs: number;
  readonly aborted?: true;
}

/** Keyed by the Node request object, which Express and oidc-provider's Koa context share. */
const requestLoggers = new WeakMap<object, Logger>();
let plainLogger: Logger | undefined;

/**
 * The logger of this request (its entries carry the request id); for a request requestLog did not
 * see (a router mounted alone in a test), `fallback`, or a plain JSON logger on stdout.
 */
export function requestLogger(req: object, fallback?: Logger): Logger {
  const logger = requestLoggers.get(req) ?? fallback;
  if (logger) return logger;
  plainLogger ??= pino({ base: undefined, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) }, serializers: { err: errorFields } });
  return plainLogger;
}

/** Methods are a small known set; anything else is one label, not whatever the client typed. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export function methodLabel(method: string): string {
  return KNOWN_METHODS.has(method) ? method : 'OTHER';
}

/** What the entry says about one finished request; nothing else is read from it. */
export function requestLogLine(req: Request, res: Response, startedNs: bigint): RequestLogLine {
  const durationMs = Math.round(Number(process.hrtime.bigint() - startedNs) / 1e4) / 100;
  return {
    method: methodLabel(req.method),
    route: routeOf(req, res),
    status: res.statusCode,
    durationMs,
    ...(res.writableFinished ? {} : { aborted: true as const }),
  };
}

/**
 * Express middleware: first in the app, so it sees every request, refusals included.
 * `routine` names routes a machine calls every few seconds (the gateway reading the reply
 * outbox): their successful requests are logged at debug, so they do not drown the rest.
 */
export function requestLog(logger: Logger, options: { routine?: ReadonlySet<string> } = {}): RequestHandler {
  return (req, res, next) => {
    const startedNs = process.hrtime.bigint();
    const reqId = requestIdFrom(req.get(REQUEST_ID_HEADER));
    res.setHeader(REQUEST_ID_HEADER, reqId);
    const child = logger.child({ reqId });
    requestLoggers.set(req, child);
    res.once('close', () => {
      // Info: a failure of ours has its own error entry, with its cause, under the same id.
      const line = requestLogLine(req, res, startedNs);
      if (line.status < 400 && options.routine?.has(line.route)) child.debug(line, 'request');
      else child.info(line, 'request');
    });
    next();
  };
}
