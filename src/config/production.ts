import { ConfigError } from './errors';
import type { Settings } from './settings';

const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

function requireHttps(setting: string, value: string): void {
  const url = new URL(value);
  if (url.protocol !== 'https:') throw new ConfigError(setting, `must use https in production (got ${value})`);
}

function refuseEmulator(setting: string, value: string): void {
  const url = new URL(value);
  if (url.protocol !== 'https:' || LOOPBACK_HOST.test(url.hostname)) {
    throw new ConfigError(setting, `points at a development emulator (${value}); production needs the real provider over https`);
  }
}

/**
 * The https issuer is served over plain HTTP by this process, so a TLS-terminating proxy in front
 * of it is mandatory. Unless that proxy is trusted, oidc-provider believes the request came over
 * HTTP, refuses to set its Secure cookies and answers every sign-in with a 500.
 */
function requireTrustedProxy(trustProxy: Settings['gateway']['trustProxy']): void {
  if (trustProxy !== false && trustProxy !== 0) return;
  throw new ConfigError(
    'PARLEY_TRUST_PROXY',
    'must be set in production: the gateway serves its https issuer over plain HTTP behind a TLS-terminating proxy, and every sign-in fails unless it trusts that proxy; set it to "loopback" (a proxy on this machine), a hop count such as 1, or the proxy\'s addresses',
  );
}

export interface ProductionCheckOptions {
  /**
   * The process serves the gateway (default true). Only the gateway reads PARLEY_TRUST_PROXY: the
   * comment service sets no cookies, keys its rate limits by commenter and builds its URLs from
   * PARLEY_COMMENTS_URL, so a proxy in front of it needs no trust. Nor does it sign cookies
   * (PARLEY_SESSION_SECRET), send mail (PARLEY_SMTP_URL) or hold signing keys
   * (PARLEY_KEY_ENCRYPTION_KEY): a blog owner must not have to invent settings it never reads.
   */
  readonly servesGateway?: boolean;
}

/**
 * In production, refuses every setting that is only safe on a developer's machine. Called at
 * start-up of each production process, before anything listens.
 */
export function assertProductionReady(settings: Settings, options: ProductionCheckOptions = {}): void {
  if (!settings.production) return;
  const servesGateway = options.servesGateway ?? true;
  requireHttps('PARLEY_ISSUER', settings.gateway.issuer);
  requireHttps('PARLEY_COMMENTS_URL', settings.comments.url);
  if (servesGateway) assertGatewaySecrets(settings);
  if (settings.twitter) refuseEmulator('PARLEY_TWITTER_API_URL', settings.twitter.apiUrl);
  if (settings.facebook) {
    refuseEmulator('PARLEY_FACEBOOK_WWW_URL', settings.facebook.wwwUrl);
    refuseEmulator('PARLEY_FACEBOOK_GRAPH_URL', settings.facebook.graphUrl);
  }
  for (const site of settings.sites) {
    for (const origin of site.origins) {
      if (!origin.startsWith('https://')) {
        throw new ConfigError('PARLEY_SITES_FILE', `site "${site.id}" origin ${origin} must use https in production`);
      }
    }
  }
  if (servesGateway) requireTrustedProxy(settings.gateway.trustProxy);
}

/** What only the gateway needs: a cookie secret, a way to send mail, a key to seal its signing keys. */
function assertGatewaySecrets(settings: Settings): void {
  if (settings.sessionSecret === undefined) {
    throw new ConfigError('PARLEY_SESSION_SECRET', 'is required in production (at least 32 random characters)');
  }
  if (settings.databaseUrl !== undefined && settings.keyEncryptionKey === undefined) {
    throw new ConfigError(
      'PARLEY_KEY_ENCRYPTION_KEY',
      'is required in production with DATABASE_URL (at least 32 random characters): the signing keys are kept in the database, sealed with it',
    );
  }
  if (settings.mail.smtpUrl === undefined) {
    throw new ConfigError('PARLEY_SMTP_URL', 'is required in production: the dev mailbox does not exist there');
  }
}
