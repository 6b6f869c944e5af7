/**
 * Facebook's login dialog (www), `GET /:version/dialog/oauth`, with its rules in order:
 * - client_id is the app's, else the "Invalid App ID" page
 * - redirect_uri is an absolute http(s) URI without fragment (RFC 6749 §3.1.2), registered when
 *   the app lists its URIs, else the "URL blocked" page: never redirect to an unchecked URI
 * - from here errors go back to redirect_uri (RFC 6749 §4.1.2.1): response_type must be code;
 *   code_challenge must be well formed for its method (RFC 7636 §4.2–4.3)
 * - the page lists the test users; the POST back answers the dialog once. Approval redirects
 *   with `?code&state#_=_`, Cancel with Facebook's access_denied set, also ending in `#_=_`.
 */
import express, { type Response, type Router } from 'express';
import { FACEBOOK_ERRORS } from './facebook-errors';
import type { DialogRequest, FacebookGrantStore } from './facebook-grants';
import {
  badDialogSubmissionPage,
  contentNotAvailablePage,
  dialogExpiredPage,
  dialogPage,
  invalidAppIdPage,
  somethingWentWrongPage,
  urlBlockedPage,
} from './facebook-pages';
import type { FacebookEndpoint } from './facebook-routes';
import { hasValidVersion, versioned } from './facebook-versions';
import type { Failure, FailureControl } from './failure-control';
import type { HangingResponses } from './failure-middleware';
import { sendPage } from './html';
import { isHttpUrl, type ResolvedFacebookOptions } from './options';
import { isValidCodeVerifier, parseChallengeMethod } from './pkce';
import { appendQueryParams, redirectTo } from './redirect';
import { stringParam } from './request-params';

export interface FacebookDialogContext {
  readonly config: ResolvedFacebookOptions;
  readonly grants: FacebookGrantStore;
  readonly control: FailureControl<FacebookEndpoint>;
  readonly hangs: HangingResponses;
}

type Pairs = Array<readonly [string, string]>;

/** Facebook takes comma-separated scopes; spaces are tolerated. public_profile is implied. */
function parseScopes(scope: string | undefined): string[] {
  const scopes = (scope ?? '').split(/[\s,]+/).filter((s) => s !== '');
  return ['public_profile', ...scopes.filter((s) => s !== 'public_profile')];
}

function isAcceptableRedirectUri(uri: string | undefined, allowed: readonly string[] | undefined): uri is string {
  if (uri === undefined || !isHttpUrl(uri) || new URL(uri).hash !== '') return false;
  return !allowed || allowed.includes(uri);
}

/** Facebook appends `#_=_` to every redirect back from its login dialog. */
function facebookRedirect(res: Response, redirectUri: string, params: Pairs): void {
  redirectTo(res, `${appendQueryParams(redirectUri, params)}#_=_`);
}

function withState(params: Pairs, state: string | undefined): Pairs {
  return state === undefined ? params : [...params, ['state', state]];
}

const isTransportFailure = (failure: Failure | undefined): boolean =>
  failure?.kind === 'server-error' || failure?.kind === 'hang';

export function createDialogRouter({ config, grants, control, hangs }: FacebookDialogContext): Router {
  const { appId, users } = config;

  const finishDenied = (res: Response, dialog: DialogRequest): void => {
    const denied: Pairs = [
      ['error', 'access_denied'],
      ['error_code', '200'],
      ['error_description', 'Permissions error'],
      ['error_reason', 'user_denied'],
    ];
    facebookRedirect(res, dialog.redirectUri, withState(denied, dialog.state));
  };

  const finishApproved = (res: Response, dialog: DialogRequest, userId: string): void => {
    const code = grants.issueCode(dialog, userId);
    facebookRedirect(res, dialog.redirectUri, withState([['code', code.code]], dialog.state));
  };

  /**
   * Injected failures; true when the response is sent. Transport failures need no dialog; the
   * others answer a valid dialog the way Facebook would redirect.
   */
  const answerFailure = (res: Response, failure: Failure | undefined, dialog: DialogRequest | undefined): boolean => {
    if (!failure) return false;
    if (failure.kind === 'server-error') {
      sendPage(res, failure.status ?? 500, somethingWentWrongPage());
      return true;
    }
    if (failure.kind === 'hang') {
      hangs.hold(res);
      return true;
    }
    if (!dialog) return false;
    switch (failure.kind) {
      case 'deny':
        finishDenied(res, dialog);
        break;
      case 'approve':
        finishApproved(res, dialog, failure.userId ?? users[0]!.id);
        break;
      case 'malformed':
        // Neither code nor error: the client has nothing to exchange.
        facebookRedirect(res, dialog.redirectUri, withState([], dialog.state));
        break;
      case 'error-200': {
        // A real Facebook quirk: error_code and error_message without an `error` parameter.
        const error: Pairs = [
          ['error_code', '1'],
          ['error_message', FACEBOOK_ERRORS.unknownError.message],
        ];
        facebookRedirect(res, dialog.redirectUri, withState(error, dialog.state));
        break;
      }
    }
    return true;
  };

  const router = express.Router();
  router.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  router.get(versioned('/dialog/oauth'), (req, res, next) => {
    if (!hasValidVersion(req)) {
      next();
      return;
    }
    const failure = control.take('dialog');
    if (isTransportFailure(failure) && answerFailure(res, failure, undefined)) return;

    const query = req.query;
    if (stringParam(query['client_id']) !== appId) {
      sendPage(res, 400, invalidAppIdPage());
      return;
    }
    const redirectUri = stringParam(query['redirect_uri']);
    if (!isAcceptableRedirectUri(redirectUri, config.allowedRedirectUris)) {
      sendPage(res, 400, urlBlockedPage());
      return;
    }
    const state = stringParam(query['state']);
    const fail = (error: string, description: string): void =>
      facebookRedirect(res, redirectUri, withState([['error', error], ['error_description', description]], state));

    if ((stringParam(query['response_type']) ?? 'code') !== 'code') {
      fail('unsupported_response_type', 'The emulator supports response_type=code only.');
      return;
    }
    const codeChallenge = stringParam(query['code_challenge']);
    const method = parseChallengeMethod(stringParam(query['code_challenge_method']));
    if (codeChallenge !== undefined) {
      const wellFormed =
        method === 'S256'
          ? /^[A-Za-z0-9_-]{43}$/.test(codeChallenge)
          : method === 'plain' && isValidCodeVerifier(codeChallenge);
      if (!wellFormed) {
        fail('invalid_request', 'Invalid code_challenge or code_challenge_method.');
        return;
      }
    }

    const dialog = grants.openDialog({
      clientId: appId,
      redirectUri,
      state,
      scopes: parseScopes(stringParam(query['scope'])),
      codeChallenge,
      codeChallengeMethod: codeChallenge === undefined ? undefined : method,
    });
    if (failure) {
      answerFailure(res, failure, grants.takeDialog(dialog.ticket));
      return;
    }
    sendPage(
      res,
      200,
      dialogPage({
        action: `${req.baseUrl}${req.path}`,
        ticket: dialog.ticket,
        appId,
        redirectUri,
        scopes: dialog.scopes,
        users,
      }),
    );
  });

  router.post(versioned('/dialog/oauth'), express.urlencoded({ extended: false, limit: '16kb' }), (req, res, next) => {
    if (!hasValidVersion(req)) {
      next();
      return;
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const failure = control.take('dialog');
    if (isTransportFailure(failure) && answerFailure(res, failure, undefined)) return;

    const dialog = grants.takeDialog(stringParam(body['ticket']) ?? '');
    if (!dialog) {
      sendPage(res, 400, dialogExpiredPage());
      return;
    }
    if (answerFailure(res, failure, dialog)) return;
    if (body['cancel'] !== undefined) {
      finishDenied(res, dialog);
      return;
    }
    const user = users.find((u) => u.id === stringParam(body['user_id']));
    if (!user) {
      sendPage(res, 400, badDialogSubmissionPage());
      return;
    }
    finishApproved(res, dialog, user.id);
  });

  router.use((_req, res) => sendPage(res, 404, contentNotAvailablePage()));
  return router;
}
