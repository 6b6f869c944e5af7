import type { Application, Request, Response } from 'express';
import type { SerialisedThread } from './thread-cache';

/**
 * The bytes of a GET comments answer, and sending them with their ETag: made once per change of
 * the thread (thread-cache.ts) instead of by res.json on every request.
 */

const JSON_HTML_ESCAPES: Readonly<Record<string, string>> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026' };

/** What res.json would send for `value`, honouring the app's `json escape` (service.ts) as it does. */
export function jsonBytes(app: Application, value: unknown): Buffer {
  let json = JSON.stringify(value);
  if (app.enabled('json escape')) json = json.replace(/[<>&]/g, (character) => JSON_HTML_ESCAPES[character]!);
  return Buffer.from(json, 'utf8');
}

/**
 * True when the client already has these bytes (RFC 9110, 13.1.2: weak comparison, `*` for any).
 * Decided here rather than by Express's `req.fresh`, which answers "stale" whenever the request
 * says `Cache-Control: no-cache`; fetch() adds exactly that to every request that sets
 * If-None-Match itself, so a client revalidating with fetch would never get its 304. That
 * directive is addressed to caches on the way; the origin server still evaluates the condition.
 * (Same-origin and server-side clients can revalidate today; the widget, cross-origin, cannot:
 * CORS (cors.ts) neither allows If-None-Match nor exposes ETag, and the widget does not re-fetch.)
 */
function clientHas(req: Request, etag: string): boolean {
  const ifNoneMatch = req.get('if-none-match');
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => {
    const candidate = tag.trim();
    return candidate === etag || candidate === `W/${etag}`;
  });
}

/**
 * Answers with the thread and its ETag, or 304 without a body when If-None-Match names it. The
 * headers set before (CORS, security, Cache-Control) stay on both; res.send leaves the body out
 * for HEAD.
 */
export function sendThread(req: Request, res: Response, thread: SerialisedThread): void {
  res.setHeader('ETag', thread.etag);
  if (clientHas(req, thread.etag)) {
    res.status(304).end();
    return;
  }
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.send(thread.body);
}
