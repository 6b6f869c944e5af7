import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Site } from '../config/sites';
import type { CommentsDb } from './database';
import { parseGuestComment } from './guest-validation';
import { GUEST_IDP, newGuestSubject } from './guest-identity';
import type { ResolvedCommentServiceOptions } from './options';
import { postComment } from './post-comment';
import { postIdOf, siteOf } from './request-context';
import type { ThreadCache } from './thread-cache';
import { parseIdempotencyKey } from './validation';

/**
 * Guest comments (sites file `guests: true`): a reader posts without signing in, to the same URL
 * as everyone, with no `Authorization` header and `{ body, parentId?, guest: { name, email,
 * website? } }` (guest-validation.ts). What holds them in:
 *
 * - **Always held** for a moderator (`state: "pending"`), whatever the site's `moderation`: a
 *   stranger's words go nowhere public until someone with a sign-in lets them.
 * - **An identity no token can take**: `sub` is `guest:` and 96 random bits, new on every
 *   comment, and `idp` is `guest`. The gateway's pairwise subjects never look like it and nobody
 *   holds a token for it, so nobody can edit or delete a guest comment through the commenter's
 *   API, and a guest who later signs in with the same address inherits nothing.
 * - **The email address is never kept**: only SHA-256(site id + "\n" + normalised address) is
 *   stored (`author_email_hash`), never served, exported or logged; it lets an operator find a
 *   guest's comments when that person asks (erasure) without Parley holding the address. The
 *   moderation page does not show it either.
 * - **Limits by client address**: the lock, the rate limits and Idempotency-Keys belong to
 *   `guest-address:<ip>`: `req.ip`, which is the TCP peer unless PARLEY_TRUST_PROXY names the
 *   reverse proxy in front (then the address that proxy saw). A forged `X-Forwarded-For` from
 *   anyone else changes nothing. (Behind a proxy not named there, every guest shares the proxy's
 *   budget, which errs on the side of fewer comments.)
 */

export interface GuestCommentDependencies {
  readonly db: CommentsDb;
  readonly sites: ReadonlyMap<string, Site>;
  readonly options: ResolvedCommentServiceOptions;
}

/** The client's address (see above), an IPv4-mapped IPv6 address written as IPv4. */
export function clientAddress(req: Request): string {
  const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

export function guestEmailHash(siteId: string, email: string): string {
  return createHash('sha256').update(`${siteId}\n${email}`).digest('hex');
}

/** The subjects (one per comment) of a site's guest comments posted with the address whose hash this is. */
export async function guestSubjectsByEmail(db: CommentsDb, siteId: string, emailHash: string): Promise<string[]> {
  const rows = await db.selectFrom('comments').select('author_sub').where('site_id', '=', siteId).where('author_email_hash', '=', emailHash).execute();
  return [...new Set(rows.map((row) => row.author_sub))].sort();
}

/**
 * Runs before the signed-in pipeline: a POST without `Authorization` to a site that takes guests
 * goes this way; everything else (and an unknown site) to the next route, unchanged.
 */
export function takesGuest(sites: ReadonlyMap<string, Site>): RequestHandler {
  return (req, _res, next) => {
    const site = sites.get(String(req.params.site));
    next(site?.guests === true && req.get('authorization') === undefined ? undefined : 'route');
  };
}

/**
 * Posts a guest's comment, once the body is parsed. A body without `guest` is a signed-in POST
 * that forgot its token: `withoutGuest` (the token check) answers it, 401 as on any site.
 */
export function createGuestComment(deps: GuestCommentDependencies, threads: ThreadCache, withoutGuest: RequestHandler): RequestHandler {
  return async (req, res, next) => {
    const payload: unknown = req.body;
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload) || !Object.hasOwn(payload, 'guest')) {
      await withoutGuest(req, res, next);
      return;
    }
    const { comment, guest } = parseGuestComment(payload as Record<string, unknown>);
    const idempotencyKey = parseIdempotencyKey(req.get('idempotency-key'));
    const siteId = siteOf(res).id;
    const result = await postComment(
      deps.db,
      deps.options,
      {
        siteId,
        postId: postIdOf(res),
        commenter: {
          sub: newGuestSubject(),
          name: guest.name,
          idp: GUEST_IDP,
          website: guest.website,
          emailHash: guestEmailHash(siteId, guest.email),
        },
        actor: `guest-address:${clientAddress(req)}`,
        fingerprintExtra: JSON.stringify([guest.name, guest.email, guest.website]),
        comment,
        idempotencyKey,
        now: deps.options.clock(),
        held: true,
      },
      threads,
    );
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(result.status).json(result.body);
  };
}
