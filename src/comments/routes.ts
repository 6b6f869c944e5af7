import { Router, type RequestHandler, type Response } from 'express';
import type { Site } from '../config/sites';
import { getCommenter, requireCommenter } from '../../packages/verify/src';
import { OWN_COMMENT_METHODS, siteCors, sitePreflight, THREAD_METHODS } from './cors';
import type { CommentsDb } from './database';
import { CommentApiError } from './errors';
import { parseJsonBody, requireJsonContentType } from './json-body';
import { Moderation } from './moderation';
import { commentMarks, listHeldCommentsToTheirReaders } from './moderation-page/pre-moderation';
import type { RequestVerifier, ResolvedCommentServiceOptions } from './options';
import { checkOutsideWrites as outsideWritesCheck, type CheckOutsideWrites } from './outside-writes';
import { createGuestComment, takesGuest } from './guest-comments';
import { deleteOwnComment, editOwnComment, type OwnCommentRequest } from './own-comments';
import { postComment } from './post-comment';
import { requestLogger } from '../observability/request-log';
import { presentThread } from './presentation';
import { postIdOf, requirePostId, resolveSite, siteOf } from './request-context';
import { CommentStore } from './storage';
import { serialisedThread, ThreadCache } from './thread-cache';
import { jsonBytes, sendThread } from './thread-response';
import { COMMENT_ID_PATTERN, parseCommentEdit, parseIdempotencyKey, parseNewComment } from './validation';

/**
 * The comment API (DESIGN.md, "Comment API"). Each endpoint is one visible pipeline; each step
 * enforces one rule and refuses by throwing a CommentApiError (or, for the token, answering per
 * RFC 6750 and RFC 9449 in the verifier's middleware: `Authorization: Bearer`, or
 * `Authorization: DPoP` with a `DPoP` proof for a bound token; see docs/dpop.md):
 *
 * GET  resolveSite 404 → siteCors → requirePostId 400 → held comments for their readers (a token's;
 *      moderation-page/pre-moderation.ts) → list (from thread-cache.ts when fresh; 304 for a
 *      matching If-None-Match)
 * POST resolveSite 404 → siteCors 403 → requirePostId 400 → requireCommenter 401/403/503
 *      → requireOwnSite 403 → refuseBanned 403 → requireJsonContentType 415
 *      → parseJsonBody 413/400/415 → create (validation 400/422, then post-comment.ts: 422/429/409)
 * POST as a guest (guest-comments.ts; a `guests: true` site, no Authorization header): resolveSite
 *      → siteCors → requirePostId → requireJsonContentType → parseJsonBody → create, held
 *      (no `guest` field: the token check's 401; guest-validation.ts 400/422, then as above)
 *
 * On one comment (`.../comments/:id`, own-comments.ts), for its author only:
 * PATCH  as POST up to parseJsonBody (the comment id refused 404 first) → edit (validation
 *        400/422, then 404/403 not_author/409/403 edit_window_closed/429) → 200 `{ comment }`
 * DELETE resolveSite 404 → siteCors 403 → requirePostId 400 → comment id 404 → requireCommenter
 *        401/403/503 → requireOwnSite 403 → delete (404/403 not_author) → 204
 */

export const COMMENTS_PATH = '/api/sites/:site/posts/:post/comments';
export const COMMENT_PATH = `${COMMENTS_PATH}/:id`;

export interface CommentRoutesDependencies {
  readonly db: CommentsDb;
  readonly sites: ReadonlyMap<string, Site>;
  readonly verifier: RequestVerifier;
  readonly options: ResolvedCommentServiceOptions;
  /** The cache of threads' answers, shared with the moderation API, which drops entries too. */
  readonly threads?: ThreadCache;
}

/**
 * 403 for a token issued to another site: pairwise subjects mean nothing outside their site. The
 * verifier already refused tokens of sites this service does not serve; this is for a token of
 * one served site sent to another's URL.
 */
function requireOwnSite(): RequestHandler {
  return (_req, res, next) => {
    if (getCommenter(res).siteId !== siteOf(res).id) throw new CommentApiError('wrong_site');
    next();
  };
}

/** 403 for a banned commenter, read from the database on every request (tokens predate bans). */
function refuseBanned(moderation: Moderation): RequestHandler {
  return async (_req, res, next) => {
    if (await moderation.isBanned(siteOf(res).id, getCommenter(res).sub)) throw new CommentApiError('banned');
    next();
  };
}

/**
 * Lists a post's thread from thread-cache.ts when it is fresh. The cache holds exactly what this
 * code path produced (placeholders, erasures and all), so serving from it changes nothing but
 * the cost. Two kinds of writes drop entries: new comments (post-comment.ts, on this connection)
 * and whatever another connection commits, which `checkOutsideWrites` notices. Those are all the
 * writes to comments: the service's own Moderation only reads bans; hide, unhide and delete run
 * in the `parley comments` commands, on their own connection.
 */
function listComments(db: CommentsDb, threads: ThreadCache, checkOutsideWrites: CheckOutsideWrites): RequestHandler {
  return async (req, res) => {
    const siteId = siteOf(res).id;
    const postId = postIdOf(res);
    await checkOutsideWrites(siteId, postId);
    const cached = threads.get(siteId, postId);
    if (cached !== undefined) return sendThread(req, res, cached);

    // Taken before the rows are read: a write committed after it makes this body unfit to keep.
    const generation = threads.generation();
    const rows = await new CommentStore(db).thread(siteId, postId);
    const thread = serialisedThread(jsonBytes(req.app, { comments: presentThread(rows), ...guestsFlag(siteOf(res)) }));
    threads.store(siteId, postId, generation, thread);
    sendThread(req, res, thread);
  };
}

function createComment({ db, options }: CommentRoutesDependencies, threads: ThreadCache): RequestHandler {
  return async (req, res) => {
    const comment = parseNewComment(req.body);
    const idempotencyKey = parseIdempotencyKey(req.get('idempotency-key'));
    const request = {
      siteId: siteOf(res).id,
      postId: postIdOf(res),
      commenter: getCommenter(res),
      comment,
      idempotencyKey,
      now: options.clock(),
      ...commentMarks(req, siteOf(res)),
      siteOrigins: siteOf(res).origins,
    };
    const result = await postComment(db, options, request, threads);
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(result.status).json(result.body);
  };
}

/** `guests: true` on a thread's answer when the site takes guest comments, so the widget offers them. */
export function guestsFlag(site: Site): { guests?: true } {
  return site.guests === true ? { guests: true } : {};
}

/** 404 for a comment id we never issue (storage.ts): no need to ask for a token first. */
function requireCommentId(): RequestHandler {
  return (req, res, next) => {
    if (!COMMENT_ID_PATTERN.test(String(req.params.id))) throw new CommentApiError('comment_not_found');
    res.locals.commentId = String(req.params.id);
    next();
  };
}

function ownCommentRequest(res: Response, now: number): OwnCommentRequest {
  return { siteId: siteOf(res).id, postId: postIdOf(res), commentId: String(res.locals.commentId), commenter: getCommenter(res), now };
}

function editComment({ db, options }: CommentRoutesDependencies, threads: ThreadCache): RequestHandler {
  return async (req, res) => {
    const edit = parseCommentEdit(req.body);
    const idempotencyKey = parseIdempotencyKey(req.get('idempotency-key'));
    const result = await editOwnComment(db, options, { ...ownCommentRequest(res, options.clock()), edit, idempotencyKey }, threads);
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(result.status).json(result.body);
  };
}

function deleteComment({ db, options }: CommentRoutesDependencies, threads: ThreadCache): RequestHandler {
  return async (_req, res) => {
    await deleteOwnComment(db, ownCommentRequest(res, options.clock()), threads);
    res.status(204).end();
  };
}

function methodNotAllowed(allow: string): RequestHandler {
  return (_req, res) => {
    res.setHeader('Allow', allow);
    throw new CommentApiError('method_not_allowed');
  };
}

export function commentRoutes(deps: CommentRoutesDependencies): Router {
  const moderation = new Moderation(deps.db, deps.options.clock);
  const threads = deps.threads ?? new ThreadCache();
  const checkOutsideWrites = outsideWritesCheck(deps.db, threads);
  const commenterOnly = requireCommenter(deps.verifier, {
    // A 503 here means the gateway's keys cannot be fetched, PARLEY_ISSUER is not what the
    // gateway calls itself (ERR_ISSUER_MISMATCH, with both values), or the database that keeps
    // used DPoP proofs failed (ERR_DPOP_REPLAY_UNAVAILABLE): the operator should hear of it.
    onRefused: (error, req) => {
      if (!error.isTokenFault) requestLogger(req, deps.options.logger).error({ code: error.code, reason: error.message }, 'token check unavailable');
    },
  });
  const router = Router();
  router.post(
    COMMENTS_PATH,
    takesGuest(deps.sites),
    resolveSite(deps.sites),
    siteCors(),
    requirePostId(),
    requireJsonContentType(),
    parseJsonBody(),
    createGuestComment(deps, threads, commenterOnly),
  );
  router
    .route(COMMENTS_PATH)
    .options(resolveSite(deps.sites), sitePreflight(THREAD_METHODS))
    .get(resolveSite(deps.sites), siteCors(), requirePostId(), listHeldCommentsToTheirReaders(deps), listComments(deps.db, threads, checkOutsideWrites))
    .post(
      resolveSite(deps.sites),
      siteCors(),
      requirePostId(),
      commenterOnly,
      requireOwnSite(),
      refuseBanned(moderation),
      requireJsonContentType(),
      parseJsonBody(),
      createComment(deps, threads),
    )
    .all(methodNotAllowed(THREAD_METHODS.allow));
  router
    .route(COMMENT_PATH)
    .options(resolveSite(deps.sites), sitePreflight(OWN_COMMENT_METHODS))
    .patch(
      resolveSite(deps.sites),
      siteCors(),
      requirePostId(),
      requireCommentId(),
      commenterOnly,
      requireOwnSite(),
      refuseBanned(moderation),
      requireJsonContentType(),
      parseJsonBody(),
      editComment(deps, threads),
    )
    .delete(resolveSite(deps.sites), siteCors(), requirePostId(), requireCommentId(), commenterOnly, requireOwnSite(), deleteComment(deps, threads))
    .all(methodNotAllowed(OWN_COMMENT_METHODS.allow));
  return router;
}
