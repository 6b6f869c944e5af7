import type { Request, RequestHandler } from 'express';
import { decodeJwt } from 'jose';
import { getCommenter, presentedToken } from '../../../packages/verify/src';
import type { Site } from '../../config/sites';
import { CommentApiError } from '../errors';
import { siteOf } from '../request-context';

/**
 * Who may use the moderation API, checked after the verifier has accepted the token
 * (requireCommenter), on every request:
 *
 * - the token was issued to this very site (403 `wrong_site`): a moderator of another site is
 *   nobody here, and pairwise subjects mean nothing outside their site;
 * - this service's sites file still names moderators for the site (403 `not_moderator`): taking
 *   the whole list away, and restarting the service, ends every moderator's access at once;
 * - the token carries `roles: ["moderator"]` (403 `not_moderator`). The gateway puts it only in
 *   tokens for this service (`aud`) and this site (`client_id`), for an account with an email
 *   method the site lists (src/gateway/moderator-roles.ts); the claim is read from the token the
 *   verifier has just checked, never from anything else the request says.
 */

export const MODERATOR_ROLE = 'moderator';

export const AUTHOR_ROLE = 'author';

/** The `roles` claim of the request's token; call it only once the verifier has accepted that token. */
export function verifiedRoles(req: Request): readonly string[] {
  const roles = decodeJwt(presentedToken(req.get('authorization')).token)['roles'];
  return Array.isArray(roles) ? roles.filter((role): role is string => typeof role === 'string') : [];
}

/** A moderator of `site` by the verified token's roles and this service's sites file. */
export function isModeratorOf(req: Request, site: Site): boolean {
  return (site.moderators?.length ?? 0) > 0 && verifiedRoles(req).includes(MODERATOR_ROLE);
}

export function requireModerator(): RequestHandler {
  return (req, res, next) => {
    const site = siteOf(res);
    if (getCommenter(res).siteId !== site.id) throw new CommentApiError('wrong_site');
    if (!isModeratorOf(req, site)) throw new CommentApiError('not_moderator');
    next();
  };
}
