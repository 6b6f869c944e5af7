/**
 * Options for the emulators: the documented development credentials, every default in one
 * place, and validation that runs once at start-up. A wrong option throws an
 * EmulatorConfigError naming it, instead of surfacing later as a confusing 401.
 */
import { DEFAULT_TIMESTAMP_WINDOW_SECONDS } from './oauth1-nonce-guard';
import {
  FACEBOOK_TEST_USERS,
  TWITTER_TEST_USERS,
  type FacebookTestUser,
  type TwitterTestUser,
} from './test-users';

/** Development credentials: documented, fixed, and useless against the real providers. */
export const DEFAULT_TWITTER_CONSUMER_KEY = 'parley-dev-twitter';
export const DEFAULT_TWITTER_CONSUMER_SECRET = 'parley-dev-twitter-secret';
export const DEFAULT_FACEBOOK_APP_ID = 'parley-dev-facebook';
export const DEFAULT_FACEBOOK_APP_SECRET = 'parley-dev-facebook-secret';

export const DEFAULT_EMULATOR_PORT = 4300;
export const DEFAULT_EMULATOR_HOST = '127.0.0.1';

/** RFC 5849 leaves request-token lifetime to the server; Twitter does not publish one. */
export const REQUEST_TOKEN_TTL_SECONDS = 15 * 60;
/** RFC 6749 §4.1.2: authorization codes should live at most ten minutes. */
export const AUTHORIZATION_CODE_TTL_SECONDS = 10 * 60;
/** Codes from Facebook's server-side flow come with long-lived (about 60 days) tokens. */
export const FACEBOOK_ACCESS_TOKEN_TTL_SECONDS = 60 * 24 * 60 * 60;
/** How long a sign-in page stays valid between showing it and the person's click. */
export const SIGN_IN_PAGE_TTL_SECONDS = 30 * 60;

export class EmulatorConfigError extends Error {
  readonly code = 'PARLEY_EMULATOR_CONFIG';

  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`emulator option "${option}" ${message}`);
    this.name = 'EmulatorConfigError';
  }
}

/** Milliseconds since the epoch; injectable so tests can move time. */
export type Clock = () => number;

export interface TwitterEmulatorOptions {
  readonly consumerKey?: string;
  readonly consumerSecret?: string;
  readonly users?: readonly TwitterTestUser[];
  /** Accepted clock skew for `oauth_timestamp`, each way. */
  readonly timestampWindowSeconds?: number;
  readonly requestTokenTtlSeconds?: number;
  /**
   * Callback URLs registered for the app. When set, `oauth_callback` must match one of them
   * (ignoring its query), else Twitter's 403 code 415; when unset any http(s) URL or "oob" goes.
   */
  readonly allowedCallbackUrls?: readonly string[];
  /** Whether the app may read email addresses ("Request email address from users"). */
  readonly emailPermission?: boolean;
  readonly clock?: Clock;
}

export interface ResolvedTwitterOptions {
  readonly consumerKey: string;
  readonly consumerSecret: string;
  readonly users: readonly TwitterTestUser[];
  readonly timestampWindowSeconds: number;
  readonly requestTokenTtlSeconds: number;
  readonly allowedCallbackUrls: readonly string[] | undefined;
  readonly emailPermission: boolean;
  readonly clock: Clock;
}

export interface FacebookEmulatorOptions {
  readonly appId?: string;
  readonly appSecret?: string;
  readonly users?: readonly FacebookTestUser[];
  readonly codeTtlSeconds?: number;
  readonly accessTokenTtlSeconds?: number;
  /** Like the app setting "Require App Secret": Graph calls without appsecret_proof fail. */
  readonly requireAppsecretProof?: boolean;
  /** "Valid OAuth Redirect URIs"; when set the dialog refuses any other redirect_uri. */
  readonly allowedRedirectUris?: readonly string[];
  readonly clock?: Clock;
}

export interface ResolvedFacebookOptions {
  readonly appId: string;
  readonly appSecret: string;
  readonly users: readonly FacebookTestUser[];
  readonly codeTtlSeconds: number;
  readonly accessTokenTtlSeconds: number;
  readonly requireAppsecretProof: boolean;
  readonly allowedRedirectUris: readonly string[] | undefined;
  readonly clock: Clock;
}

function nonEmpty(option: string, value: string | undefined, fallback: string): string {
  const result = value ?? fallback;
  if (typeof result !== 'string' || result.trim() === '') {
    throw new EmulatorConfigError(option, 'must be a non-empty string');
  }
  return result;
}

function positiveInteger(option: string, value: number | undefined, fallback: number): number {
  const result = value ?? fallback;
  if (!Number.isInteger(result) || result <= 0) {
    throw new EmulatorConfigError(option, `must be a positive integer, got ${String(value)}`);
  }
  return result;
}

function httpUrls(option: string, urls: readonly string[] | undefined): readonly string[] | undefined {
  if (urls === undefined) return undefined;
  for (const url of urls) {
    if (!isHttpUrl(url)) throw new EmulatorConfigError(option, `must list absolute http(s) URLs, got "${url}"`);
  }
  return Object.freeze([...urls]);
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

function uniqueUsers<U>(option: string, users: readonly U[], idOf: (user: U) => string): readonly U[] {
  if (users.length === 0) throw new EmulatorConfigError(option, 'must list at least one test user');
  const ids = new Set(users.map(idOf));
  if (ids.size !== users.length) throw new EmulatorConfigError(option, 'must not repeat a user id');
  return Object.freeze([...users]);
}

export function resolveTwitterOptions(options: TwitterEmulatorOptions = {}): ResolvedTwitterOptions {
  const users = uniqueUsers('twitter.users', options.users ?? TWITTER_TEST_USERS, (u) => u.idStr);
  for (const user of users) {
    if (!/^[1-9][0-9]{0,19}$/.test(user.idStr)) {
      throw new EmulatorConfigError('twitter.users', `has a non-numeric idStr "${user.idStr}"`);
    }
    if (!isHttpsUrl(user.profileImageUrlHttps)) {
      throw new EmulatorConfigError('twitter.users', `needs an https avatar for ${user.screenName}`);
    }
  }
  return Object.freeze({
    consumerKey: nonEmpty('twitter.consumerKey', options.consumerKey, DEFAULT_TWITTER_CONSUMER_KEY),
    consumerSecret: nonEmpty('twitter.consumerSecret', options.consumerSecret, DEFAULT_TWITTER_CONSUMER_SECRET),
    users,
    timestampWindowSeconds: positiveInteger(
      'twitter.timestampWindowSeconds',
      options.timestampWindowSeconds,
      DEFAULT_TIMESTAMP_WINDOW_SECONDS,
    ),
    requestTokenTtlSeconds: positiveInteger(
      'twitter.requestTokenTtlSeconds',
      options.requestTokenTtlSeconds,
      REQUEST_TOKEN_TTL_SECONDS,
    ),
    allowedCallbackUrls: httpUrls('twitter.allowedCallbackUrls', options.allowedCallbackUrls),
    emailPermission: options.emailPermission ?? true,
    clock: options.clock ?? Date.now,
  });
}

export function resolveFacebookOptions(options: FacebookEmulatorOptions = {}): ResolvedFacebookOptions {
  const users = uniqueUsers('facebook.users', options.users ?? FACEBOOK_TEST_USERS, (u) => u.id);
  for (const user of users) {
    if (!isHttpsUrl(user.pictureUrl)) {
      throw new EmulatorConfigError('facebook.users', `needs an https picture for ${user.id}`);
    }
  }
  return Object.freeze({
    appId: nonEmpty('facebook.appId', options.appId, DEFAULT_FACEBOOK_APP_ID),
    appSecret: nonEmpty('facebook.appSecret', options.appSecret, DEFAULT_FACEBOOK_APP_SECRET),
    users,
    codeTtlSeconds: positiveInteger('facebook.codeTtlSeconds', options.codeTtlSeconds, AUTHORIZATION_CODE_TTL_SECONDS),
    accessTokenTtlSeconds: positiveInteger(
      'facebook.accessTokenTtlSeconds',
      options.accessTokenTtlSeconds,
      FACEBOOK_ACCESS_TOKEN_TTL_SECONDS,
    ),
    requireAppsecretProof: options.requireAppsecretProof ?? false,
    allowedRedirectUris: httpUrls('facebook.allowedRedirectUris', options.allowedRedirectUris),
    clock: options.clock ?? Date.now,
  });
}

export interface StartEmulatorsOptions {
  /** Default 4300 (`PARLEY_EMULATOR_PORT`); 0 picks any free port. */
  readonly port?: number;
  /** Default 127.0.0.1: the emulators are for this machine only. */
  readonly host?: string;
  readonly twitter?: TwitterEmulatorOptions;
  readonly facebook?: FacebookEmulatorOptions;
}

export function resolvePort(port: number | undefined): number {
  const result = port ?? DEFAULT_EMULATOR_PORT;
  if (!Number.isInteger(result) || result < 0 || result > 65535) {
    throw new EmulatorConfigError('port', `must be an integer from 0 to 65535, got ${String(port)}`);
  }
  return result;
}

export function resolveHost(host: string | undefined): string {
  return nonEmpty('host', host, DEFAULT_EMULATOR_HOST);
}
