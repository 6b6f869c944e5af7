import type { Request, RequestHandler, Response } from 'express';
import { CommentApiError } from './errors';
import { siteOf } from './request-context';

/**
 * Cross-origin access to a site's comments, for that site's registered origins only (the
 * `origins` of the sites file), per the Fetch standard's CORS protocol:
 *
 * - A registered origin gets `Access-Control-Allow-Origin: <that origin>`, never `*`, and can read
 *   the headers a widget needs (Retry-After, WWW-Authenticate, Idempotent-Replayed, and Date: a
 *   DPoP proof refused for its `iat` is made again on the service's clock, RFC 9449 §4.3).
 * - Preflights allow GET and POST on a post's comments, PATCH and DELETE on one comment, with Authorization, DPoP (the proof of a DPoP-bound token, RFC
 *   9449), Content-Type and Idempotency-Key; from any other origin they are refused with 403.
 * - A POST, PATCH or DELETE that carries an Origin header not registered for the site is refused with 403 before
 *   anything else (a GET is answered, without CORS headers, so browsers keep it from the page).
 * - No credentials: tokens travel in Authorization, never in cookies.
 * - Every answer varies by Origin, so caches never hand one site's answer to another.
 */

/** What a preflight allows on a post's comments, and on one comment (its author's edit and delete). */
export const THREAD_METHODS = { cors: 'GET, POST', allow: 'GET, HEAD, POST, OPTIONS' } as const;
export const OWN_COMMENT_METHODS = { cors: 'PATCH, DELETE', allow: 'PATCH, DELETE, OPTIONS' } as const;
const ALLOWED_HEADERS = 'Authorization, DPoP, Content-Type, Idempotency-Key';
const EXPOSED_HEADERS = 'Retry-After, WWW-Authenticate, Idempotent-Replayed, Date';
const PREFLIGHT_MAX_AGE_SECONDS = 10 * 60;

function registeredOrigin(req: Request, res: Response): string | undefined {
  const origin = req.get('origin');
  return origin !== undefined && siteOf(res).origins.includes(origin) ? origin : undefined;
}

/** Methods that write: refused outright from an origin the site did not register. */
const WRITE_METHODS: ReadonlySet<string> = new Set(['POST', 'PATCH', 'DELETE']);

/** CORS headers on every answer but a preflight's (errors included: the widget must read a 401). */
export function siteCors(): RequestHandler {
  return (req, res, next) => {
    res.vary('Origin');
    const origin = registeredOrigin(req, res);
    if (origin !== undefined) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    } else if (WRITE_METHODS.has(req.method) && req.get('origin') !== undefined) {
      throw new CommentApiError('origin_not_allowed');
    }
    next();
  };
}

/** Answers OPTIONS: a preflight from a registered origin gets 204 with what is allowed. */
export function sitePreflight(methods: { readonly cors: string; readonly allow: string } = THREAD_METHODS): RequestHandler {
  return (req, res) => {
    res.vary('Origin');
    res.vary('Access-Control-Request-Method');
    res.vary('Access-Control-Request-Headers');
    res.setHeader('Allow', methods.allow);
    const isPreflight = req.get('origin') !== undefined && req.get('access-control-request-method') !== undefined;
    if (!isPreflight) {
      res.status(204).end();
      return;
    }
    const origin = registeredOrigin(req, res);
    if (origin === undefined) throw new CommentApiError('origin_not_allowed');
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Methods', methods.cors);
    res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
    res.setHeader('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SECONDS));
    res.status(204).end();
  };
}
