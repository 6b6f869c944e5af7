/**
 * Resource owner authorization (RFC 5849 §2.2): GET oauth/authenticate (Sign in with Twitter)
 * and oauth/authorize, treated alike — the emulator always asks. Rules in order:
 * - the request token is live and undecided, else Twitter's "Whoa there!" page
 * - the POST back carries the authenticity token issued with the page (binding the form to
 *   its request token), then a test user or Cancel
 * - approval redirects to the callback with `oauth_token` and a one-time `oauth_verifier`;
 *   Cancel redirects with `?denied=<request token>` (Twitter's quirk, not an OAuth error) and
 *   kills the token; with oauth_callback "oob" the verifier is shown as a PIN instead.
 */
import { createHmac } from 'node:crypto';
import express, { type Response, type Router } from 'express';
import { randomToken, safeEqual } from './crypto-util';
import type { Failure, FailureControl } from './failure-control';
import type { HangingResponses } from './failure-middleware';
import { sendPage } from './html';
import { appendQueryParams, redirectTo } from './redirect';
import { stringParam } from './request-params';
import type { TwitterTestUser } from './test-users';
import {
  authorizePage,
  badSubmissionPage,
  deniedOutOfBandPage,
  invalidRequestTokenPage,
  pinPage,
  technicallyWrongPage,
} from './twitter-pages';
import type { TwitterEndpoint } from './twitter-routes';
import { OUT_OF_BAND, type RequestToken, type TwitterTokenStore } from './twitter-tokens';

export interface TwitterAuthorizeContext {
  readonly users: readonly TwitterTestUser[];
  readonly tokens: TwitterTokenStore;
  readonly control: FailureControl<TwitterEndpoint>;
  readonly hangs: HangingResponses;
}

export const AUTHORIZE_PATHS = ['/oauth/authenticate', '/oauth/authorize'];

export function createAuthorizeRouter({ users, tokens, control, hangs }: TwitterAuthorizeContext): Router {
  const pageSecret = randomToken(32);
  const authenticityTokenFor = (requestToken: RequestToken): string =>
    createHmac('sha256', pageSecret).update(requestToken.token).digest('base64url');

  const finishDenied = (res: Response, requestToken: RequestToken): void => {
    tokens.deny(requestToken);
    if (requestToken.callback === OUT_OF_BAND) sendPage(res, 200, deniedOutOfBandPage());
    else redirectTo(res, appendQueryParams(requestToken.callback, [['denied', requestToken.token]]));
  };

  const finishApproved = (res: Response, requestToken: RequestToken, userId: string): void => {
    const verifier = tokens.authorize(requestToken, userId);
    if (requestToken.callback === OUT_OF_BAND) {
      sendPage(res, 200, pinPage(verifier));
      return;
    }
    const params = [['oauth_token', requestToken.token], ['oauth_verifier', verifier]] as const;
    redirectTo(res, appendQueryParams(requestToken.callback, params));
  };

  /**
   * Injected failures; true when the response is sent. deny, approve and malformed need a live
   * request token; without one the dead-end page is shown (the one-shot failure is used up).
   */
  const answerFailure = (res: Response, failure: Failure | undefined, requestToken: RequestToken | undefined): boolean => {
    if (!failure) return false;
    switch (failure.kind) {
      case 'server-error':
        sendPage(res, failure.status ?? 500, technicallyWrongPage());
        return true;
      case 'error-200':
        sendPage(res, 200, technicallyWrongPage());
        return true;
      case 'hang':
        hangs.hold(res);
        return true;
      case 'deny':
        if (requestToken) finishDenied(res, requestToken);
        return requestToken !== undefined;
      case 'approve':
        if (requestToken) finishApproved(res, requestToken, failure.userId ?? users[0]!.idStr);
        return requestToken !== undefined;
      case 'malformed':
        // The callback without its verifier: the client cannot finish the exchange.
        if (!requestToken) return false;
        if (requestToken.callback === OUT_OF_BAND) sendPage(res, 200, pinPage(''));
        else redirectTo(res, appendQueryParams(requestToken.callback, [['oauth_token', requestToken.token]]));
        return true;
    }
  };

  const router = express.Router();

  router.get(AUTHORIZE_PATHS, (req, res) => {
    const failure = control.take('authenticate');
    const requestToken = tokens.pendingRequestToken(stringParam(req.query['oauth_token']) ?? '');
    if (answerFailure(res, failure, requestToken)) return;
    if (!requestToken) {
      sendPage(res, 400, invalidRequestTokenPage());
      return;
    }
    sendPage(
      res,
      200,
      authorizePage({
        action: `${req.baseUrl}${req.path}`,
        oauthToken: requestToken.token,
        authenticityToken: authenticityTokenFor(requestToken),
        consumerKey: requestToken.consumerKey,
        callback: requestToken.callback,
        users,
      }),
    );
  });

  router.post(AUTHORIZE_PATHS, express.urlencoded({ extended: false, limit: '16kb' }), (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const failure = control.take('authenticate');
    const requestToken = tokens.pendingRequestToken(stringParam(body['oauth_token']) ?? '');
    if (answerFailure(res, failure, requestToken)) return;
    if (!requestToken) {
      sendPage(res, 400, invalidRequestTokenPage());
      return;
    }
    if (!safeEqual(stringParam(body['authenticity_token']) ?? '', authenticityTokenFor(requestToken))) {
      sendPage(res, 403, badSubmissionPage('The form was not issued for this request token.'));
      return;
    }
    if (body['cancel'] !== undefined) {
      finishDenied(res, requestToken);
      return;
    }
    const user = users.find((u) => u.idStr === stringParam(body['user_id']));
    if (!user) {
      sendPage(res, 400, badSubmissionPage('Pick one of the listed test users, or cancel.'));
      return;
    }
    finishApproved(res, requestToken, user.idStr);
  });

  return router;
}
