import fs from 'node:fs';
import path from 'node:path';
import type { RequestHandler } from 'express';
import { clientHasEtag, strongEtag } from '../http/etag';
import { PROJECT_ROOT } from '../paths';

/** The built widget (npm run build): what a blog's script tag loads. */
export const WIDGET_FILE = path.join(PROJECT_ROOT, 'dist', 'widget.js');
/** Browsers may keep the widget this long, then revalidate cheaply with its ETag. */
const WIDGET_MAX_AGE_SECONDS = 5 * 60;

interface LoadedWidget {
  readonly body: Buffer;
  readonly etag: string;
  readonly mtimeMs: number;
}

/**
 * GET /widget.js. Unlike the API's JSON answers it is a script that every blog page loads from
 * another origin, so it gets its own headers: JavaScript, loadable cross-origin, cacheable for a
 * few minutes. Rebuilding replaces it without a restart (the file's mtime is checked).
 */
export function widgetRoute(file: string = WIDGET_FILE, contentType = 'text/javascript; charset=utf-8'): RequestHandler {
  let loaded: LoadedWidget | undefined;
  return (req, res) => {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      res.status(503).setHeader('Retry-After', '30');
      res.json({ error: 'widget_unavailable', message: 'The widget has not been built: run `npm run build`.' });
      return;
    }
    if (!loaded || loaded.mtimeMs !== stat.mtimeMs) {
      const body = fs.readFileSync(file);
      loaded = { body, etag: strongEtag(body), mtimeMs: stat.mtimeMs };
    }
    res.removeHeader('Content-Security-Policy');
    res.setHeader('Content-Type', contentType);
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cache-Control', `public, max-age=${WIDGET_MAX_AGE_SECONDS}`);
    res.setHeader('ETag', loaded.etag);
    if (clientHasEtag(req, loaded.etag)) {
      res.status(304).end();
      return;
    }
    res.send(loaded.body);
  };
}
