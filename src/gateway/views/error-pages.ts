import { messagePage } from './pages';

/**
 * What a reader is told when a log-in stops on an OAuth/OIDC error: what happened and what to
 * do, in plain words. The error code (`invalid_client`…) is for whoever the reader asks for
 * help, so it is shown only as small print; oidc-provider's `error_description` ("client is
 * invalid") is developer text and never shown.
 */
export interface ReaderError {
  readonly title: string;
  /** What happened, in one sentence. */
  readonly message: string;
  /** What to do, in one sentence. */
  readonly detail: string;
}

const CANNOT_CONTINUE = 'This log-in cannot continue';
const TELL_THE_OWNER = 'Close this window and tell the blog’s owner.';
const TRY_AGAIN = 'Close this window and press a Log in button on the blog again.';

/** The blog's own set-up is wrong: only its owner can fix it. */
const NOT_SET_UP: ReaderError = { title: CANNOT_CONTINUE, message: 'This blog is not set up to let readers log in here.', detail: TELL_THE_OWNER };

/** The blog asked in a way we refuse: usually its set-up too, seldom a stale or edited address. */
const BAD_REQUEST: ReaderError = {
  title: CANNOT_CONTINUE,
  message: 'The blog asked to log you in in a way this service does not accept.',
  detail: 'Close this window and press a Log in button on the blog again; if this happens again, tell the blog’s owner.',
};

const EXPIRED: ReaderError = { title: 'This log-in has expired', message: 'It is over, or it was started in another browser.', detail: TRY_AGAIN };

const OUR_FAULT: ReaderError = { title: 'Something went wrong on our side', message: 'The log-in service had a problem and could not finish.', detail: 'Close this window and try again from the blog in a moment.' };

const BY_CODE: Readonly<Record<string, ReaderError>> = {
  invalid_client: NOT_SET_UP,
  unauthorized_client: NOT_SET_UP,
  invalid_client_metadata: NOT_SET_UP,
  unsupported_response_type: NOT_SET_UP,
  unsupported_response_mode: NOT_SET_UP,
  invalid_scope: NOT_SET_UP,
  invalid_target: NOT_SET_UP,
  invalid_redirect_uri: {
    title: CANNOT_CONTINUE,
    message: 'The blog asked to send you back to a page it has not registered here, so the log-in was stopped to keep you safe.',
    detail: TELL_THE_OWNER,
  },
  invalid_request: BAD_REQUEST,
  invalid_request_uri: BAD_REQUEST,
  invalid_request_object: BAD_REQUEST,
  request_not_supported: BAD_REQUEST,
  request_uri_not_supported: BAD_REQUEST,
  login_required: { title: 'You are not logged in', message: 'You need to log in before you can comment.', detail: TRY_AGAIN },
  interaction_required: { title: 'You are not logged in', message: 'You need to log in before you can comment.', detail: TRY_AGAIN },
  consent_required: { title: 'You are not logged in', message: 'You need to log in before you can comment.', detail: TRY_AGAIN },
  access_denied: {
    title: 'You cancelled logging in',
    message: 'Nothing was shared with the blog.',
    detail: 'Close this window; you can log in from the blog whenever you like.',
  },
  server_error: OUR_FAULT,
  temporarily_unavailable: { ...OUR_FAULT, message: 'The log-in service is busy right now.' },
};

/**
 * The reader's version of an error code. `invalid_request` says too little on its own: its
 * description tells a log-in that is gone (oidc-provider's SessionNotFound: a lost cookie, "authorization
 * request has expired") and a stale log-out window apart from a malformed request.
 */
export function readerError(code: string, description?: string): ReaderError {
  if (code === 'invalid_request' && description) {
    if (/\bsession\b|\bexpired\b/i.test(description)) return EXPIRED;
    if (/logout/i.test(description) || /^xsrf/i.test(description)) {
      return { title: 'This log-out window is out of date', message: 'It was opened for a log-out that is over or was started elsewhere.', detail: 'Close this window and press Log Out on the blog again.' };
    }
    if (/redirect_uri/i.test(description)) return BY_CODE['invalid_redirect_uri']!;
  }
  return BY_CODE[code] ?? OUR_FAULT;
}

/** The error codes are words and underscores; anything else is not shown even as small print. */
function printableCode(code: string): string | undefined {
  return /^[a-z_]{1,64}$/.test(code) ? code : undefined;
}

/**
 * The page for an error oidc-provider cannot send back to the site (its renderError): an
 * unknown site, a redirect URI the site never registered, a lost log-in session, a stale
 * log-out window, a failure of ours.
 */
export function oidcErrorPage(out: { readonly error: string; readonly error_description?: string | undefined }, siteName?: string): string {
  const said = readerError(out.error, out.error_description);
  return messagePage({ ...said, code: printableCode(out.error), siteName });
}
