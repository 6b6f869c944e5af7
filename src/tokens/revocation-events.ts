import { randomUUID } from 'node:crypto';
import { signCompactJws } from './compact-jws';
import type { StoredKey } from './keys';
import { ACCESS_TOKEN_TTL_SECONDS } from './claims';
// The verifier reads what the gateway writes: one definition of the event, in the verifier.
import { SESSION_REVOKED_EVENT } from '../../packages/verify/src/revocations';

/**
 * Revocations travel as Security Event Tokens (RFC 8417), one per revocation, each an OpenID
 * CAEP "session-revoked" event signed with the gateway's current token key. A verifier that trusts
 * the gateway's access tokens can check them with the same keys and refuse the tokens they name.
 *
 * The subject (RFC 9493 subject identifiers) is one of:
 * - `{ format: "opaque", id: <sid> }`: every access token whose `sid` claim is <sid> (one browser
 *   session's sign-in at one site: logout, a replayed or misused authorization code);
 * - `{ format: "iss_sub", iss, sub }`: every access token of that site's subject issued (`iat`)
 *   before the event's `event_timestamp` (sign out everywhere, a removed sign-in method, an
 *   operator's revocation).
 * The site is the SET's `client_id`.
 */
export const SECURITY_EVENT_TOKEN_TYPE = 'secevent+jwt';
/**
 * A revocation matters while a token it names can still be alive: tokens live 15 minutes, and a
 * verifier allows some clock skew. After this the event is dropped from the feed.
 */
export const REVOCATION_RETENTION_SECONDS = ACCESS_TOKEN_TTL_SECONDS + 5 * 60;

export type Revocation =
  | { readonly kind: 'session'; readonly siteId: string; readonly sessionId: string }
  | { readonly kind: 'subject'; readonly siteId: string; readonly subject: string };

export interface SignedRevocation {
  readonly jti: string;
  readonly jwt: string;
}

/** Signs one revocation as a SET with `key` (RS256, the gateway's token key). */
export function signRevocation(key: StoredKey, issuer: string, revocation: Revocation, nowMs: number): SignedRevocation {
  const jti = randomUUID();
  // event_timestamp in whole seconds, rounded up: every token issued before the revocation has an
  // iat below it (iat is rounded down), whatever the milliseconds.
  const eventSeconds = Math.ceil(nowMs / 1000);
  const subId =
    revocation.kind === 'session'
      ? { format: 'opaque', id: revocation.sessionId }
      : { format: 'iss_sub', iss: issuer, sub: revocation.subject };
  const claims = {
    iss: issuer,
    iat: Math.floor(nowMs / 1000),
    jti,
    client_id: revocation.siteId,
    sub_id: subId,
    events: { [SESSION_REVOKED_EVENT]: { event_timestamp: eventSeconds } },
  };
  return { jti, jwt: signCompactJws(key, SECURITY_EVENT_TOKEN_TYPE, claims) };
}
