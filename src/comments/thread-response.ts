import type { Application, Request, Response } from 'express';
import { clientHasEtag } from '../http/etag';
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
 * Answers with the thread and its ETag, or 304 without a body when If-None-Match names it. The
 * headers set before (CORS, security, Cache-Control) stay on both; res.send leaves the body out
 * for HEAD.
 */
export function sendThread(req: Request, res: Response, thread: SerialisedThread): void {
  res.setHeader('ETag', thread.etag);
  // See clientHasEtag. (The widget, cross-origin, cannot revalidate: CORS (cors.ts) neither
  // allows If-None-Match nor exposes ETag, and it does not re-fetch; other clients can.)
  if (clientHasEtag(req, thread.etag)) {
    res.status(304).end();
    return;
  }
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.send(thread.body);
}
