import Provider, { errors, interactionPolicy, type AdapterFactory, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Settings } from '../config/settings';
import type { Site } from '../config/sites';
import type { Account, AccountStore } from '../store/accounts';
import type { KeyRing } from '../tokens/keys';
import { SIGNING_ALGORITHM } from '../tokens/keys';
import { ACCESS_TOKEN_TTL_SECONDS, ID_TOKEN_TTL_SECONDS, isIdentityProvider, pairwiseSubject, profileClaims, sessionHandle } from '../tokens/claims';
import { oidcErrorPage } from './views/error-pages';
import type { TokenRevocations } from './token-revocations';
import { REVOCATION_FEED_DISCOVERY_FIELD, REVOCATION_FEED_PATH } from './revocation-feed';
import { siteClient } from './clients';
import { html, SafeHtml } from '../http/html';
import { page } from './html';
import { unavailableOnServerError } from './server-errors';
import { burnCodeOnFailedRedemption } from './single-use-codes';
import { cacheableMetadata } from './metadata-caching';
import { advertiseResourceScopes } from './resource-scopes-discovery';
import { revokeJwtAccessTokens } from './access-token-revocation';
import { siteRoles } from './moderator-roles';
import { siteOrigins } from './moderation-origin';
import type { CommenterSites } from '../store/commenter-sites';
import { VERIFIER_DEFAULTS } from '../../packages/verify/src';

/** The scope a site asks for to post comments; it is the comment service's only scope. */
export const COMMENTS_SCOPE = 'comments';

const AUTHORIZATION_CODE_TTL_SECONDS = 60;
const INTERACTION_TTL_SECONDS = 30 * 60;
export const SESSION_TTL_SECONDS = 14 * 24 * 60 * 60;

export interface OidcProviderDeps {
  readonly settings: Settings;
  readonly keyRing: KeyRing;
  /** Where its models are kept (GatewayStores.oidcAdapter: the database, or Redis for the short-lived ones). */
  readonly adapter: AdapterFactory;
  readonly accounts: AccountStore;
  readonly cookieKeys: readonly string[];
  readonly pairwiseSecret: string;
  readonly revocations: TokenRevocations;
  /** Where each site's subject for an account is recorded as tokens are issued (the account page, reply notifications). */
  readonly commenterSites?: CommenterSites;
  /** Access-token lifetime; ACCESS_TOKEN_TTL_SECONDS unless a test needs tokens that run out. */
  readonly accessTokenTtlSeconds?: number;
}

/**
 * What a registered site is granted without a consent screen (the picker says what it will see):
 * the profile for the ID token and the comments scope at the comment service.
 */
export function grantSiteAccess(grant: InstanceType<Provider['Grant']>, commentsUrl: string): void {
  grant.addOIDCScope('openid profile');
  grant.addOIDCClaims(['sub', 'name', 'picture']);
  grant.addResourceScope(commentsUrl, COMMENTS_SCOPE);
}

/**
 * The account behind a request, read once: the token endpoint asks for it for the ID token's claims
 * and again for the access token's.
 */
function accountPerRequest(accounts: AccountStore): (ctx: object, id: string) => Promise<Account | undefined> {
  const lookups = new WeakMap<object, Map<string, Promise<Account | undefined>>>();
  return (ctx, id) => {
    let forRequest = lookups.get(ctx);
    if (!forRequest) lookups.set(ctx, (forRequest = new Map()));
    let account = forRequest.get(id);
    if (!account) forRequest.set(id, (account = accounts.get(id)));
    return account;
  };
}

/**
 * A login is needed again when the site asks for a specific provider ("Log in with Twitter") and
 * the current session was signed in through another one — unless the commenter has just signed
 * in within this interaction, whatever method they chose in the popup.
 */
function providerChangedCheck() {
  return new interactionPolicy.Check('provider_changed', 'the requested provider differs from the session', (ctx: KoaContextWithOIDC) => {
    const wanted = ctx.oidc.params?.['provider'];
    const session = ctx.oidc.session;
    if (typeof wanted !== 'string' || !session?.accountId) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
    // oidc-provider is resuming after an interaction in which the commenter signed in (its result
    // is the session's login now): the method chosen in the popup wins over the `provider` the site
    // first asked for, or the popup would ask for that one again, and again (issue #11). The
    // built-in max_age check lets a fresh login through the same way.
    if (ctx.oidc.result?.login) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
    const used = (session as unknown as { amr?: string[] }).amr?.[0];
    return used === wanted ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT;
  });
}

function interactionPolicyWithProviderCheck() {
  const policy = interactionPolicy.base();
  policy.get('login')!.checks.add(providerChangedCheck());
  return policy;
}

/**
 * oidc-provider configured for Parley. Every default the library warns about is set on purpose:
 * no dev interactions, our keys, our cookie keys, JWT access tokens for the comment service only,
 * PKCE S256 for every client, pairwise subjects per site, implicit consent for registered sites.
 */
export function createOidcProvider(deps: OidcProviderDeps): Provider {
  const { settings, keyRing } = deps;
  const accountFor = accountPerRequest(deps.accounts);
  const issuer = settings.gateway.issuer;
  const accessTokenTtlSeconds = deps.accessTokenTtlSeconds ?? ACCESS_TOKEN_TTL_SECONDS;
  const commentsUrl = settings.comments.url;
  const sitesById = new Map<string, Site>(settings.sites.map((site) => [site.id, site]));
  const cookieOptions = { signed: true, httpOnly: true, sameSite: 'lax' as const, secure: settings.production };

  const configuration: Configuration = {
    adapter: deps.adapter,
    clients: settings.sites.map((site) => siteClient(issuer, site)),
    jwks: { keys: keyRing.keys.map((key) => key.jwk) } as Configuration['jwks'],
    cookies: { keys: [...deps.cookieKeys], long: cookieOptions, short: cookieOptions },
    claims: { openid: ['sub'], profile: ['name', 'picture'] },
    // `comments` is not listed: it is the comment service's resource scope (see resourceIndicators).
    // Discovery still lists it in scopes_supported (advertiseResourceScopes, below).
    scopes: ['openid', 'profile'],
    responseTypes: ['code'],
    subjectTypes: ['pairwise'],
    pkce: { required: () => true },
    // Every site is a public client (siteClient): discovery lists no secret or key based method
    // that no site could use, and the token and revocation endpoints accept none of them.
    clientAuthMethods: ['none'],
    extraParams: ['provider'],
    clientDefaults: { id_token_signed_response_alg: SIGNING_ALGORITHM },
    enabledJWA: {
      idTokenSigningAlgValues: [SIGNING_ALGORITHM],
      // DPoP (features.dPoP, on by default): a token request with a proof gets a token bound to its
      // key (cnf.jkt). Only algorithms the comment service's verifier accepts, so discovery's
      // dpop_signing_alg_values_supported never promises a binding it would then refuse.
      dPoPSigningAlgValues: [...VERIFIER_DEFAULTS.dpopAlgorithms],
    },
    // Sector identifiers are never fetched: see siteClient.
    sectorIdentifierUriValidate: () => false,
    pairwiseIdentifier: async (_ctx, accountId, client) => pairwiseSubject(deps.pairwiseSecret, client.clientId, accountId),
    ttl: {
      AccessToken: accessTokenTtlSeconds,
      AuthorizationCode: AUTHORIZATION_CODE_TTL_SECONDS,
      IdToken: ID_TOKEN_TTL_SECONDS,
      Interaction: INTERACTION_TTL_SECONDS,
      Session: SESSION_TTL_SECONDS,
      Grant: SESSION_TTL_SECONDS,
    },
    interactions: {
      url: async (_ctx, interaction) => `/interaction/${interaction.uid}`,
      policy: interactionPolicyWithProviderCheck(),
    },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      // No userinfo endpoint, and none advertised. The access token a site gets is for the comment
      // service (aud = PARLEY_COMMENTS_URL, scope `comments`), and oidc-provider rightly refuses
      // such a token at userinfo: a token one service accepts must not open another. Blog backends
      // need no second call either: the ID token and the access token already carry `sub`, `name`
      // and `picture`, checked offline. Only a sign-in without `comments` got a token userinfo took.
      userinfo: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        // The widget's "Log Out" opens this in a popup (a first-party context, so the gateway's
        // cookies are sent). One choice only: "Stay signed in" would keep this browser's sign-in,
        // which on a shared computer is the takeover Log Out exists to prevent.
        logoutSource: async (ctx, form) => {
          const site = ctx.oidc.client ? sitesById.get(ctx.oidc.client.clientId)?.name : undefined;
          ctx.body = page({
            title: 'Log out of comments',
            siteName: site,
            scripts: ['logout.js'],
            body: html`<h1>Log out of comments on this browser?</h1>
<p>${site ? html`You asked to log out on <strong>${site}</strong>. ` : ''}Blogs using Parley will ask who you are again, here and in every other tab of this browser.</p>
<p class="muted">Do this on a shared or public computer, so the next person cannot comment as you.</p>${new SafeHtml(form)}
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Log out</button>
<button type="button" id="logout-cancel" class="secondary" hidden>Cancel</button>`,
          });
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = page({
            title: 'Logged out',
            scripts: ['logout.js'],
            body: html`<h1 id="logout-done">You are logged out of comments on this browser</h1>
<p>Your comment log-in on this browser has ended. You can close this window.</p>`,
          });
        },
      },
      resourceIndicators: {
        enabled: true,
        // Tokens are for the comment service whenever a site asks for the comments scope.
        defaultResource: async (ctx, _client, oneOf) => {
          if (oneOf) return oneOf;
          const scope = String(ctx.oidc.params?.['scope'] ?? '');
          return scope.split(' ').includes(COMMENTS_SCOPE) ? commentsUrl : undefined;
        },
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resource) => {
          if (resource !== commentsUrl) throw new errors.InvalidTarget();
          return {
            scope: COMMENTS_SCOPE,
            audience: commentsUrl,
            accessTokenTTL: accessTokenTtlSeconds,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: SIGNING_ALGORITHM, kid: keyRing.current.kid } },
          };
        },
      },
    },
    // Registered sites get implicit consent: the picker tells the commenter what the site sees.
    loadExistingGrant: async (ctx) => {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      if (grantId) {
        const existing = await ctx.oidc.provider.Grant.find(grantId);
        if (existing && existing.accountId === session.accountId) return existing;
      }
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grantSiteAccess(grant, commentsUrl);
      await grant.save();
      session.grantIdFor(client.clientId, grant.jti);
      return grant;
    },
    findAccount: async (ctx, id) => {
      const account = await accountFor(ctx, id);
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...profileClaims(account) }) };
    },
    extraTokenClaims: async (ctx, token) => {
      if (token.kind !== 'AccessToken' || !('accountId' in token) || !token.accountId) return undefined;
      const account = await accountFor(ctx, token.accountId);
      if (!account) return undefined;
      // The method used for this sign-in travels as the authentication method reference (amr).
      const amr = ctx.oidc.entities.AuthorizationCode?.amr ?? [];
      const idp = amr.find(isIdentityProvider);
      // `sid` names the grant, so logging out of this browser revokes exactly its tokens.
      const sid = token.grantId ? { sid: sessionHandle(token.grantId) } : {};
      if (token.clientId) await deps.commenterSites?.record(token.accountId, token.clientId, pairwiseSubject(deps.pairwiseSecret, token.clientId, token.accountId));
      // Only in tokens for the comment service, the one party told to trust it (docs/moderation.md).
      const roles = token.aud === commentsUrl ? await siteRoles(deps.accounts, sitesById.get(token.clientId ?? ''), token.accountId) : [];
      return { ...profileClaims(account), ...(idp ? { idp } : {}), ...sid, ...(roles.length > 0 ? { roles } : {}) };
    },
    // Verifiers find the revocation feed here (packages/verify/src/issuer-documents.ts).
    discovery: { [REVOCATION_FEED_DISCOVERY_FIELD]: `${issuer}${REVOCATION_FEED_PATH}` },
    clientBasedCORS: (_ctx, origin, client) => {
      const site = sitesById.get(client.clientId);
      return site !== undefined && siteOrigins(site, commentsUrl).includes(origin);
    },
    // In plain words for a reader (views/error-pages.ts), never oidc-provider's description.
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = oidcErrorPage(out, ctx.oidc?.client ? sitesById.get(ctx.oidc.client.clientId)?.name : undefined);
    },
  };
  const provider = new Provider(issuer, configuration);
  // Behind a TLS-terminating proxy, the Koa app must believe X-Forwarded-Proto to see https.
  provider.proxy = settings.gateway.trustProxy !== false;
  provider.use(unavailableOnServerError());
  provider.use(burnCodeOnFailedRedemption());
  provider.use(cacheableMetadata());
  provider.use(advertiseResourceScopes([COMMENTS_SCOPE]));
  provider.use(revokeJwtAccessTokens({ revocations: deps.revocations, keyRing: () => keyRing, issuer }));
  return provider;
}
