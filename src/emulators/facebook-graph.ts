/**
 * The slice of Graph that Facebook Login needs.
 *
 * `GET|POST /:version/oauth/access_token` (parameters in the query or a form body), rules in order:
 * client_id is the app's (101) · client_secret is right (1) · the code was issued to this app
 * (100) · it was not used before, else the token it produced is revoked too (100/36009, RFC 6749
 * §4.1.2) · it has not expired (100/36007) · redirect_uri is identical to the dialog's
 * (100/36008) · the PKCE verifier matches the dialog's challenge, and there is none without a
 * challenge (1) → `{access_token, token_type: "bearer", expires_in}`.
 *
 * `GET /:version/me`, rules in order: an access token from `Authorization: Bearer|OAuth` or
 * `access_token` (2500) · known, unrevoked and unexpired (190, 190/463) · appsecret_proof,
 * when present or required, is the HMAC-SHA256 of the token under the app secret (100) ·
 * `fields` parses and names User fields (100).
 */
import express, { type Request, type Response, type Router } from 'express';
import { isValidAppSecretProof } from './appsecret-proof';
import { safeEqual } from './crypto-util';
import {
  expiredAccessTokenError,
  FACEBOOK_ERRORS,
  facebookServerError,
  nonexistingFieldError,
  sendFacebookError,
  unknownPathError,
} from './facebook-errors';
import { FieldSyntaxError, parseFields, renderUser, type FieldRequest } from './facebook-fields';
import { looksLikeFacebookToken, type FacebookGrantStore } from './facebook-grants';
import type { FacebookEndpoint } from './facebook-routes';
import { hasValidVersion, versioned } from './facebook-versions';
import type { FailureControl } from './failure-control';
import { failureGate, type FailureResponder, type HangingResponses } from './failure-middleware';
import type { ResolvedFacebookOptions } from './options';
import { verifyCodeVerifier } from './pkce';
import { stringParam } from './request-params';

export interface FacebookGraphContext {
  readonly config: ResolvedFacebookOptions;
  readonly grants: FacebookGrantStore;
  readonly control: FailureControl<FacebookEndpoint>;
  readonly hangs: HangingResponses;
}

/** The access token from `Authorization: Bearer|OAuth <token>` or the access_token parameter. */
function accessTokenOf(req: Request): string | undefined {
  const header = /^\s*(?:Bearer|OAuth)\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
  return header?.[1] ?? stringParam(req.query['access_token']);
}

function sendJson(res: Response, body: object): void {
  res.status(200).set('Cache-Control', 'no-store').type('application/json; charset=UTF-8').send(JSON.stringify(body));
}

/** How Graph endpoints misbehave when a failure is armed. */
function graphResponder(truncatedBody: string): FailureResponder {
  return {
    serverError: (res, status) => sendFacebookError(res, facebookServerError(status)),
    malformed: (res) => res.status(200).type('application/json; charset=UTF-8').send(truncatedBody),
    errorWith200: (res) => sendFacebookError(res, FACEBOOK_ERRORS.unknownError, 200),
  };
}

export function createGraphRouter({ config, grants, control, hangs }: FacebookGraphContext): Router {
  const { appId, appSecret, users } = config;
  const router = express.Router();

  const exchangeCode = (req: Request, res: Response, next: () => void): void => {
    if (!hasValidVersion(req)) {
      next();
      return;
    }
    const body = (req.method === 'POST' && typeof req.body === 'object' && req.body ? req.body : {}) as Record<
      string,
      unknown
    >;
    const param = (name: string): string | undefined => stringParam(body[name]) ?? stringParam(req.query[name]);

    const grantType = param('grant_type');
    if (grantType !== undefined && grantType !== 'authorization_code') {
      sendFacebookError(res, FACEBOOK_ERRORS.unsupportedGrantType);
      return;
    }
    if (param('client_id') !== appId) {
      sendFacebookError(res, FACEBOOK_ERRORS.invalidAppId);
      return;
    }
    if (!safeEqual(param('client_secret') ?? '', appSecret)) {
      sendFacebookError(res, FACEBOOK_ERRORS.invalidClientSecret);
      return;
    }
    const code = grants.findCode(param('code') ?? '');
    if (!code || code.clientId !== appId) {
      sendFacebookError(res, FACEBOOK_ERRORS.invalidCodeFormat);
      return;
    }
    if (code.issuedToken !== undefined) {
      grants.revokeTokenOf(code);
      sendFacebookError(res, FACEBOOK_ERRORS.codeUsed);
      return;
    }
    if (grants.isExpired(code)) {
      sendFacebookError(res, FACEBOOK_ERRORS.codeExpired);
      return;
    }
    if (param('redirect_uri') !== code.redirectUri) {
      sendFacebookError(res, FACEBOOK_ERRORS.redirectUriMismatch);
      return;
    }
    const verifier = param('code_verifier');
    if (code.codeChallenge === undefined) {
      if (verifier !== undefined) {
        sendFacebookError(res, FACEBOOK_ERRORS.verifierWithoutChallenge);
        return;
      }
    } else if (
      verifier === undefined ||
      !verifyCodeVerifier(verifier, code.codeChallenge, code.codeChallengeMethod ?? 'plain')
    ) {
      sendFacebookError(res, FACEBOOK_ERRORS.invalidCodeVerifier);
      return;
    }
    const token = grants.redeem(code);
    sendJson(res, {
      access_token: token.token,
      token_type: 'bearer',
      expires_in: Math.floor((token.expiresAtMs - grants.now()) / 1000),
    });
  };

  const tokenGate = failureGate(control, 'access_token', graphResponder('{"access_token":"EAA'), hangs);
  router.get(versioned('/oauth/access_token'), tokenGate, exchangeCode);
  router.post(versioned('/oauth/access_token'), express.urlencoded({ extended: false, limit: '16kb' }), tokenGate, exchangeCode);

  router.get(versioned('/me'), failureGate(control, 'me', graphResponder('{"id":"1000'), hangs), (req, res, next) => {
    if (!hasValidVersion(req)) {
      next();
      return;
    }
    const accessToken = accessTokenOf(req);
    if (!accessToken) {
      sendFacebookError(res, FACEBOOK_ERRORS.missingAccessToken);
      return;
    }
    const token = grants.findToken(accessToken);
    const user = token && users.find((u) => u.id === token.userId);
    if (!token || token.revoked || token.clientId !== appId || !user) {
      sendFacebookError(
        res,
        looksLikeFacebookToken(accessToken) ? FACEBOOK_ERRORS.invalidAccessToken : FACEBOOK_ERRORS.unparsableAccessToken,
      );
      return;
    }
    if (token.expiresAtMs <= grants.now()) {
      sendFacebookError(res, expiredAccessTokenError(token.expiresAtMs, grants.now()));
      return;
    }
    const proof = stringParam(req.query['appsecret_proof']);
    if (proof === undefined && config.requireAppsecretProof) {
      sendFacebookError(res, FACEBOOK_ERRORS.appsecretProofRequired);
      return;
    }
    if (proof !== undefined && !isValidAppSecretProof(proof, accessToken, appSecret)) {
      sendFacebookError(res, FACEBOOK_ERRORS.invalidAppsecretProof);
      return;
    }
    let fields: FieldRequest[] | undefined;
    const rawFields = stringParam(req.query['fields']);
    try {
      fields = rawFields === undefined ? undefined : parseFields(rawFields);
    } catch (error) {
      if (!(error instanceof FieldSyntaxError)) throw error;
      sendFacebookError(res, FACEBOOK_ERRORS.fieldsSyntaxError);
      return;
    }
    const rendered = renderUser(user, fields, new Set(token.scopes));
    if (!rendered.ok) {
      sendFacebookError(res, nonexistingFieldError(rendered.field, rendered.nodeType));
      return;
    }
    sendJson(res, rendered.body);
  });

  router.use((req, res) => sendFacebookError(res, unknownPathError(req.path)));
  return router;
}
