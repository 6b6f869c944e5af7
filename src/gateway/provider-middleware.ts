import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';

/** A Koa middleware for oidc-provider's own stack (provider.use). */
export type ProviderMiddleware = Parameters<Provider['use']>[0];
type KoaContext = Parameters<ProviderMiddleware>[0];

/**
 * oidc-provider's context of a request, set by its router: present once `next()` has returned
 * for every request it routed, absent for paths it does not serve.
 */
export function oidcContextOf(ctx: KoaContext): KoaContextWithOIDC['oidc'] | undefined {
  return (ctx as Partial<KoaContextWithOIDC>).oidc;
}
