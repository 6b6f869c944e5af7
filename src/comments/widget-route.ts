import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { RequestHandler } from 'express';
import { chooseCoding, type PrecompressedCoding } from '../http/content-coding';
import { clientHasEtag, strongEtag } from '../http/etag';
import { PROJECT_ROOT } from '../paths';

/** The built widget (npm run build): what a blog's script tag loads. */
export const WIDGET_FILE = path.join(PROJECT_ROOT, 'dist', 'widget.js');
/** Browsers may keep the widget this long, then revalidate cheaply with its ETag. */
const WIDGET_MAX_AGE_SECONDS = 5 * 60;
/** The codings kept ready, best first: brotli is about a tenth smaller than gzip on the widget. */
const CODINGS: readonly PrecompressedCoding[] = ['br', 'gzip'];

const brotliCompress = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** One encoding of the file: its bytes and their strong ETag. */
interface Representation {
  readonly body: Buffer;
  readonly etag: string;
  readonly coding: PrecompressedCoding | 'identity';
}

/** The file as last read, in every encoding, and the stat it was read under. */
interface LoadedWidget {
  readonly mtimeMs: number;
  readonly size: number;
  readonly representations: ReadonlyMap<PrecompressedCoding | 'identity', Representation>;
}

/** A strong ETag per encoding (RFC 9110, 8.8.3.3): the bytes differ, so must the tag. */
function tagged(body: Buffer, coding: PrecompressedCoding | 'identity'): Representation {
  const etag = strongEtag(body);
  return { body, coding, etag: coding === 'identity' ? etag : `${etag.slice(0, -1)}-${coding}"` };
}

/** Reads the file and compresses it at the highest levels, once per version of the file. */
async function loadWidget(file: string, stat: fs.Stats): Promise<LoadedWidget> {
  const body = await fs.promises.readFile(file);
  const [br, gz] = await Promise.all([
    brotliCompress(body, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
        [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }),
    gzip(body, { level: zlib.constants.Z_BEST_COMPRESSION }),
  ]);
  return {
    mtimeMs: stat.mtimeMs,
    size: stat.size,
    representations: new Map([tagged(body, 'identity'), tagged(br, 'br'), tagged(gz, 'gzip')].map((representation) => [representation.coding, representation])),
  };
}

/**
 * GET /widget.js. Unlike the API's JSON answers it is a script that every blog page loads from
 * another origin, so it gets its own headers: JavaScript, loadable cross-origin, cacheable for a
 * few minutes. It goes brotli- or gzip-compressed as the request's Accept-Encoding allows; the
 * compressed copies are made once, when first asked for, and kept: never per request.
 * Rebuilding replaces it without a restart (the file's mtime is checked).
 */
export function widgetRoute(file: string = WIDGET_FILE, contentType = 'text/javascript; charset=utf-8'): RequestHandler {
  let loading: { readonly mtimeMs: number; readonly size: number; readonly widget: Promise<LoadedWidget> } | undefined;

  /** The widget as the file now is; undefined when it is missing (not built yet). */
  function current(): Promise<LoadedWidget> | undefined {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      return undefined;
    }
    if (!loading || loading.mtimeMs !== stat.mtimeMs || loading.size !== stat.size) {
      const widget = loadWidget(file, stat);
      const started = { mtimeMs: stat.mtimeMs, size: stat.size, widget };
      loading = started;
      // A failed read (the file went away mid-rebuild) is retried by the next request.
      widget.catch(() => {
        if (loading === started) loading = undefined;
      });
    }
    return loading.widget;
  }

  return async (req, res) => {
    let widget: LoadedWidget | undefined;
    try {
      widget = await current();
    } catch {
      widget = undefined;
    }
    if (!widget) {
      res.status(503).setHeader('Retry-After', '30');
      res.json({ error: 'widget_unavailable', message: 'The widget has not been built: run `npm run build`.' });
      return;
    }
    const representation = widget.representations.get(chooseCoding(req.get('accept-encoding'), CODINGS))!;
    res.removeHeader('Content-Security-Policy');
    res.setHeader('Content-Type', contentType);
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cache-Control', `public, max-age=${WIDGET_MAX_AGE_SECONDS}`);
    // Caches must keep one copy per encoding and hand each client the one it can read.
    res.vary('Accept-Encoding');
    res.setHeader('ETag', representation.etag);
    if (clientHasEtag(req, representation.etag)) {
      res.status(304).end();
      return;
    }
    if (representation.coding !== 'identity') res.setHeader('Content-Encoding', representation.coding);
    res.send(representation.body);
  };
}
