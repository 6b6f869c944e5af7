import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Site } from '../../config/sites';
import { getCommenter, requireCommenter } from '../../../packages/verify/src';
import type { CommentsDb } from '../database';
import { CommentApiError } from '../errors';
import { Moderation, MODERATION_STATES, type ModerationOutcome, type ModerationState } from '../moderation';
import type { RequestVerifier } from '../options';
import { resolveSite, siteOf } from '../request-context';
import { CommentStore } from '../storage';
import type { ThreadCache } from '../thread-cache';
import { COMMENT_ID_PATTERN, parsePostId } from '../validation';
import { ModerationLog, type ModerationActionName } from './audit-log';
import { presentLoggedAction, presentModeratedComment } from './moderated-comment';
import { requireModerator } from './moderator-check';

/**
 * The moderation API, for the moderation page (page-route.ts) and any script a moderator
 * writes. JSON; errors as in the comment API. Every request goes through the same pipeline:
 *
 * resolveSite 404 → requireCommenter 401/403/503 → requireModerator 403 → the endpoint
 *
 * GET  /api/sites/:site/moderation/me                         who is signed in, and the site
 * GET  /api/sites/:site/moderation/comments?post&state&sub&before&limit
 *                                                             the site's comments, newest first
 * POST /api/sites/:site/moderation/comments/:id/(hide|unhide|delete|approve)
 * POST /api/sites/:site/moderation/commenters/:sub/(ban|unban)
 * GET  /api/sites/:site/moderation/log?before&limit           what moderators did, newest first
 *
 * The token travels in `Authorization` only, and the service sets no cookie and allows no other
 * origin (no CORS headers here): a page elsewhere cannot make a moderator's browser act, so there
 * is no CSRF surface. An action and its log entry commit together; then the post's cached thread
 * is dropped, so the next GET of the thread anywhere shows the change (other instances see the
 * write through outside-writes.ts, as they see the CLI's).
 */

export const MODERATION_API_PATH = '/api/sites/:site/moderation';

/** A page of comments or log entries: 25 unless asked, at most 100. */
const DEFAULT_PAGE_SIZE = 25;
const MAX_PAGE_SIZE = 100;
/** As `parley comments ban` takes: far above the gateway's 43 characters. */
const MAX_SUB_LENGTH = 255;

export interface ModerationRoutesDependencies {
  readonly db: CommentsDb;
  readonly sites: ReadonlyMap<string, Site>;
  readonly verifier: RequestVerifier;
  /** The comment routes' thread cache: an action drops its post's entry. */
  readonly threads: Pick<ThreadCache, 'invalidatePost'>;
  readonly clock: () => number;
}

type CommentAction = Extract<ModerationActionName, 'hide' | 'unhide' | 'delete' | 'approve'>;
type CommenterAction = Extract<ModerationActionName, 'ban' | 'unban'>;
const COMMENT_ACTIONS: readonly CommentAction[] = ['hide', 'unhide', 'delete', 'approve'];
const COMMENTER_ACTIONS: readonly CommenterAction[] = ['ban', 'unban'];

function queryText(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new CommentApiError('invalid_request', `${name} must be given once.`);
  return value;
}

function parseCursor(req: Request): number | undefined {
  const before = queryText(req, 'before');
  if (before === undefined) return undefined;
  if (!/^[1-9]\d{0,15}$/.test(before)) throw new CommentApiError('invalid_request', 'before must be the `next` of a previous page.');
  return Number(before);
}

function parseLimit(req: Request): number {
  const limit = queryText(req, 'limit');
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!/^\d{1,3}$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_PAGE_SIZE) {
    throw new CommentApiError('invalid_request', `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}.`);
  }
  return Number(limit);
}

function parseState(req: Request): ModerationState | undefined {
  const state = queryText(req, 'state');
  if (state === undefined) return undefined;
  if (!(MODERATION_STATES as readonly string[]).includes(state)) {
    throw new CommentApiError('invalid_request', `state must be one of ${MODERATION_STATES.join(', ')}.`);
  }
  return state as ModerationState;
}

function parseSub(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_SUB_LENGTH) {
    throw new CommentApiError('invalid_request', 'That is not a commenter\'s subject.');
  }
  return value;
}

/** The page's rows plus one: the extra row only says whether there is a next page. */
function paged<T extends { seq: number }>(rows: readonly T[], limit: number): { rows: readonly T[]; next: string | null } {
  return rows.length > limit ? { rows: rows.slice(0, limit), next: String(rows[limit - 1]!.seq) } : { rows, next: null };
}

function moderatorOf(res: Response): { sub: string; name: string } {
  const commenter = getCommenter(res);
  return { sub: commenter.sub, name: commenter.name };
}

function whoAmI(): RequestHandler {
  return (_req, res) => {
    const site = siteOf(res);
    res.json({ site: { id: site.id, name: site.name, moderation: site.moderation ?? 'post' }, moderator: moderatorOf(res) });
  };
}

function listComments({ db }: ModerationRoutesDependencies): RequestHandler {
  return async (req, res) => {
    const siteId = siteOf(res).id;
    const post = queryText(req, 'post');
    const sub = queryText(req, 'sub');
    const limit = parseLimit(req);
    const moderation = new Moderation(db);
    const found = await moderation.recent(siteId, {
      postId: post === undefined ? undefined : parsePostId(post),
      state: parseState(req),
      authorSub: sub === undefined ? undefined : parseSub(sub),
      beforeSeq: parseCursor(req),
      limit: limit + 1,
    });
    const page = paged(found, limit);
    const banned = await moderation.bannedAmong(siteId, page.rows.map((row) => row.author_sub));
    res.json({ comments: page.rows.map((row) => presentModeratedComment(row, banned.has(row.author_sub))), next: page.next });
  };
}

function listActions({ db }: ModerationRoutesDependencies): RequestHandler {
  return async (req, res) => {
    const limit = parseLimit(req);
    const page = paged(await new ModerationLog(db).list(siteOf(res).id, limit + 1, parseCursor(req)), limit);
    res.json({ actions: page.rows.map(presentLoggedAction), next: page.next });
  };
}

/** 404 for no such comment on the site, 409 for a deleted one; otherwise the outcome. */
function checkOutcome(outcome: ModerationOutcome): 'done' | 'unchanged' {
  if (outcome === 'not_found') throw new CommentApiError('not_found', 'There is no such comment on this site.');
  if (outcome === 'deleted') throw new CommentApiError('comment_deleted');
  return outcome;
}

function actOnComment(deps: ModerationRoutesDependencies, action: CommentAction): RequestHandler {
  return async (req, res) => {
    const siteId = siteOf(res).id;
    const id = String(req.params.id);
    if (!COMMENT_ID_PATTERN.test(id)) throw new CommentApiError('not_found', 'There is no such comment on this site.');
    const at = deps.clock();
    const { outcome, row } = await deps.db.transaction().execute(async (trx) => {
      const done = checkOutcome(await new Moderation(trx, () => at)[action](siteId, id));
      if (done === 'done') await new ModerationLog(trx).record({ siteId, moderator: moderatorOf(res), action, target: id, at });
      return { outcome: done, row: (await new CommentStore(trx).find(siteId, id))! };
    });
    // After the commit, not before: a GET in between would cache the old thread again.
    if (outcome === 'done') deps.threads.invalidatePost(siteId, row.post_id);
    const banned = await new Moderation(deps.db).isBanned(siteId, row.author_sub);
    res.json({ outcome, comment: presentModeratedComment(row, banned) });
  };
}

function actOnCommenter(deps: ModerationRoutesDependencies, action: CommenterAction): RequestHandler {
  return async (req, res) => {
    const siteId = siteOf(res).id;
    const sub = parseSub(req.params.sub);
    const at = deps.clock();
    const outcome = await deps.db.transaction().execute(async (trx) => {
      const done = checkOutcome(await new Moderation(trx, () => at)[action](siteId, sub));
      if (done === 'done') await new ModerationLog(trx).record({ siteId, moderator: moderatorOf(res), action, target: sub, at });
      return done;
    });
    res.json({ outcome, commenter: { sub, banned: action === 'ban' } });
  };
}

export function moderationRoutes(deps: ModerationRoutesDependencies): Router {
  const router = Router();
  const guard = [resolveSite(deps.sites), requireCommenter(deps.verifier), requireModerator()];
  router.get(`${MODERATION_API_PATH}/me`, ...guard, whoAmI());
  router.get(`${MODERATION_API_PATH}/comments`, ...guard, listComments(deps));
  router.get(`${MODERATION_API_PATH}/log`, ...guard, listActions(deps));
  for (const action of COMMENT_ACTIONS) router.post(`${MODERATION_API_PATH}/comments/:id/${action}`, ...guard, actOnComment(deps, action));
  for (const action of COMMENTER_ACTIONS) router.post(`${MODERATION_API_PATH}/commenters/:sub/${action}`, ...guard, actOnCommenter(deps, action));
  return router;
}
