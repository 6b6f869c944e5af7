import type { Request, Response } from 'express';

/**
 * The route a request matched, as its pattern (`/api/sites/:site/posts/:post/comments`), for
 * logs and metric labels. Never the URL itself: paths carry interaction ids and queries carry
 * codes and tokens, and one label per URL would flood the metrics.
 */

/** The label of a request that matched no route (404s, refusals before routing). */
export const UNMATCHED_ROUTE = 'unmatched';

const recorded = new WeakMap<Response, string>();

/** Records the pattern a router outside Express matched (oidc-provider's, through Koa). */
export function recordRoute(res: Response | import('node:http').ServerResponse, pattern: string): void {
  recorded.set(res as Response, pattern);
}

function expressPattern(req: Request): string | undefined {
  const path: unknown = (req.route as { path?: unknown } | undefined)?.path;
  const base = req.baseUrl ?? '';
  if (typeof path === 'string') {
    // The gateway's page routers are mounted at a prefix yet route on the full path (app.ts
    // restores req.url): a pattern that already starts with its base is whole.
    return base !== '' && !path.startsWith(base) ? `${base}${path}` : path;
  }
  if (Array.isArray(path)) {
    const paths = path.filter((item): item is string => typeof item === 'string');
    return paths.find((item) => item === req.path) ?? paths.join('|');
  }
  // Middleware mounted at a fixed prefix that answered without a route (express.static).
  return base !== '' ? `${base}/*` : undefined;
}

/** The matched pattern, or UNMATCHED_ROUTE. Read it once the response is finished. */
export function routeOf(req: Request, res: Response): string {
  return recorded.get(res) ?? expressPattern(req) ?? UNMATCHED_ROUTE;
}
