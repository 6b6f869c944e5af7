import { createPrivateKey, sign, type JsonWebKey } from 'node:crypto';
import type { StoredKey } from './keys';

function segment(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * Signs `claims` as a compact JWS with one of the gateway's token keys (RS256), for what the
 * gateway signs outside oidc-provider: revocation events and back-channel requests.
 */
export function signCompactJws(key: StoredKey, typ: string, claims: Record<string, unknown>): string {
  const header = { alg: 'RS256', typ, kid: key.kid };
  const signingInput = `${segment(header)}.${segment(claims)}`;
  const privateKey = createPrivateKey({ key: key.jwk as JsonWebKey, format: 'jwk' });
  return `${signingInput}.${sign('sha256', Buffer.from(signingInput), privateKey).toString('base64url')}`;
}
