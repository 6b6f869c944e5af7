import * as client from 'openid-client';
import { TestBrowser, type BrowserResponse } from './browser';
import { bindLoopback, type Listener } from './listener';
import { codeIn, interactionUid, readMailbox } from './oidc-client';

/**
 * A blog backend signing commenters in with openid-client 6 (panva's certified relying party), as a
 * blog owner would write it from the README: discovery, PKCE, a redirect URI of its own, DPoP.
 * Nothing here knows Parley's internals; only the reader's part (the gateway's email pages, driven
 * over HTTP by a TestBrowser) does, because a reader is a person and not a library.
 */

/** Scopes every site asks for (DESIGN.md, Tokens). */
export const SITE_SCOPE = 'openid profile comments';

/**
 * The backend's own callback route on loopback: its URL is registered as the site's redirect URI,
 * and it answers the reader's browser with a page, as a backend's route would (the test, not this
 * route, then redeems the code that arrived in the URL, so it can assert on every step).
 */
export interface CallbackRoute {
  /** The redirect URI to register for the site. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startCallbackRoute(): Promise<CallbackRoute> {
  const listener: Listener = await bindLoopback();
  listener.serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Signed in: you can go back to the post.');
  });
  return { url: `http://127.0.0.1:${listener.port}/auth/callback`, close: () => listener.close() };
}

/**
 * openid-client's Configuration for one site: discovery at the gateway, a public client (`none`:
 * sites hold no secret). The test gateway speaks plain HTTP on loopback, which openid-client
 * refuses unless told; and over HTTP the TLS-based trust in the ID token's origin is gone, so its
 * signature is checked against the JWKS too (enableNonRepudiationChecks).
 */
export function discoverAsSite(issuer: string, siteId: string, redirectUri: string): Promise<client.Configuration> {
  return client.discovery(new URL(issuer), siteId, { redirect_uris: [redirectUri] }, client.None(), {
    execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks],
  });
}

/** What the backend keeps in the reader's session between the redirect and the callback. */
export interface BackendAuthorization {
  readonly url: URL;
  readonly codeVerifier: string;
  readonly state: string;
  readonly nonce: string;
}

/** The authorization request parameters, with fresh PKCE (S256), state and nonce. */
async function authorizationParameters(redirectUri: string): Promise<{ parameters: Record<string, string>; codeVerifier: string; state: string; nonce: string }> {
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const parameters = {
    redirect_uri: redirectUri,
    scope: SITE_SCOPE,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    // Parley's extra parameter: straight to the email sign-in, no picker.
    provider: 'email',
  };
  return { parameters, codeVerifier, state, nonce };
}

/** A plain authorization request: every parameter in the URL the reader's browser opens. */
export async function plainAuthorization(config: client.Configuration, redirectUri: string): Promise<BackendAuthorization> {
  const { parameters, ...checks } = await authorizationParameters(redirectUri);
  return { url: client.buildAuthorizationUrl(config, parameters), ...checks };
}

/**
 * A pushed authorization request (RFC 9126): the parameters go to the gateway from the backend,
 * and the reader's browser opens a URL with only `client_id` and `request_uri`. With a DPoP handle
 * the push also binds the code to that key (`dpop_jkt`, RFC 9449 §10).
 */
export async function pushedAuthorization(config: client.Configuration, redirectUri: string, dpop?: client.DPoPHandle): Promise<BackendAuthorization> {
  const { parameters, ...checks } = await authorizationParameters(redirectUri);
  return { url: await client.buildAuthorizationUrlWithPAR(config, parameters, dpop ? { DPoP: dpop } : {}), ...checks };
}

/**
 * The reader's part: opens the authorization URL, asks for a sign-in email, types the 6-digit code
 * from the dev mailbox, and lands on the backend's callback. Returns the callback URL (code, state,
 * iss) exactly as the backend's route received it.
 */
export async function readerSignsInByEmail(browser: TestBrowser, issuer: string, authorizationUrl: URL, email: string, name: string): Promise<URL> {
  const form = await browser.get(authorizationUrl.href);
  const uid = interactionUid(form);
  const sent = await browser.post(`${issuer}/interaction/${uid}/email`, { email, name });
  if (sent.status !== 200) throw unexpectedPage('the sign-in email to be sent', sent);
  const [message] = await readMailbox(issuer, email);
  if (!message) throw new Error(`no sign-in email for ${email} in the dev mailbox`);
  const landed = await browser.post(`${issuer}/interaction/${uid}/email/code`, { code: codeIn(message) });
  if (landed.status !== 200 || !landed.url.includes('/auth/callback')) throw unexpectedPage("the backend's callback", landed);
  return new URL(landed.url);
}

function unexpectedPage(expected: string, response: BrowserResponse): Error {
  return new Error(`expected ${expected}, got ${response.status} ${response.url}\n${response.text.slice(0, 1500)}`);
}

/**
 * The backend's callback: openid-client checks state and iss in the response, redeems the code
 * with the PKCE verifier (and a DPoP proof when given a handle), and validates the ID token
 * (signature, iss, aud, exp, iat, nonce).
 */
export function redeemAtCallback(
  config: client.Configuration,
  callbackUrl: URL,
  authorization: BackendAuthorization,
  dpop?: client.DPoPHandle,
): ReturnType<typeof client.authorizationCodeGrant> {
  return client.authorizationCodeGrant(
    config,
    callbackUrl,
    { pkceCodeVerifier: authorization.codeVerifier, expectedState: authorization.state, expectedNonce: authorization.nonce, idTokenExpected: true },
    undefined,
    dpop ? { DPoP: dpop } : {},
  );
}

/**
 * A request to a protected resource with openid-client: `Authorization: DPoP` and a fresh proof
 * when given a handle, else `Authorization: Bearer`. openid-client throws on a 401/403 that carries
 * a WWW-Authenticate challenge; the response is on the error, and a backend reads it there.
 */
export async function fetchAsBackend(
  config: client.Configuration,
  accessToken: string,
  url: string,
  method: string,
  body: unknown,
  dpop?: client.DPoPHandle,
): Promise<Response> {
  const headers = new Headers({ 'content-type': 'application/json' });
  try {
    return await client.fetchProtectedResource(config, accessToken, new URL(url), method, JSON.stringify(body), headers, dpop ? { DPoP: dpop } : {});
  } catch (error) {
    if (error instanceof client.WWWAuthenticateChallengeError) return error.response;
    throw error;
  }
}
