import type { RequestHandler, Response } from 'express';
import type { Site } from '../config/sites';
import { CommentApiError } from './errors';
import { parsePostId } from './validation';

/**
 * The site and post a request is about, resolved once from the URL and kept on `res.locals`
 * (like the verifier's commenter) for the middlewares after it.
 */

/** 404 for a site that is not in the sites file. Runs first: CORS needs the site's origins. */
export function resolveSite(sites: ReadonlyMap<string, Site>): RequestHandler {
  return (req, res, next) => {
    const site = sites.get(String(req.params.site));
    if (site === undefined) throw new CommentApiError('unknown_site');
    res.locals.site = site;
    next();
  };
}

/** 400 for a post id we would not store; an unknown but valid post simply has no comments yet. */
export function requirePostId(): RequestHandler {
  return (req, res, next) => {
    res.locals.postId = parsePostId(req.params.post);
    next();
  };
}

/** The site resolveSite found. Throws when it did not run: a routing mistake, not a client's. */
export function siteOf(res: Response): Site {
  const site: unknown = res.locals.site;
  if (site === undefined) throw new Error('siteOf: resolveSite did not run for this route');
  return site as Site;
}

export function postIdOf(res: Response): string {
  const postId: unknown = res.locals.postId;
  if (typeof postId !== 'string') throw new Error('postIdOf: requirePostId did not run for this route');
  return postId;
}
