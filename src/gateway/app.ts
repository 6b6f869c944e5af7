import express from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import type Provider from 'oidc-provider';
import type { Settings } from '../config/settings';
import type { Site } from '../config/sites';
import { ConfigError } from '../config/errors';
import { PROJECT_ROOT } from '../paths';
import path from 'node:path';
import { AccountStore } from '../store/accounts';
import { CommenterSites } from '../store/commenter-sites';
import { EmailSigninStore } from '../store/email-signins';
import { DevMailbox } from '../store/dev-mailbox';
import { sweepExpiredOidcPayloads } from '../store/oidc-adapter';
import { createDevMailer, createSmtpMailer, type Mailer } from '../mail/mailer';
import { EmailSignIn, type EmailRateLimits } from '../providers/email';
import { EmailStrategy } from '../providers/email-strategy';
import { twitterStrategy } from '../providers/twitter';
import { facebookStrategy } from '../providers/facebook';
import { upstreamRoutes, type UpstreamProvider } from './upstream-routes';
import { accountRoutes } from './account-routes';
import { loadKeyRing, storedKeyRingVersion, type KeyRing } from '../tokens/keys';
import type { KeyStore } from '../tokens/key-store';
import { describeKeyStore } from '../tokens/open-key-store';
import { openGatewayStores } from './gateway-stores';
import { createOidcProvider } from './oidc';
import { ACCESS_TOKEN_TTL_SECONDS } from '../tokens/claims';
import { SignInFlow } from './sign-in';
import { securityHeaders } from './security';
import { issuerHostOnly } from './host-binding';
import { interactionRoutes } from './interaction-routes';
import { emailRoutes } from './email-routes';
import { relayRoutes } from './relay';
import { privacyRoutes } from './privacy-routes';
import { RevocationStore } from '../store/revocations';
import { TokenRevocations } from './token-revocations';
import { revocationFeedRoutes } from './revocation-feed';
import { devMailboxRoutes } from './dev-mailbox-routes';
import { gatewayErrorHandler } from './error-handler';
import { healthRoutes } from '../http/health-routes';
import { createServiceLogger, type LogSink, type Logger } from '../observability/logger';
import { requestLog } from '../observability/request-log';
import { recordOidcRoute } from './oidc-route';
import { logServerErrors } from './server-errors';
import { createServiceMetrics } from '../observability/metrics-registry';
import { httpMetrics } from '../observability/http-metrics';
import { serveMetrics } from '../observability/metrics-server';
import type { RunningServer } from '../http/listen';
import { countingMailer, GatewayMetrics } from './gateway-metrics';
import type { Registry } from 'prom-client';
import type { PickerProvider } from './views/pages';
import { BackchannelClient } from '../backchannel/gateway-client';
import { replyNotifications, type ReplyNotificationOptions } from './notifications/reply-notifications';
import { accountData, type AccountDataOptions } from './account-data/account-data';

export interface GatewayOptions {
  /** Replaces the mailer chosen from the settings (SMTP or the dev mailbox). */
  readonly mailer?: Mailer;
  /** Print dev-mailbox messages on the console (on for `parley`, off in tests). */
  readonly printDevMail?: boolean;
  /** How often to look for keys rotated by another process; 0 turns it off. */
  readonly keyWatchIntervalMs?: number;
  /** Overrides the email rate limits (tests sharing one loopback address raise the per-client one). */
  readonly emailRateLimits?: EmailRateLimits;
  /**
   * Access-token lifetime in seconds (default 15 minutes, the most DESIGN.md allows). Browser
   * tests shorten it to see a real token run out.
   */
  readonly accessTokenTtlSeconds?: number;
  /** Where log lines go instead of stdout, one JSON entry each (tests silence or collect them). */
  readonly log?: LogSink;
  /** Reply notifications' timings (tests shorten them). */
  readonly notifications?: ReplyNotificationOptions;
  /** Erasure's retry timing (tests shorten it). */
  readonly accountData?: AccountDataOptions;
}

export interface Gateway {
  /** The Express app: mount it, or pass it to listen(). */
  readonly app: express.Express;
  /** The current oidc-provider instance (replaced when keys are rotated). */
  provider(): Provider;
  /** Where the signing keys are (files, or the database with DATABASE_URL). */
  readonly keyStore: KeyStore;
  /** The gateway's logger (JSON lines, or the `log` option's sink). */
  readonly logger: Logger;
  /** Its Prometheus registry, served at /metrics on PARLEY_METRICS_PORT when that is set. */
  readonly metrics: Registry;
  /** The port the metrics listener is bound to; undefined when PARLEY_METRICS_PORT is unset. */
  readonly metricsPort: number | undefined;
  /** Reloads signing keys from their store (after `parley keys rotate`). */
  reloadKeys(): Promise<void>;
  close(): Promise<void>;
}

const SWEEP_INTERVAL_MS = 10 * 60 * 1000;
/** Dead sign-ins and old rate-limit windows are kept a day (for support questions), then swept. */
const STALE_ROW_RETENTION_MS = 24 * 60 * 60 * 1000;
const DEFAULT_KEY_WATCH_INTERVAL_MS = 5_000;
const FORM_BODY_LIMIT = '16kb';
const SESSION_COOKIE_MAX_AGE_MS = 24 * 60 * 60 * 1000;
const PAGE_SESSION_COOKIE = 'parley.sid';

/**
 * Builds the gateway: oidc-provider for the protocol, Express around it for our pages (picker,
 * email sign-in, relay, dev mailbox), passport for upstream sign-in, all on one database.
 */
export async function createGateway(settings: Settings, options: GatewayOptions = {}): Promise<Gateway> {
  if (options.accessTokenTtlSeconds !== undefined && !(Number.isInteger(options.accessTokenTtlSeconds) && options.accessTokenTtlSeconds >= 1 && options.accessTokenTtlSeconds <= ACCESS_TOKEN_TTL_SECONDS)) {
    throw new TypeError(`createGateway: accessTokenTtlSeconds must be a whole number of seconds from 1 to ${ACCESS_TOKEN_TTL_SECONDS} (got ${options.accessTokenTtlSeconds})`);
  }
  const logger = createServiceLogger({ service: 'gateway', settings: settings.observability, production: settings.production, sink: options.log });
  const metrics = createServiceMetrics();
  const gatewayMetrics = new GatewayMetrics(metrics.registry);
  const stores = await openGatewayStores(settings);
  const { db, keyStore, secrets, sessionStore, limiter } = stores;
  let loadedKeys: KeyRing | undefined;
  try {
    loadedKeys = await loadKeyRing(keyStore, { createIfMissing: !settings.production });
  } catch (error) {
    await stores.close();
    throw error;
  }
  if (!loadedKeys) {
    await stores.close();
    throw new Error(`no signing key in ${describeKeyStore(settings)}: run \`parley keys rotate\` to create one`);
  }
  let keyRing: KeyRing = loadedKeys;
  const sites = new Map<string, Site>(settings.sites.map((site) => [site.id, site]));
  const accounts = new AccountStore(db);
  const commenterSites = new CommenterSites(db);

  const revocationStore = new RevocationStore(db);
  const revocations = new TokenRevocations({
    store: revocationStore,
    keyRing: () => keyRing,
    issuer: settings.gateway.issuer,
    pairwiseSecret: secrets.pairwiseSecret,
    sites: settings.sites,
    onPublished: () => gatewayMetrics.revocationPublished(),
  });
  const ttlOption = options.accessTokenTtlSeconds === undefined ? {} : { accessTokenTtlSeconds: options.accessTokenTtlSeconds };
  const oidcAdapter = stores.oidcAdapter(revocations);
  const buildProvider = () => {
    const built = createOidcProvider({ settings, keyRing, adapter: oidcAdapter, accounts, commenterSites, cookieKeys: secrets.cookieKeys, pairwiseSecret: secrets.pairwiseSecret, revocations, ...ttlOption });
    logServerErrors(built, logger);
    built.use(recordOidcRoute());
    // JWT access tokens are 'issued'; opaque ones (none today) would be 'saved'.
    built.on('access_token.issued', () => gatewayMetrics.accessTokenIssued());
    built.on('access_token.saved', () => gatewayMetrics.accessTokenIssued());
    return built;
  };
  let provider = buildProvider();
  // koa's callback() composes the whole middleware stack anew: build it once per provider, not per request.
  let providerHandler = provider.callback();
  await assertSitesAreValidClients(provider, settings.sites);
  let keysVersion = await storedKeyRingVersion(keyStore);

  const devMailbox = new DevMailbox(db);
  const useDevMailbox = settings.mail.smtpUrl === undefined && !settings.production;
  const mailer = countingMailer(
    options.mailer ??
      (settings.mail.smtpUrl !== undefined
        ? createSmtpMailer(settings.mail.smtpUrl, settings.mail.from)
        : createDevMailer(devMailbox, { print: options.printDevMail ?? false })),
    gatewayMetrics,
  );
  const emailSignins = new EmailSigninStore(db);
  const emailSignIn = new EmailSignIn({ signins: emailSignins, mailer, limiter, issuer: settings.gateway.issuer, rateLimits: options.emailRateLimits });

  // The back-channel to the comment service (src/backchannel/protocol.ts): signed with the token key.
  const backchannel = new BackchannelClient({
    baseUrl: settings.comments.backchannelUrl,
    audience: settings.comments.url,
    issuer: settings.gateway.issuer,
    signingKey: () => keyRing.current,
  });
  const notifications = replyNotifications({
    db,
    backchannel,
    commenterSites,
    accounts,
    mailer,
    limiter,
    issuer: settings.gateway.issuer,
    unsubscribeSecret: secrets.unsubscribeSecret,
    sites,
    logger,
    options: options.notifications,
    onOutcome: (outcome) => gatewayMetrics.replyNotification(outcome),
  });
  const commenterData = accountData({
    db,
    backchannel,
    accounts,
    commenterSites,
    revocations,
    endAccountSessions: (accountId, endOptions) => stores.endAccountSessions(accountId, endOptions),
    pairwiseSecret: secrets.pairwiseSecret,
    sites: settings.sites,
    logger,
    options: options.accountData,
    onErasureAttempt: (outcome) => gatewayMetrics.erasureAttempt(outcome),
  });

  const passport = new Passport();
  passport.use(new EmailStrategy(emailSignIn));
  passport.serializeUser<string>((user, done) => done(null, (user as { id: string }).id));
  passport.deserializeUser<string>((id, done) => done(null, { id }));

  const flow = new SignInFlow(() => provider, sites, accounts, (method, outcome) => gatewayMetrics.signIn(method, outcome));
  const upstream: UpstreamProvider[] = [];
  const pickerProviders: PickerProvider[] = [{ id: 'email', label: 'Email', emulated: false }];
  if (settings.twitter) {
    passport.use(twitterStrategy(settings.twitter, settings.gateway.issuer));
    upstream.push({ id: 'twitter', label: 'Twitter' });
    pickerProviders.push({ id: 'twitter', label: 'Twitter', emulated: isDevelopmentEmulator(settings.twitter.apiUrl) });
  }
  if (settings.facebook) {
    passport.use(facebookStrategy(settings.facebook, settings.gateway.issuer));
    upstream.push({ id: 'facebook', label: 'Facebook' });
    pickerProviders.push({ id: 'facebook', label: 'Facebook', emulated: isDevelopmentEmulator(settings.facebook.wwwUrl) });
  }

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', settings.gateway.trustProxy);
  app.use(requestLog(logger));
  app.use(httpMetrics(metrics));
  app.use(securityHeaders({ production: settings.production }));
  app.use(issuerHostOnly(settings.gateway.issuer, { trustProxy: settings.gateway.trustProxy !== false }));
  app.use('/assets', express.static(path.join(PROJECT_ROOT, 'src', 'gateway', 'assets'), { maxAge: '1h', index: false }));
  app.use(healthRoutes({ service: 'gateway', db, dependencies: stores.dependencies, log: (line) => logger.warn(line) }));
  app.use(revocationFeedRoutes(revocationStore));
  app.use(relayRoutes(sites, settings.comments.url));
  app.use(privacyRoutes());
  app.use(notifications.routes);
  if (useDevMailbox && options.mailer === undefined) app.use(devMailboxRoutes(devMailbox));

  // Our pages get sessions and form parsing; oidc-provider's own routes must not (it parses itself).
  const pageSession = session({
    name: PAGE_SESSION_COOKIE,
    secret: secrets.sessionSecret,
    store: sessionStore,
    resave: false,
    saveUninitialized: false,
    proxy: settings.gateway.trustProxy !== false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: settings.production, maxAge: SESSION_COOKIE_MAX_AGE_MS },
  });
  const pages = express.Router();
  // Every page here belongs to one browser's log-in, at one moment: never cached, never restored from the back/forward cache.
  pages.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  pages.use(pageSession);
  pages.use(express.urlencoded({ extended: false, limit: FORM_BODY_LIMIT, parameterLimit: 20 }));
  pages.use(passport.initialize());
  pages.use(passport.session());
  pages.use(interactionRoutes({ flow, providers: pickerProviders, commentsUrl: settings.comments.url }));
  pages.use(emailRoutes({ flow, emailSignIn, passport, sites, accounts, devMailbox: useDevMailbox && options.mailer === undefined }));
  pages.use(upstreamRoutes({ flow, accounts, passport, providers: upstream }));
  pages.use(accountRoutes({ accounts, emailSignIn, providers: upstream, revocations, sites: settings.sites, endAccountSessions: (accountId, options) => stores.endAccountSessions(accountId, options), accountData: commenterData, commenterSites, listAccountSessions: (accountId) => stores.listAccountSessions(accountId) }));
  app.use(['/interaction', '/email', '/signin', '/account'], (req, res, next) => {
    // Routers mounted at a path strip it; restore it so routes read as full paths.
    req.url = req.originalUrl;
    pages(req, res, next);
  });

  // Confirming RP-initiated logout (the widget's "Log Out") ends this browser's page session too
  // (the account page's sign-in) before oidc-provider ends its own. The body is left unparsed:
  // oidc-provider reads it. SameSite=Lax keeps the cookie off cross-site posts.
  app.post('/session/end/confirm', pageSession, endPageSession(settings.production));
  app.use((req, res) => providerHandler(req, res));
  app.use(gatewayErrorHandler());

  const sweep = async () => {
    const now = Date.now();
    await sweepExpiredOidcPayloads(db, now);
    await sessionStore.sweep();
    await emailSignins.sweep(STALE_ROW_RETENTION_MS);
    await limiter.sweep(STALE_ROW_RETENTION_MS);
    await revocationStore.sweep();
  };
  const sweeper = setInterval(() => sweep().catch((error: unknown) => logger.error({ err: error }, 'sweep failed')), SWEEP_INTERVAL_MS);
  sweeper.unref();

  const reloadKeys = async () => {
    const reloaded = await loadKeyRing(keyStore, { createIfMissing: false });
    if (!reloaded) return;
    keyRing = reloaded;
    keysVersion = await storedKeyRingVersion(keyStore);
    provider = buildProvider();
    providerHandler = provider.callback();
  };
  const watchInterval = options.keyWatchIntervalMs ?? DEFAULT_KEY_WATCH_INTERVAL_MS;
  const keyWatcher =
    watchInterval > 0
      ? setInterval(() => {
          // Another instance or `parley keys rotate` may have changed the keys (files or database).
          storedKeyRingVersion(keyStore)
            .then((version) => (version !== keysVersion ? reloadKeys() : undefined))
            .catch((error: unknown) => logger.error({ err: error }, 'key reload failed'));
        }, watchInterval)
      : undefined;
  keyWatcher?.unref();

  let metricsServer: RunningServer | undefined;
  const { metricsPort, metricsHost } = settings.observability;
  if (metricsPort !== undefined) {
    try {
      metricsServer = await serveMetrics(metrics.registry, metricsPort, metricsHost);
      logger.info({ metricsPort: metricsServer.port, metricsHost }, `metrics: GET /metrics on ${metricsHost} port ${metricsServer.port}`);
    } catch (error) {
      clearInterval(sweeper);
      if (keyWatcher) clearInterval(keyWatcher);
      await stores.close();
      throw error;
    }
  }
  notifications.start();
  commenterData.start();

  return {
    app,
    provider: () => provider,
    keyStore,
    logger,
    metrics: metrics.registry,
    metricsPort: metricsServer?.port,
    reloadKeys,
    async close() {
      clearInterval(sweeper);
      if (keyWatcher) clearInterval(keyWatcher);
      await Promise.all([notifications.close(), commenterData.close()]);
      await metricsServer?.close();
      await stores.close();
    },
  };
}

/**
 * oidc-provider checks static clients lazily, at their first authorization request. A bad site
 * must stop the gateway at start-up instead, with the site named.
 */
async function assertSitesAreValidClients(provider: Provider, sites: readonly Site[]): Promise<void> {
  for (const site of sites) {
    try {
      await provider.Client.find(site.id);
    } catch (error) {
      const detail = (error as { error_description?: string }).error_description ?? (error as Error).message;
      throw new ConfigError('PARLEY_SITES_FILE', `site "${site.id}" is not a valid client: ${detail}`);
    }
  }
}

/** Destroys the page session (and its passport login) and drops its cookie, then lets the request go on. */
function endPageSession(secure: boolean): express.RequestHandler {
  return (req, res, next) => {
    if (!req.session) return next();
    req.session.destroy((error?: unknown) => {
      if (error) return next(error);
      res.clearCookie(PAGE_SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure });
      next();
    });
  };
}

/** A provider URL on loopback over http is one of our emulators (the picker labels it). */
function isDevelopmentEmulator(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'http:' && /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/.test(hostname);
}
