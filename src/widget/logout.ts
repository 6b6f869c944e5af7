import type { Discovery } from './discovery';

/** How long "Log Out" waits for the revocation endpoint before giving up on it (the UI never waits). */
const REVOCATION_TIMEOUT_MS = 10_000;

/**
 * The gateway's RP-initiated logout page for this site (OpenID Connect RP-Initiated Logout 1.0),
 * or undefined when the gateway advertises none. Opened in a popup, it is a first-party context
 * for the gateway, so the gateway's own cookies are sent without third-party cookies.
 */
export function endSessionUrl(discovery: Discovery, siteId: string): string | undefined {
  if (!discovery.end_session_endpoint) return undefined;
  const url = new URL(discovery.end_session_endpoint);
  url.searchParams.set('client_id', siteId);
  return url.href;
}

/**
 * Revokes an access token (RFC 7009) as the public client `siteId`. The gateway then refuses every
 * token of that sign-in at every comment service. True when the gateway answered 200.
 */
export async function revokeAccessToken(discovery: Discovery, siteId: string, accessToken: string): Promise<boolean> {
  if (!discovery.revocation_endpoint) return false;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), REVOCATION_TIMEOUT_MS);
  try {
    const response = await fetch(discovery.revocation_endpoint, {
      method: 'POST',
      credentials: 'omit',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ token: accessToken, token_type_hint: 'access_token', client_id: siteId }).toString(),
      signal: controller.signal,
    });
    return response.ok;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
