import type { ClientMetadata } from 'oidc-provider';
import type { Site } from '../config/sites';

/** The gateway page that hands a site its authorization response (see relay.ts). */
export function relayUri(issuer: string, siteId: string): string {
  return `${issuer}/relay/${siteId}`;
}

/**
 * Each site is a public client (no secret: it runs in a browser) using the authorization code flow
 * with PKCE. Redirect URIs: its relay page on the gateway, plus any it lists. Post-logout redirect
 * URIs: only those it lists; without any, RP-initiated logout ends on the gateway's own page (the
 * widget's Log Out popup closes itself there). A site with `requireDpop` gets only DPoP-bound
 * access tokens: its token endpoint refuses a code redemption without a DPoP proof.
 */
export function siteClient(issuer: string, site: Site): ClientMetadata {
  const redirectUris = [relayUri(issuer, site.id), ...site.redirectUris];
  const hosts = new Set(redirectUris.map((uri) => new URL(uri).host));
  return {
    client_id: site.id,
    client_name: site.name,
    application_type: 'web',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: redirectUris,
    ...(site.postLogoutRedirectUris?.length ? { post_logout_redirect_uris: [...site.postLogoutRedirectUris] } : {}),
    ...(site.requireDpop ? { dpop_bound_access_tokens: true } : {}),
    subject_type: 'pairwise',
    // oidc-provider demands an (https) sector identifier when redirect URIs span hosts. Our
    // subjects are derived from the site id (see pairwiseSubject), so it is only a name: it is
    // never fetched (sectorIdentifierUriValidate is off).
    ...(hosts.size > 1 ? { sector_identifier_uri: `https://${new URL(issuer).host}/sites/${site.id}/sector` } : {}),
  };
}
