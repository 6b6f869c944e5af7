import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from './errors';
import { loadSites, type Site } from './sites';
import { scaleOutUrl } from './scale-out';
import { observabilitySettings, type ObservabilitySettings } from './observability';
import { PROJECT_ROOT } from '../paths';

export interface TwitterSettings {
  readonly consumerKey: string;
  readonly consumerSecret: string;
  /** Base of the four OAuth 1.0a URLs (request token, authenticate, access token, verify credentials). */
  readonly apiUrl: string;
}

export interface FacebookSettings {
  readonly appId: string;
  readonly appSecret: string;
  readonly wwwUrl: string;
  readonly graphUrl: string;
  readonly graphVersion: string;
}

export interface MailSettings {
  /** smtp:// or smtps:// URL; absent means the dev mailbox (refused in production). */
  readonly smtpUrl: string | undefined;
  readonly from: string;
}

/** Every setting of every Parley process, validated and frozen once at start-up. */
export interface Settings {
  readonly production: boolean;
  readonly dataDir: string;
  readonly gateway: {
    readonly port: number;
    readonly issuer: string;
    /** Express `trust proxy`: false unless the operator says which proxies to believe. */
    readonly trustProxy: boolean | number | string;
  };
  readonly comments: { readonly port: number; readonly url: string; readonly backchannelUrl: string };
  readonly emulators: { readonly port: number };
  readonly demo: { readonly port: number };
  readonly sites: readonly Site[];
  readonly twitter: TwitterSettings | undefined;
  readonly facebook: FacebookSettings | undefined;
  readonly mail: MailSettings;
  /** Secret for cookie signing and pairwise subjects; generated and kept under dataDir when absent. */
  readonly sessionSecret: string | undefined;
  readonly databaseUrl: string | undefined;
  /** Seals the private signing keys kept in PostgreSQL (PARLEY_KEY_ENCRYPTION_KEY). */
  readonly keyEncryptionKey: string | undefined;
  /** Connections per process in the PostgreSQL pool (PARLEY_DATABASE_POOL_MAX). */
  readonly databasePoolMax: number;
  readonly redisUrl: string | undefined;
  /** Starts every Redis key (PARLEY_REDIS_PREFIX), so deployments can share a server. */
  readonly redisPrefix: string;
  /** Log level and format, and the metrics listener (PARLEY_LOG_*, PARLEY_METRICS_*). */
  readonly observability: ObservabilitySettings;
}

/** The environment-style keys Parley reads, with their defaults. */
export const DEFAULTS = Object.freeze({
  PARLEY_DATA_DIR: './data',
  PARLEY_GATEWAY_PORT: '4000',
  PARLEY_ISSUER: 'http://localhost:4000',
  PARLEY_COMMENTS_PORT: '4100',
  PARLEY_COMMENTS_URL: 'http://localhost:4100',
  PARLEY_EMULATOR_PORT: '4300',
  PARLEY_DEMO_PORT: '4200',
  PARLEY_TWITTER_API_URL: 'https://api.twitter.com',
  PARLEY_FACEBOOK_WWW_URL: 'https://www.facebook.com',
  PARLEY_FACEBOOK_GRAPH_URL: 'https://graph.facebook.com',
  // passport-facebook still defaults to v3.2, long retired by Facebook.
  PARLEY_FACEBOOK_GRAPH_VERSION: 'v23.0',
  PARLEY_MAIL_FROM: 'Parley <no-reply@localhost>',
  PARLEY_TRUST_PROXY: 'false',
  PARLEY_DATABASE_POOL_MAX: '10',
  PARLEY_REDIS_PREFIX: 'parley:',
});

export type SettingsSource = Readonly<Record<string, string | undefined>>;

const DEFAULT_SITES_FILE = path.join(PROJECT_ROOT, 'config', 'sites.json');
const DEFAULT_CONFIG_FILE = path.join(PROJECT_ROOT, 'config', 'parley.json');

function text(source: SettingsSource, name: string): string | undefined {
  const value = source[name];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function required(source: SettingsSource, name: string): string {
  const value = text(source, name);
  if (value === undefined) throw new ConfigError(name, 'is required');
  return value;
}

function count(source: SettingsSource, name: string, min: number, max: number): number {
  const value = required(source, name);
  if (!/^\d{1,6}$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max} (got "${value}")`);
  }
  return Number(value);
}

function redisPrefix(source: SettingsSource): string {
  const value = required(source, 'PARLEY_REDIS_PREFIX');
  if (!/^[\w.:-]{1,64}$/.test(value)) throw new ConfigError('PARLEY_REDIS_PREFIX', 'must be 1 to 64 letters, digits or . _ : -');
  return value;
}

function port(source: SettingsSource, name: string): number {
  const value = required(source, name);
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new ConfigError(name, `must be a TCP port number from 0 to 65535 (got "${value}")`);
  }
  return Number(value);
}

/** An absolute http(s) URL with no query or fragment, returned without a trailing slash. */
function baseUrl(source: SettingsSource, name: string): string {
  const value = required(source, name);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, `must be an absolute http(s) URL (got "${value}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(name, `must use http or https (got "${url.protocol}")`);
  }
  // URL leaves search and hash empty for a bare "?" or "#", yet keeps them in href.
  if (url.search || url.hash || /[?#]/.test(value) || url.username || url.password) {
    throw new ConfigError(name, 'must not contain a query, fragment or credentials');
  }
  return url.href.replace(/\/+$/, '');
}

function trustProxy(source: SettingsSource): boolean | number | string {
  const value = required(source, 'PARLEY_TRUST_PROXY');
  if (value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value; // e.g. "loopback" or a list of addresses: Express validates it when applied
}

/** A pair of credentials is all or nothing: half a pair is a mistake worth stopping for. */
function credentialPair(source: SettingsSource, first: string, second: string): [string, string] | undefined {
  const a = text(source, first);
  const b = text(source, second);
  if (a === undefined && b === undefined) return undefined;
  if (a === undefined) throw new ConfigError(first, `is required when ${second} is set`);
  if (b === undefined) throw new ConfigError(second, `is required when ${first} is set`);
  return [a, b];
}

function readConfigFile(file: string, explicit: boolean): Record<string, string> {
  if (!fs.existsSync(file)) {
    if (explicit) throw new ConfigError('PARLEY_CONFIG_FILE', `${file} does not exist`);
    return {};
  }
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    throw new ConfigError('PARLEY_CONFIG_FILE', `${file} is not valid JSON`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError('PARLEY_CONFIG_FILE', `${file} must hold one JSON object of settings`);
  }
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!/^(PARLEY_[A-Z0-9_]+|DATABASE_URL|REDIS_URL|NODE_ENV)$/.test(key)) {
      throw new ConfigError('PARLEY_CONFIG_FILE', `${file}: unknown setting "${key}"`);
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new ConfigError(key, `in ${file} must be a string, number or boolean`);
    }
    values[key] = String(value);
  }
  return values;
}

/**
 * Builds the settings from the defaults, then config/parley.json (or PARLEY_CONFIG_FILE), then the
 * environment. Throws ConfigError naming the first bad setting.
 */
export function loadSettings(env: SettingsSource = process.env, cwd: string = process.cwd()): Settings {
  const configFile = text(env, 'PARLEY_CONFIG_FILE');
  const fileValues = readConfigFile(configFile ? path.resolve(cwd, configFile) : DEFAULT_CONFIG_FILE, configFile !== undefined);
  const source: SettingsSource = { ...DEFAULTS, ...fileValues, ...env };

  const twitterCredentials = credentialPair(source, 'PARLEY_TWITTER_CONSUMER_KEY', 'PARLEY_TWITTER_CONSUMER_SECRET');
  const facebookCredentials = credentialPair(source, 'PARLEY_FACEBOOK_APP_ID', 'PARLEY_FACEBOOK_APP_SECRET');
  const graphVersion = required(source, 'PARLEY_FACEBOOK_GRAPH_VERSION');
  if (!/^v\d+\.\d+$/.test(graphVersion)) {
    throw new ConfigError('PARLEY_FACEBOOK_GRAPH_VERSION', `must look like v23.0 (got "${graphVersion}")`);
  }

  const smtpUrl = text(source, 'PARLEY_SMTP_URL');
  if (smtpUrl !== undefined && !/^smtps?:\/\/[^\s]+$/.test(smtpUrl)) {
    throw new ConfigError('PARLEY_SMTP_URL', 'must look like smtp://host:port or smtps://user:pass@host:port');
  }
  const sessionSecret = text(source, 'PARLEY_SESSION_SECRET');
  if (sessionSecret !== undefined && sessionSecret.length < 32) {
    throw new ConfigError('PARLEY_SESSION_SECRET', 'must be at least 32 characters long');
  }

  const keyEncryptionKey = text(source, 'PARLEY_KEY_ENCRYPTION_KEY');
  if (keyEncryptionKey !== undefined && keyEncryptionKey.length < 32) {
    throw new ConfigError('PARLEY_KEY_ENCRYPTION_KEY', 'must be at least 32 characters long');
  }

  const sitesFile = text(source, 'PARLEY_SITES_FILE');
  const settings: Settings = {
    production: text(source, 'NODE_ENV') === 'production',
    dataDir: path.resolve(cwd, required(source, 'PARLEY_DATA_DIR')),
    gateway: { port: port(source, 'PARLEY_GATEWAY_PORT'), issuer: baseUrl(source, 'PARLEY_ISSUER'), trustProxy: trustProxy(source) },
    comments: {
      port: port(source, 'PARLEY_COMMENTS_PORT'),
      url: baseUrl(source, 'PARLEY_COMMENTS_URL'),
      // Where the gateway reaches the comment service's back-channel (src/backchannel): its public
      // URL unless the two sit on a private network (docker compose: http://comments:4100).
      backchannelUrl: baseUrl(source, text(source, 'PARLEY_COMMENTS_INTERNAL_URL') ? 'PARLEY_COMMENTS_INTERNAL_URL' : 'PARLEY_COMMENTS_URL'),
    },
    emulators: { port: port(source, 'PARLEY_EMULATOR_PORT') },
    demo: { port: port(source, 'PARLEY_DEMO_PORT') },
    sites: loadSites(sitesFile ? path.resolve(cwd, sitesFile) : DEFAULT_SITES_FILE),
    twitter: twitterCredentials && {
      consumerKey: twitterCredentials[0],
      consumerSecret: twitterCredentials[1],
      apiUrl: baseUrl(source, 'PARLEY_TWITTER_API_URL'),
    },
    facebook: facebookCredentials && {
      appId: facebookCredentials[0],
      appSecret: facebookCredentials[1],
      wwwUrl: baseUrl(source, 'PARLEY_FACEBOOK_WWW_URL'),
      graphUrl: baseUrl(source, 'PARLEY_FACEBOOK_GRAPH_URL'),
      graphVersion,
    },
    mail: { smtpUrl, from: required(source, 'PARLEY_MAIL_FROM') },
    sessionSecret,
    databaseUrl: scaleOutUrl('DATABASE_URL', text(source, 'DATABASE_URL')),
    databasePoolMax: count(source, 'PARLEY_DATABASE_POOL_MAX', 1, 1000),
    keyEncryptionKey,
    redisUrl: scaleOutUrl('REDIS_URL', text(source, 'REDIS_URL')),
    redisPrefix: redisPrefix(source),
    observability: observabilitySettings((name) => text(source, name)),
  };
  return deepFreeze(settings);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
