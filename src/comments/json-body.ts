import express, { type RequestHandler } from 'express';
import { CommentApiError } from './errors';

/**
 * Reading a POST body: JSON in UTF-8 only, uncompressed, and no bigger than
 * MAX_REQUEST_BODY_BYTES, refused at the parser before it is buffered further.
 *
 * The cap is 64 KiB, not less: a comment may hold 10,000 code points, and in UTF-8 a code point
 * takes up to 4 bytes, so the largest valid comment is about 40 KB before JSON adds its quotes
 * and escapes. Compressed bodies are refused (415) rather than inflated: the cap then bounds
 * exactly what we hold in memory.
 */

export const MAX_REQUEST_BODY_BYTES = 64 * 1024;

/** 415 unless Content-Type is application/json (any parameters; the charset is checked by the parser). */
export function requireJsonContentType(): RequestHandler {
  return (req, _res, next) => {
    const mediaType = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (mediaType !== 'application/json') throw new CommentApiError('unsupported_media_type');
    next();
  };
}

/** The parser; its errors (too large, not JSON, other charset or encoding) go to the error handler. */
export function parseJsonBody(): RequestHandler {
  return express.json({ limit: MAX_REQUEST_BODY_BYTES, strict: true, inflate: false, type: () => true });
}
