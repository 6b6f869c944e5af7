import { oidcContextOf, type ProviderMiddleware } from './provider-middleware';

/**
 * Adds resource-server scopes to discovery's `scopes_supported` (RFC 8414 §2: the scope values
 * this server supports, whoever they are for).
 *
 * oidc-provider lists only its OpenID Connect scopes there, and its own documentation says a
 * resource server's scope does not belong among them (configured there, `comments` would become
 * an OpenID scope: asked for at consent and put in tokens for the gateway itself). Its `discovery`
 * option only fills members it leaves out, so the member is completed on the way out instead.
 * Without this, third-party clients read that the one scope every site must ask for is unknown.
 */
export function advertiseResourceScopes(scopes: readonly string[]): ProviderMiddleware {
  return async (ctx, next) => {
    await next();
    if (ctx.method !== 'GET' || ctx.status !== 200 || oidcContextOf(ctx)?.route !== 'discovery') return;
    const body = ctx.body as { scopes_supported?: string[] };
    const listed = body.scopes_supported ?? [];
    body.scopes_supported = [...listed, ...scopes.filter((scope) => !listed.includes(scope))];
  };
}
