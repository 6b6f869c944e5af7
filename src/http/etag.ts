import { createHash } from 'node:crypto';
import type { Request } from 'express';

/**
 * Validators for bodies the comment service keeps in memory and sends as they are (the widget
 * script, serialised threads): a strong ETag derived from the bytes, and the If-None-Match check.
 */

/** base64url characters of the SHA-256 kept in an ETag: 132 bits, far beyond any collision. */
const ETAG_DIGEST_CHARACTERS = 22;

/** A strong ETag: two equal ETags mean byte-identical bodies, so a 304 is always right. */
export function strongEtag(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, ETAG_DIGEST_CHARACTERS)}"`;
}

/**
 * True when the client already has the body tagged `etag` (RFC 9110, 13.1.2: a list of tags, weak
 * comparison, `*` for any). Decided here rather than by Express's `req.fresh`, which answers
 * "stale" whenever the request says `Cache-Control: no-cache`; fetch() adds exactly that to every
 * request that sets If-None-Match itself, so a client revalidating with fetch would never get its
 * 304. That directive is addressed to caches on the way; the origin server still evaluates the
 * condition.
 */
export function clientHasEtag(req: Request, etag: string): boolean {
  const ifNoneMatch = req.get('if-none-match');
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => {
    const candidate = tag.trim();
    return candidate === etag || candidate === `W/${etag}`;
  });
}
