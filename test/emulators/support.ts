/**
 * Helpers for the emulator tests: they speak the protocols directly over loopback HTTP with
 * Node's fetch, signing OAuth 1.0a requests with the emulators' own signer.
 */
import { randomBytes } from 'node:crypto';
import { codeChallengeFor, signRequest, type RunningEmulators } from '../../src/emulators';

/** Never contacted: redirects are read from the Location header, not followed. */
export const TWITTER_CALLBACK = 'http://127.0.0.1:9/auth/twitter/callback';
export const FACEBOOK_REDIRECT_URI = 'http://127.0.0.1:9/auth/facebook/callback';

import { formAction, hiddenFields } from '../helpers/html-forms';

export { decodeEntities, formAction, hiddenFields } from '../helpers/html-forms';

/** POSTs a form without following the redirect. */
export function postForm(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
}

export function location(response: Response): URL {
  const value = response.headers.get('location');
  if (!value) throw new Error(`expected a redirect, got ${response.status}`);
  return new URL(value);
}

export interface TwitterCall {
  readonly method?: 'GET' | 'POST';
  readonly token?: string;
  readonly tokenSecret?: string;
  readonly oauthParams?: Record<string, string>;
  readonly consumerKey?: string;
  readonly consumerSecret?: string;
  readonly timestamp?: number;
  readonly nonce?: string;
}

/** Signs and sends one request to a Twitter emulator path (relative to the API base). */
export async function twitterCall(emulators: RunningEmulators, path: string, call: TwitterCall = {}): Promise<Response> {
  const method = call.method ?? 'POST';
  const url = `${emulators.twitter.apiUrl}${path}`;
  const signed = signRequest({
    method,
    url,
    consumerKey: call.consumerKey ?? emulators.twitter.consumerKey,
    consumerSecret: call.consumerSecret ?? emulators.twitter.consumerSecret,
    ...(call.token === undefined ? {} : { token: call.token }),
    tokenSecret: call.tokenSecret ?? '',
    oauthParams: call.oauthParams ?? {},
    ...(call.timestamp === undefined ? {} : { timestamp: call.timestamp }),
    ...(call.nonce === undefined ? {} : { nonce: call.nonce }),
  });
  return fetch(url, {
    method,
    headers: {
      authorization: signed.authorization,
      ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    ...(method === 'POST' ? { body: '' } : {}),
    redirect: 'manual',
  });
}

export function formPairs(body: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body));
}

export interface RequestTokenPair {
  readonly token: string;
  readonly secret: string;
}

export async function twitterRequestToken(emulators: RunningEmulators, callback = TWITTER_CALLBACK): Promise<RequestTokenPair> {
  const response = await twitterCall(emulators, '/oauth/request_token', { oauthParams: { oauth_callback: callback } });
  if (response.status !== 200) throw new Error(`request_token answered ${response.status}: ${await response.text()}`);
  const pairs = formPairs(await response.text());
  return { token: pairs['oauth_token'] ?? '', secret: pairs['oauth_token_secret'] ?? '' };
}

/** Opens the authenticate page and picks a user (or cancels); returns the redirect. */
export async function twitterPick(
  emulators: RunningEmulators,
  requestToken: string,
  choice: { userId: string } | 'cancel',
): Promise<Response> {
  const pageUrl = `${emulators.twitter.apiUrl}/oauth/authenticate?oauth_token=${encodeURIComponent(requestToken)}`;
  const page = await (await fetch(pageUrl)).text();
  const fields = hiddenFields(page);
  const decision: Record<string, string> = choice === 'cancel' ? { cancel: '1' } : { user_id: choice.userId };
  return postForm(new URL(formAction(page), emulators.url).href, { ...fields, ...decision });
}

export interface TwitterAccess {
  readonly token: string;
  readonly secret: string;
  readonly userId: string;
  readonly screenName: string;
}

/** request_token → authenticate → access_token, as a strategy would do it. */
export async function twitterSignIn(emulators: RunningEmulators, userId: string): Promise<TwitterAccess> {
  const requestToken = await twitterRequestToken(emulators);
  const verifier = location(await twitterPick(emulators, requestToken.token, { userId })).searchParams.get('oauth_verifier');
  const response = await twitterCall(emulators, '/oauth/access_token', {
    token: requestToken.token,
    tokenSecret: requestToken.secret,
    oauthParams: { oauth_verifier: verifier ?? '' },
  });
  const pairs = formPairs(await response.text());
  return {
    token: pairs['oauth_token'] ?? '',
    secret: pairs['oauth_token_secret'] ?? '',
    userId: pairs['user_id'] ?? '',
    screenName: pairs['screen_name'] ?? '',
  };
}

export interface Pkce {
  readonly verifier: string;
  readonly challenge: string;
}

export function newPkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: codeChallengeFor(verifier, 'S256') };
}

export interface DialogParams {
  readonly clientId?: string;
  readonly redirectUri?: string;
  readonly state?: string;
  readonly scope?: string;
  readonly pkce?: Pkce;
  readonly version?: string;
}

export function dialogUrl(emulators: RunningEmulators, params: DialogParams = {}): string {
  const query = new URLSearchParams({
    client_id: params.clientId ?? emulators.facebook.appId,
    redirect_uri: params.redirectUri ?? FACEBOOK_REDIRECT_URI,
    response_type: 'code',
    state: params.state ?? 'state-123',
    ...(params.scope === undefined ? {} : { scope: params.scope }),
    ...(params.pkce ? { code_challenge: params.pkce.challenge, code_challenge_method: 'S256' } : {}),
  });
  return `${emulators.facebook.wwwUrl}/${params.version ?? 'v19.0'}/dialog/oauth?${query}`;
}

/** Opens the login dialog and picks a user (or cancels); returns the redirect. */
export async function facebookPick(
  emulators: RunningEmulators,
  params: DialogParams,
  choice: { userId: string } | 'cancel',
): Promise<Response> {
  const page = await (await fetch(dialogUrl(emulators, params))).text();
  const decision: Record<string, string> = choice === 'cancel' ? { cancel: '1' } : { user_id: choice.userId };
  return postForm(new URL(formAction(page), emulators.url).href, { ...hiddenFields(page), ...decision });
}

export async function facebookCode(emulators: RunningEmulators, params: DialogParams = {}, userId?: string): Promise<string> {
  const redirect = await facebookPick(emulators, params, { userId: userId ?? emulators.facebook.users[0]!.id });
  const code = location(redirect).searchParams.get('code');
  if (!code) throw new Error('no code in the redirect');
  return code;
}

export function exchangeCode(emulators: RunningEmulators, fields: Record<string, string>): Promise<Response> {
  return fetch(`${emulators.facebook.graphUrl}/v19.0/oauth/access_token`, {
    method: 'POST',
    body: new URLSearchParams({
      client_id: emulators.facebook.appId,
      client_secret: emulators.facebook.appSecret,
      redirect_uri: FACEBOOK_REDIRECT_URI,
      grant_type: 'authorization_code',
      ...fields,
    }),
  });
}

export async function facebookAccessToken(emulators: RunningEmulators, params: DialogParams = {}, userId?: string): Promise<string> {
  const code = await facebookCode(emulators, params, userId);
  const response = await exchangeCode(emulators, { code, ...(params.pkce ? { code_verifier: params.pkce.verifier } : {}) });
  const body = (await response.json()) as { access_token: string };
  return body.access_token;
}

export interface TwitterErrorBody {
  readonly errors: ReadonlyArray<{ readonly code: number; readonly message: string }>;
}

export interface FacebookErrorBody {
  readonly error: {
    readonly message: string;
    readonly type: string;
    readonly code: number;
    readonly error_subcode?: number;
    readonly fbtrace_id: string;
  };
}
