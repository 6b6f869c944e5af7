/**
 * Twitter's error catalogue for the endpoints we emulate. API errors are JSON
 * `{"errors":[{"code":N,"message":"..."}]}` (v1.1 "Response codes" table); the OAuth token
 * endpoints answer a few failures in plain text instead, as client issue trackers record.
 */
import type { Response } from 'express';

export interface TwitterApiError {
  readonly status: number;
  readonly code: number;
  readonly message: string;
}

export const TWITTER_ERRORS = {
  /** 400, code 215: authentication missing or wholly invalid. */
  badAuthenticationData: { status: 400, code: 215, message: 'Bad Authentication data.' },
  /** 401, code 32: signature, consumer key or nonce did not check out. */
  couldNotAuthenticate: { status: 401, code: 32, message: 'Could not authenticate you.' },
  /**
   * Code 89. Twitter's table says 403, but verify_credentials and invalidate_token answer 401
   * ("HTTP/1.1 401 Authorization Required" in Twitter's own invalidate_token example).
   */
  invalidOrExpiredToken: { status: 401, code: 89, message: 'Invalid or expired token.' },
  /** 401, code 135: clock skew beyond the window (message as twitter-ruby issue 403 shows it). */
  timestampOutOfBounds: { status: 401, code: 135, message: 'Timestamp out of bounds' },
  /** 403, code 415: oauth_callback not among the app's registered callback URLs. */
  callbackNotApproved: {
    status: 403,
    code: 415,
    message:
      "Callback URL not approved for this client App. Approved callback URLs can be adjusted in your App's settings.",
  },
  /** 404, code 34. */
  pageDoesNotExist: { status: 404, code: 34, message: 'Sorry, that page does not exist.' },
  /** 500, code 131. */
  internalError: { status: 500, code: 131, message: 'Internal error' },
  /** 503, code 130. */
  overCapacity: { status: 503, code: 130, message: 'Over capacity' },
} as const satisfies Record<string, TwitterApiError>;

/** Plain-text answers of POST oauth/access_token. */
export const TWITTER_OAUTH_TEXT_ERRORS = {
  invalidRequestToken: 'Invalid request token',
  invalidVerifier: 'Error processing your OAuth request: Invalid oauth_verifier parameter',
  missingVerifier: 'Required oauth_verifier parameter not provided',
} as const;

/** Twitter answers 401s with `WWW-Authenticate: OAuth realm="https://api.twitter.com"`. */
function challenge(res: Response, status: number, realm: string): void {
  if (status === 401) res.set('WWW-Authenticate', `OAuth realm="${realm}"`);
}

export function sendTwitterError(res: Response, error: TwitterApiError, realm: string, status = error.status): void {
  challenge(res, status, realm);
  res
    .status(status)
    .type('application/json; charset=utf-8')
    .send(JSON.stringify({ errors: [{ code: error.code, message: error.message }] }));
}

export function sendTwitterTextError(res: Response, status: number, message: string, realm: string): void {
  challenge(res, status, realm);
  res.status(status).type('text/plain; charset=utf-8').send(message);
}

/** The 5xx of Twitter's catalogue that best fits a status. */
export function twitterServerError(status: number): TwitterApiError {
  const base = status === 503 ? TWITTER_ERRORS.overCapacity : TWITTER_ERRORS.internalError;
  return { ...base, status };
}
