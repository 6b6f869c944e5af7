import type { RequestHandler } from 'express';

/**
 * Headers on every answer of the comment API. Everything it serves is JSON data: a browser must
 * never sniff it into HTML or script (nosniff), run anything from it or frame it (CSP), leak the
 * page URL onwards (Referrer-Policy), or keep a copy that moderation would then not reach
 * (no-store). The widget script (a later route) will set its own.
 */
export function apiSecurityHeaders(): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
}
