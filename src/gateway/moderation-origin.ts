import type { Site } from '../config/sites';

/**
 * The origins the gateway hands a site's authorization responses to (the relay page) and lets
 * redeem its codes (token endpoint CORS): the site's own, plus, for a site with moderators, the
 * comment service's, where the moderation page (`PARLEY_COMMENTS_URL/moderate/<site>`) signs
 * its moderators in exactly as the widget signs commenters in. The comment service is the
 * tokens' audience already; a code reaching it is of no use without the page's PKCE verifier.
 */
export function siteOrigins(site: Site, commentsUrl: string): readonly string[] {
  if (!site.moderators?.length) return site.origins;
  const moderationOrigin = new URL(commentsUrl).origin;
  return site.origins.includes(moderationOrigin) ? site.origins : [...site.origins, moderationOrigin];
}
