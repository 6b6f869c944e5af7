import { KEY_ACTIVATION_DELAY_SECONDS } from '../tokens/keys';
import { oidcContextOf, type ProviderMiddleware } from './provider-middleware';

/** Discovery changes only with a new release or configuration. */
export const DISCOVERY_MAX_AGE_SECONDS = 5 * 60;
/**
 * A rotated-in key is published KEY_ACTIVATION_DELAY_SECONDS before it signs anything. A cache in
 * front of the gateway must hand out the new key set well within that time, or verifiers behind
 * it would refuse the first tokens signed with the new key.
 */
export const JWKS_MAX_AGE_SECONDS = Math.floor(KEY_ACTIVATION_DELAY_SECONDS / 3);

/**
 * Explicit cache headers on the two public documents every blog backend fetches. oidc-provider
 * sends none, which leaves shared caches to guess; both answers are the same for every caller
 * (the gateway answers only for its issuer's host), so they may be cached publicly, briefly.
 */
export function cacheableMetadata(): ProviderMiddleware {
  return async (ctx, next) => {
    await next();
    if (ctx.method !== 'GET' || ctx.status !== 200) return;
    const route = oidcContextOf(ctx)?.route;
    if (route === 'discovery') ctx.set('Cache-Control', `public, max-age=${DISCOVERY_MAX_AGE_SECONDS}`);
    if (route === 'jwks') ctx.set('Cache-Control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`);
  };
}
