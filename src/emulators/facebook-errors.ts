/**
 * Facebook's error catalogue for the endpoints we emulate. Graph errors are
 * `{"error":{"message","type","code","error_subcode"?,"fbtrace_id"}}`, mostly with HTTP 400,
 * and token failures also carry `WWW-Authenticate: OAuth "Facebook Platform" "<error>" "<message>"`.
 * Messages are Facebook's own where client issue trackers record them verbatim.
 */
import type { Response } from 'express';
import { randomBytes } from 'node:crypto';

export interface FacebookGraphError {
  readonly status: number;
  readonly message: string;
  readonly type: 'OAuthException' | 'GraphMethodException';
  readonly code: number;
  readonly subcode?: number;
  /** The error token of the WWW-Authenticate header, when Facebook sends one. */
  readonly challenge?: 'invalid_token' | 'invalid_request' | 'invalid_code';
}

export const FACEBOOK_ERRORS = {
  unknownError: { status: 500, message: 'An unknown error has occurred.', type: 'OAuthException', code: 1 },
  serviceUnavailable: { status: 503, message: 'Service temporarily unavailable', type: 'OAuthException', code: 2 },
  invalidAppId: {
    status: 400,
    message: 'Error validating application. Invalid application ID.',
    type: 'OAuthException',
    code: 101,
  },
  invalidClientSecret: { status: 400, message: 'Error validating client secret.', type: 'OAuthException', code: 1 },
  /** Also what Facebook answers for an empty `code=` (node-oauth issue 12). */
  invalidCodeFormat: { status: 400, message: 'Invalid verification code format.', type: 'OAuthException', code: 100 },
  redirectUriMismatch: {
    status: 400,
    message:
      'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request',
    type: 'OAuthException',
    code: 100,
    subcode: 36008,
    challenge: 'invalid_code',
  },
  codeExpired: {
    status: 400,
    message: 'This authorization code has expired.',
    type: 'OAuthException',
    code: 100,
    subcode: 36007,
  },
  codeUsed: {
    status: 400,
    message: 'This authorization code has been used.',
    type: 'OAuthException',
    code: 100,
    subcode: 36009,
  },
  invalidCodeVerifier: {
    status: 400,
    message:
      'Invalid code verifier. Code verifier should be a cryptographically random string using the characters A-Z, a-z, 0-9, and the punctuation characters -._~ (hyphen, period, underscore, and tilde), between 43 and 128 characters long.',
    type: 'OAuthException',
    code: 1,
  },
  verifierWithoutChallenge: {
    status: 400,
    message: 'code_verifier param is provided without a code_challenge in authorization request.',
    type: 'OAuthException',
    code: 1,
  },
  missingAccessToken: {
    status: 400,
    message: 'An active access token must be used to query information about the current user.',
    type: 'OAuthException',
    code: 2500,
    challenge: 'invalid_request',
  },
  unparsableAccessToken: {
    status: 400,
    message: 'Invalid OAuth access token - Cannot parse access token',
    type: 'OAuthException',
    code: 190,
    challenge: 'invalid_token',
  },
  invalidAccessToken: {
    status: 400,
    message: 'Invalid OAuth access token.',
    type: 'OAuthException',
    code: 190,
    challenge: 'invalid_token',
  },
  invalidAppsecretProof: {
    status: 400,
    message: 'Invalid appsecret_proof provided in the API argument',
    type: 'GraphMethodException',
    code: 100,
  },
  fieldsSyntaxError: {
    status: 400,
    message: '(#100) Syntax error in the fields parameter',
    type: 'OAuthException',
    code: 100,
  },
  unsupportedGrantType: {
    status: 400,
    message: 'Unsupported grant_type: only authorization_code is emulated',
    type: 'OAuthException',
    code: 100,
  },
  appsecretProofRequired: {
    status: 400,
    message: 'API calls from the server require an appsecret_proof argument',
    type: 'GraphMethodException',
    code: 100,
  },
} as const satisfies Record<string, FacebookGraphError>;

/** Code 190 / subcode 463, whose message names the expiry time. */
export function expiredAccessTokenError(expiredAtMs: number, nowMs: number): FacebookGraphError {
  const when = (ms: number): string => new Date(ms).toUTCString();
  return {
    status: 400,
    message: `Error validating access token: Session has expired on ${when(expiredAtMs)}. The current time is ${when(nowMs)}.`,
    type: 'OAuthException',
    code: 190,
    subcode: 463,
    challenge: 'invalid_token',
  };
}

/** Code 100 for fields a node does not have. */
export function nonexistingFieldError(field: string, nodeType = 'User'): FacebookGraphError {
  return {
    status: 400,
    message: `(#100) Tried accessing nonexisting field (${field}) on node type (${nodeType})`,
    type: 'OAuthException',
    code: 100,
  };
}

/** Code 2500 for paths the emulator does not serve. */
export function unknownPathError(path: string): FacebookGraphError {
  return { status: 400, message: `Unknown path components: ${path}`, type: 'OAuthException', code: 2500 };
}

/** The 5xx of Facebook's catalogue that best fits a status. */
export function facebookServerError(status: number): FacebookGraphError {
  const base = status === 503 ? FACEBOOK_ERRORS.serviceUnavailable : FACEBOOK_ERRORS.unknownError;
  return { ...base, status };
}

/** Facebook's trace ids look like "AbysPB151Ci53nyUmZORrZm". */
function traceId(): string {
  return randomBytes(17).toString('base64').replace(/[^A-Za-z0-9]/g, 'A').slice(0, 23);
}

export function sendFacebookError(res: Response, error: FacebookGraphError, status = error.status): void {
  const fbtraceId = traceId();
  if (error.challenge) {
    res.set('WWW-Authenticate', `OAuth "Facebook Platform" "${error.challenge}" "${error.message.replace(/"/g, "'")}"`);
  }
  res
    .status(status)
    .set({
      'Content-Type': 'application/json; charset=UTF-8',
      'Cache-Control': 'no-store',
      Pragma: 'no-cache',
      Expires: 'Sat, 01 Jan 2000 00:00:00 GMT',
      'x-fb-trace-id': fbtraceId,
    })
    .send(
      JSON.stringify({
        error: {
          message: error.message,
          type: error.type,
          code: error.code,
          ...(error.subcode === undefined ? {} : { error_subcode: error.subcode }),
          fbtrace_id: fbtraceId,
        },
      }),
    );
}
