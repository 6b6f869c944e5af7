import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { ProviderMiddleware } from './provider-middleware';
import { requestLogger } from '../observability/request-log';

/**
 * One log line for every request oidc-provider answers with a server error.
 *
 * - oidc-provider catches the errors of its own endpoints and renders them itself ("oops!
 *   something went wrong", through renderError, or JSON) without a word in the log; it emits
 *   'server_error' once for each, from the authorization endpoint and every other endpoint alike.
 * - Its `*.error` events (grant.error, authorization.error, userinfo.error…) carry only the errors
 *   it shows the client, which are all 4xx: the client's problem, not ours.
 * - The entry carries the request's id (its request line has the method and route) and the
 *   error, never the query or the body: they carry codes, verifiers and tokens.
 */
export function logServerErrors(provider: Provider, logger: Logger): void {
  provider.on('server_error', (ctx, error: unknown) => {
    requestLogger(ctx.req, logger).error({ err: error }, 'request failed');
  });
}

/** What a client should wait before retrying a request that failed on our side. */
export const GATEWAY_RETRY_AFTER_SECONDS = 10;

/**
 * oidc-provider answers a failure of ours (almost always a database or Redis call that failed
 * or timed out inside one of its endpoints) with 500 `server_error`. The failure is passing and
 * the request can be retried, so say that, as the rest of the gateway does: 503 with Retry-After.
 * Its body (the plain-words page of renderError, or `{ error: 'server_error' }`) stays as it is.
 */
export function unavailableOnServerError(): ProviderMiddleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      // Thrown past oidc-provider's own handlers (by one of our middlewares): Koa answers it, with
      // the status and headers the error carries.
      const failure = (typeof error === 'object' && error !== null ? error : new Error(String(error))) as { status?: unknown; headers?: Record<string, string> };
      if (typeof failure.status !== 'number' || failure.status >= 500) {
        failure.status = 503;
        failure.headers = { ...failure.headers, 'Retry-After': String(GATEWAY_RETRY_AFTER_SECONDS) };
      }
      throw failure;
    }
    if (ctx.status === 500) {
      ctx.status = 503;
      ctx.set('Retry-After', String(GATEWAY_RETRY_AFTER_SECONDS));
    }
  };
}
