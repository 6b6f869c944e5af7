import { oidcContextOf, type ProviderMiddleware } from './provider-middleware';

/**
 * A failed redemption of an authorization code uses the code up and revokes its grant.
 *
 * - RFC 6749 §4.1.2: a code is single-use; RFC 9700 §4.8 (PKCE downgrade and code injection): a
 *   code presented with the wrong verifier may be in an attacker's hands. oidc-provider answers
 *   such a request with 400 invalid_grant but leaves the code alive, so whoever holds the right
 *   verifier could still redeem it afterwards, and an attacker could try verifiers at leisure
 *   within the code's minute.
 * - Any 4xx answer to an authorization_code request that named a code counts: wrong or malformed
 *   verifier, wrong redirect_uri, another site's client_id. The code is consumed and every token
 *   of its grant revoked, as oidc-provider itself does when a code is replayed.
 * - It runs after oidc-provider's own handling, before the answer leaves, so a second request
 *   sent after the first answer always finds the code dead.
 */
export function burnCodeOnFailedRedemption(): ProviderMiddleware {
  return async (ctx, next) => {
    await next();
    if (ctx.status < 400 || ctx.status >= 500 || ctx.method !== 'POST') return;
    const oidc = oidcContextOf(ctx);
    if (oidc?.route !== 'token') return;
    const body = (oidc.params ?? (oidc as unknown as { body?: Record<string, unknown> }).body ?? {}) as Record<string, unknown>;
    if (body['grant_type'] !== 'authorization_code' || typeof body['code'] !== 'string') return;

    const { provider } = oidc;
    const code = await provider.AuthorizationCode.find(body['code'], { ignoreExpiration: true });
    if (!code) return;
    // `consumed` is set on a code that was redeemed; the typings leave it out.
    if (!(code as { consumed?: unknown }).consumed) await code.consume();
    const { grantId } = code;
    if (!grantId) return;
    await Promise.all([
      provider.AccessToken.revokeByGrantId(grantId),
      provider.AuthorizationCode.revokeByGrantId(grantId),
      provider.Grant.adapter.destroy(grantId),
    ]);
    provider.emit('grant.revoked', ctx, grantId);
  };
}
