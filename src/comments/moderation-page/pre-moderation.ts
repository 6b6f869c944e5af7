import type { Request, RequestHandler } from 'express';
import type { Site } from '../../config/sites';
import type { Commenter } from '../../../packages/verify/src';
import type { CommentsDb } from '../database';
import type { RequestVerifier } from '../options';
import { presentThread } from '../presentation';
import { postIdOf, siteOf } from '../request-context';
import { CommentStore } from '../storage';
import { AUTHOR_ROLE, isModeratorOf, verifiedRoles } from './moderator-check';

/**
 * Pre-moderation (sites file `moderation: "pre"`) and the post author's mark, where the comment
 * API meets them:
 *
 * - POST: a new comment on a pre-moderated site is held (`pending`) unless its writer moderates
 *   the site; a comment by one of the site's authors (token role `author`) is marked `byAuthor`.
 * - GET: the public thread (the cached one) never lists held comments. A GET that carries a
 *   valid token of the site (as a POST does: Bearer, or DPoP with a proof) also lists the
 *   reader's own held comments, and a moderator's lists every held comment, each with
 *   `state: "pending"`. Such an answer is made for that reader, never cached, and varies by
 *   Authorization. A token that does not verify is not an error here: the reader gets the public
 *   thread, as without one (reading never needed a token).
 */

export interface CommentMarks {
  readonly held: boolean;
  readonly byAuthor: boolean;
}

/** For a POST whose token requireCommenter has accepted. */
export function commentMarks(req: Request, site: Site): CommentMarks {
  return { held: site.moderation === 'pre' && !isModeratorOf(req, site), byAuthor: verifiedRoles(req).includes(AUTHOR_ROLE) };
}

export interface PendingReadersDependencies {
  readonly db: CommentsDb;
  readonly verifier: RequestVerifier;
}

/** The reader a GET's token names, if it verifies for this site; undefined otherwise. */
async function readerOf(req: Request, site: Site, verifier: RequestVerifier): Promise<Commenter | undefined> {
  try {
    const commenter = await verifier.verifyRequest({ authorization: req.get('authorization'), dpop: req.headers.dpop, method: req.method, url: req.originalUrl });
    return commenter.siteId === site.id ? commenter : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Answers a GET of a thread with held comments for the reader its token names; passes every
 * other GET on to the public (cached) listing.
 */
export function listHeldCommentsToTheirReaders({ db, verifier }: PendingReadersDependencies): RequestHandler {
  return async (req, res, next) => {
    if (req.get('authorization') === undefined) return next();
    const site = siteOf(res);
    const reader = await readerOf(req, site, verifier);
    if (reader === undefined) return next();
    const rows = await new CommentStore(db).thread(site.id, postIdOf(res));
    if (!rows.some((row) => row.pending_at !== null)) return next();
    const moderator = isModeratorOf(req, site);
    res.vary('Authorization');
    res.json({ comments: presentThread(rows, (row) => moderator || row.author_sub === reader.sub), ...(site.guests === true ? { guests: true } : {}) });
  };
}
