import type { JsonWebKey } from 'node:crypto';
import { importPublicKey, verifySignature } from '../../packages/verify/src/algorithms';
import { decodeCompactJws, decodeJsonSegment } from '../../packages/verify/src/jws';
import type { KeyRing } from '../tokens/keys';
import { SIGNING_ALGORITHM } from '../tokens/keys';
import { RevokingGrantAdapter } from './grant-adapter';
import { oidcContextOf, type ProviderMiddleware } from './provider-middleware';
import type { TokenRevocations } from './token-revocations';

/** The claims of one of our own JWT access tokens, or undefined when it is not one. */
function ownAccessTokenClaims(token: string, keyRing: KeyRing, issuer: string): Record<string, unknown> | undefined {
  try {
    const jws = decodeCompactJws(token);
    const { alg, kid, typ } = jws.header;
    if (alg !== SIGNING_ALGORITHM || typ !== 'at+jwt') return undefined;
    const stored = keyRing.keys.find((key) => key.kid === kid);
    const key = stored && importPublicKey(stored.jwk as JsonWebKey, SIGNING_ALGORITHM);
    if (!key || !verifySignature(SIGNING_ALGORITHM, key, jws.signingInput, jws.signature)) return undefined;
    const claims = decodeJsonSegment(jws.payloadSegment, 'claims set');
    return claims.iss === issuer ? claims : undefined;
  } catch {
    return undefined;
  }
}

/**
 * RFC 7009 revocation for our JWT access tokens. oidc-provider revokes only the tokens it stores
 * and answers `unsupported_token_type` for structured ones; the widget's Log Out sends exactly
 * those. Here such a token, once its signature checks out and it belongs to the client asking,
 * has its sign-in ended: its grant destroyed and every token of it (`sid`) revoked through the revocation feed, and the
 * client gets the 200 RFC 7009 §2.2 prescribes. A token that is not ours, or another client's,
 * also gets 200 and changes nothing (§2.2: an invalid token is no error).
 */
export function revokeJwtAccessTokens(deps: { revocations: TokenRevocations; keyRing: () => KeyRing; issuer: string }): ProviderMiddleware {
  return async (ctx, next) => {
    await next();
    const oidc = oidcContextOf(ctx);
    if (oidc?.route !== 'revocation' || ctx.status !== 400 || (ctx.body as { error?: unknown } | undefined)?.error !== 'unsupported_token_type') return;
    const token = oidc.params?.['token'];
    const client = oidc.client;
    if (typeof token !== 'string' || !client) return;
    const claims = ownAccessTokenClaims(token, deps.keyRing(), deps.issuer);
    if (claims && claims['client_id'] === client.clientId && typeof claims['sid'] === 'string') {
      // The grant ends too (its destroy publishes the revocation): otherwise the next authorization
      // from the same browser would reuse it, and its fresh tokens would carry the revoked sid.
      const grants = oidc.provider.Grant.adapter;
      const ended = grants instanceof RevokingGrantAdapter && (await grants.destroyBySessionHandle(client.clientId, claims['sid']));
      if (!ended) await deps.revocations.revokeSession(client.clientId, claims['sid']);
    }
    ctx.status = 200;
    ctx.body = '';
  };
}
