import { createHash, createHmac } from 'node:crypto';
import type { Account, IdentityProvider } from '../store/accounts';

/** Access tokens for the comment service live at most this long (the contract says 15 minutes). */
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const ID_TOKEN_TTL_SECONDS = 15 * 60;

const IDENTITY_PROVIDERS: readonly IdentityProvider[] = ['email', 'twitter', 'facebook'];

export function isIdentityProvider(value: unknown): value is IdentityProvider {
  return typeof value === 'string' && (IDENTITY_PROVIDERS as readonly string[]).includes(value);
}

/**
 * The per-site subject: an HMAC of (site, account), so each site sees one stable `sub` for a
 * commenter and two sites cannot correlate theirs. Derived from the site id, not oidc-provider's
 * sector (the host of the first redirect URI), because every site's relay is on the gateway host.
 */
export function pairwiseSubject(secret: string, siteId: string, accountId: string): string {
  return createHmac('sha256', secret).update(`${siteId}\u0000${accountId}`).digest('base64url');
}

/**
 * A picture the verifier will accept (packages/verify/src/claims.ts parses it): a claim that merely starts
 * with "https://" but is no URL would make every token of that commenter fail verification.
 */
function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

/** The display claims every token carries; `picture` only when it is an https URL. */
export function profileClaims(account: Account): { name: string; picture?: string } {
  const picture = account.picture && account.picture.startsWith('https://') && isHttpsUrl(account.picture) ? account.picture : undefined;
  return picture ? { name: account.displayName, picture } : { name: account.displayName };
}

/**
 * The `sid` of an access token: names the grant it was issued on (one per browser session and
 * site) without revealing the grant's id. Revoking the grant revokes every token with this `sid`.
 */
export function sessionHandle(grantId: string): string {
  return createHash('sha256').update(`parley-sid\u0000${grantId}`).digest('base64url').slice(0, 22);
}
