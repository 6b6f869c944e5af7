import { recordRoute } from '../observability/request-route';
import type { ProviderMiddleware } from './provider-middleware';

/**
 * Tells the request log which of oidc-provider's routes answered (`/token`, `/auth/:uid`): its
 * router keeps the matched pattern on the Koa context, which Express never sees.
 */
export function recordOidcRoute(): ProviderMiddleware {
  return async (ctx, next) => {
    try {
      await next();
    } finally {
      const pattern = (ctx as { _matchedRoute?: unknown })._matchedRoute;
      if (typeof pattern === 'string') recordRoute(ctx.res, pattern);
    }
  };
}
