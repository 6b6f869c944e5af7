/**
 * The Twitter emulator: OAuth 1.0a (RFC 5849) as Twitter implements it, relative to the API
 * base URL (`PARLEY_TWITTER_API_URL`); the sign-in page lives in twitter-authorize.ts:
 *
 *   POST /oauth/request_token                      oauth_callback → oauth_token, oauth_token_secret, oauth_callback_confirmed=true
 *   GET  /oauth/authenticate|authorize?oauth_token  sign-in page; POST back picks a user or cancels
 *                                                   → callback?oauth_token&oauth_verifier, or callback?denied=<token>
 *   POST /oauth/access_token                       oauth_verifier → oauth_token, oauth_token_secret, user_id, screen_name
 *   GET  /1.1/account/verify_credentials.json      the user object (include_email, skip_status, include_entities)
 *   /__control                                     failure switches (control-routes.ts)
 *
 * Every signed call goes through oauth1-verifier.ts; its rejections become Twitter's codes:
 * 215 (400) for missing or malformed OAuth data, 32 (401) for bad signatures, unknown consumers
 * and replayed nonces, 135 (401) for stale timestamps, 89 (401) for unknown access tokens.
 */
import express, { type ErrorRequestHandler, type Request, type Response, type Router } from 'express';
import { createControlRouter } from './control-routes';
import { FailureControl } from './failure-control';
import { failureGate, HangingResponses, type FailureResponder } from './failure-middleware';
import { NonceTimestampGuard } from './oauth1-nonce-guard';
import { percentEncode } from './oauth1-signature';
import { verifyOAuth1Request, type OAuth1HttpRequest, type OAuth1Rejection } from './oauth1-verifier';
import { isHttpUrl, resolveTwitterOptions, type TwitterEmulatorOptions } from './options';
import type { TwitterTestUser } from './test-users';
import {
  sendTwitterError,
  sendTwitterTextError,
  TWITTER_ERRORS,
  TWITTER_OAUTH_TEXT_ERRORS,
  twitterServerError,
} from './twitter-errors';
import { createAuthorizeRouter } from './twitter-authorize';
import { renderVerifyCredentials, twitterBoolean } from './twitter-profile';
import { OUT_OF_BAND, TwitterTokenStore } from './twitter-tokens';

export type TwitterEndpoint = 'request_token' | 'authenticate' | 'access_token' | 'verify_credentials';

export interface TwitterEmulator {
  /** Mount at the API base URL, e.g. app.use('/twitter', emulator.router). Includes /__control. */
  readonly router: Router;
  readonly control: FailureControl<TwitterEndpoint>;
  readonly consumerKey: string;
  readonly consumerSecret: string;
  readonly users: readonly TwitterTestUser[];
  /** Ends every response held by a "hang" failure. */
  releaseHanging(): void;
}

/** application/x-www-form-urlencoded, the token endpoints' answer (RFC 5849 §2.1, §2.3). */
function formEncoded(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
}

/** The API base URL as the client addressed it; Twitter uses it as the 401 realm. */
function realmOf(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}`;
}

/** RFC 5849 §3.4.1.2: the base string URI comes from the Host header and the request target. */
function oauthRequestOf(req: Request): OAuth1HttpRequest {
  return {
    method: req.method,
    url: `${req.protocol}://${req.get('host') ?? ''}${req.originalUrl}`,
    authorization: req.get('authorization'),
    formBody: typeof req.body === 'string' ? req.body : undefined,
  };
}

function sendRejection(res: Response, reason: OAuth1Rejection, realm: string): void {
  switch (reason) {
    case 'malformed-request':
    case 'duplicate-parameter':
    case 'unsupported-signature-method':
    case 'missing-parameters':
    case 'unsupported-version':
      sendTwitterError(res, TWITTER_ERRORS.badAuthenticationData, realm);
      return;
    case 'timestamp-out-of-bounds':
      sendTwitterError(res, TWITTER_ERRORS.timestampOutOfBounds, realm);
      return;
    case 'unknown-token':
      sendTwitterError(res, TWITTER_ERRORS.invalidOrExpiredToken, realm);
      return;
    case 'unknown-consumer':
    case 'bad-signature':
    case 'replayed-nonce':
      sendTwitterError(res, TWITTER_ERRORS.couldNotAuthenticate, realm);
      return;
  }
}

/** Callback URLs match when equal without their query and fragment. */
function withoutQuery(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

export function createTwitterEmulator(options: TwitterEmulatorOptions = {}): TwitterEmulator {
  const config = resolveTwitterOptions(options);
  const { consumerKey, consumerSecret, users, clock } = config;
  const tokens = new TwitterTokenStore(clock, config.requestTokenTtlSeconds * 1000);
  const guard = new NonceTimestampGuard(config.timestampWindowSeconds);
  const hangs = new HangingResponses();
  const control = new FailureControl<TwitterEndpoint>({
    provider: 'twitter',
    endpoints: [
      { name: 'request_token', interactive: false },
      { name: 'authenticate', interactive: true },
      { name: 'access_token', interactive: false },
      { name: 'verify_credentials', interactive: false },
    ],
    userIds: users.map((u) => u.idStr),
  });

  const consumerSecretFor = (key: string): string | undefined => (key === consumerKey ? consumerSecret : undefined);
  const nowSeconds = (): number => Math.floor(clock() / 1000);
  const userById = (id: string): TwitterTestUser | undefined => users.find((u) => u.idStr === id);
  const allowedCallbacks = config.allowedCallbackUrls?.map(withoutQuery);

  const tokenEndpointResponder: FailureResponder = {
    serverError: (res, status) => sendTwitterError(res, twitterServerError(status), realmOf(res.req)),
    // Broken percent-encoding and no token secret: unusable for any OAuth client.
    malformed: (res) => res.status(200).type('application/x-www-form-urlencoded').send('oauth_token=%E0%A4%A&oauth_token_secret'),
    errorWith200: (res) => sendTwitterError(res, TWITTER_ERRORS.internalError, realmOf(res.req), 200),
  };
  const apiResponder: FailureResponder = {
    ...tokenEndpointResponder,
    malformed: (res) => res.status(200).type('application/json; charset=utf-8').send('{"id":1580661436132757506,"id_str":"15806'),
  };

  const router = express.Router();
  const formBody = express.text({ type: 'application/x-www-form-urlencoded', limit: '64kb' });
  router.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  router.use('/__control', createControlRouter(control));

  // RFC 5849 §2.1 — temporary credentials.
  router.post(
    '/oauth/request_token',
    formBody,
    failureGate(control, 'request_token', tokenEndpointResponder, hangs),
    (req, res) => {
      const realm = realmOf(req);
      const verified = verifyOAuth1Request(oauthRequestOf(req), {
        consumerSecretFor,
        tokenSecretFor: () => undefined,
        tokenRequired: false,
        guard,
        nowSeconds: nowSeconds(),
      });
      if (!verified.ok) {
        sendRejection(res, verified.reason, realm);
        return;
      }
      // OAuth 1.0a made oauth_callback mandatory here (RFC 5849 §2.1: REQUIRED).
      const callback = verified.protocol.get('oauth_callback');
      if (!callback) {
        sendTwitterError(res, TWITTER_ERRORS.badAuthenticationData, realm);
        return;
      }
      if (callback !== OUT_OF_BAND) {
        const approved =
          isHttpUrl(callback) && (!allowedCallbacks || allowedCallbacks.includes(withoutQuery(callback)));
        if (!approved) {
          sendTwitterError(res, TWITTER_ERRORS.callbackNotApproved, realm);
          return;
        }
      }
      const requestToken = tokens.issueRequestToken(consumerKey, callback);
      res.status(200).type('application/x-www-form-urlencoded').send(
        formEncoded([
          ['oauth_token', requestToken.token],
          ['oauth_token_secret', requestToken.secret],
          ['oauth_callback_confirmed', 'true'],
        ]),
      );
    },
  );

  router.use(createAuthorizeRouter({ users, tokens, control, hangs }));

  // RFC 5849 §2.3 — token credentials.
  router.post(
    '/oauth/access_token',
    formBody,
    failureGate(control, 'access_token', tokenEndpointResponder, hangs),
    (req, res) => {
      const realm = realmOf(req);
      const verified = verifyOAuth1Request(oauthRequestOf(req), {
        consumerSecretFor,
        tokenSecretFor: (token, key) => tokens.requestToken(token, key)?.secret,
        tokenRequired: true,
        guard,
        nowSeconds: nowSeconds(),
      });
      if (!verified.ok) {
        if (verified.reason === 'unknown-token') {
          sendTwitterTextError(res, 401, TWITTER_OAUTH_TEXT_ERRORS.invalidRequestToken, realm);
        } else {
          sendRejection(res, verified.reason, realm);
        }
        return;
      }
      const requestToken = tokens.requestToken(verified.protocol.get('oauth_token') ?? '', consumerKey);
      if (!requestToken) {
        sendTwitterTextError(res, 401, TWITTER_OAUTH_TEXT_ERRORS.invalidRequestToken, realm);
        return;
      }
      const redeemed = tokens.redeem(requestToken, verified.protocol.get('oauth_verifier'));
      if (!redeemed.ok) {
        const message =
          redeemed.reason === 'missing-verifier'
            ? TWITTER_OAUTH_TEXT_ERRORS.missingVerifier
            : TWITTER_OAUTH_TEXT_ERRORS.invalidVerifier;
        sendTwitterTextError(res, 401, message, realm);
        return;
      }
      const user = userById(redeemed.userId);
      if (!user) {
        sendTwitterError(res, TWITTER_ERRORS.internalError, realm);
        return;
      }
      const accessToken = tokens.issueAccessToken(consumerKey, user.idStr);
      res.status(200).type('application/x-www-form-urlencoded').send(
        formEncoded([
          ['oauth_token', accessToken.token],
          ['oauth_token_secret', accessToken.secret],
          ['user_id', user.idStr],
          ['screen_name', user.screenName],
        ]),
      );
    },
  );

  router.get(
    '/1.1/account/verify_credentials.json',
    failureGate(control, 'verify_credentials', apiResponder, hangs),
    (req, res) => {
      const realm = realmOf(req);
      const verified = verifyOAuth1Request(oauthRequestOf(req), {
        consumerSecretFor,
        tokenSecretFor: (token, key) => tokens.accessToken(token, key)?.secret,
        tokenRequired: true,
        guard,
        nowSeconds: nowSeconds(),
      });
      if (!verified.ok) {
        sendRejection(res, verified.reason, realm);
        return;
      }
      const accessToken = tokens.accessToken(verified.protocol.get('oauth_token') ?? '', consumerKey);
      const user = accessToken && userById(accessToken.userId);
      if (!user) {
        sendTwitterError(res, TWITTER_ERRORS.invalidOrExpiredToken, realm);
        return;
      }
      res
        .status(200)
        .type('application/json; charset=utf-8')
        .send(
          renderVerifyCredentials(user, {
            includeEmail: twitterBoolean(req.query['include_email'], false),
            skipStatus: twitterBoolean(req.query['skip_status'], false),
            includeEntities: twitterBoolean(req.query['include_entities'], true),
            emailPermission: config.emailPermission,
          }),
        );
    },
  );

  router.use((req, res) => {
    sendTwitterError(res, TWITTER_ERRORS.pageDoesNotExist, realmOf(req));
  });
  const onError: ErrorRequestHandler = (error: unknown, req, res, _next) => {
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      sendTwitterError(res, TWITTER_ERRORS.badAuthenticationData, realmOf(req), status);
      return;
    }
    if (process.env['NODE_ENV'] !== 'test') console.error('twitter emulator:', error);
    sendTwitterError(res, TWITTER_ERRORS.internalError, realmOf(req));
  };
  router.use(onError);

  return {
    router,
    control,
    consumerKey,
    consumerSecret,
    users,
    releaseHanging: () => hangs.releaseAll(),
  };
}
