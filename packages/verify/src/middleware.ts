import type { Request, RequestHandler, Response } from 'express';
import type { Commenter } from './claims';
import { InsufficientScopeError, InvalidTokenError, VerifierUnavailableError, VerifyError } from './errors';
import type { Verifier } from './verify';

/**
 * Express middleware that lets a request through only with a valid commenter token.
 *
 * - The token comes from `Authorization: Bearer <token>` only (RFC 6750 §2.1): the scheme in any
 *   case, exactly one token. Query and body tokens are not read: they end up in logs and history.
 * - Success puts the Commenter on `res.locals.commenter` (read it with getCommenter).
 * - Failure answers at once, per RFC 6750 §3: 401 `invalid_token` (even for a missing token, which
 *   Parley's API contract requires), 403 `insufficient_scope` for a token without the scope or of
 *   another site (body `wrong_site` then; see errors.ts), or 503 with Retry-After when the issuer's
 *   keys cannot be fetched. Never a 500, never a stack trace, and the token is never echoed or
 *   logged.
 * - The client is told the error's `publicMessage`; the detailed `message` (expected and presented
 *   audience, site or issuer) is for `onRefused`, which is where an operator should log it.
 */

export interface RequireCommenterOptions {
  /**
   * Told about each refusal, e.g. to log 503s: log `error.code` and `error.message`, which names
   * a setup mistake (ERR_ISSUER_MISMATCH, a wrong audience or site) with both values. The error
   * never contains the token.
   */
  readonly onRefused?: (error: VerifyError, req: Request) => void;
}

/** `credentials = auth-scheme 1*SP token68` (RFC 7235 §2.1); b64token per RFC 6750 §2.1. */
const BEARER_CREDENTIALS = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/** RFC 6750 §3: error_description may hold %x20-21 / %x23-5B / %x5D-7E only. */
function quotable(text: string): string {
  return text.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, ' ');
}

/** The bearer token of an Authorization header, or a VerifyError saying what is wrong with it. */
export function bearerToken(authorization: string | undefined): string {
  if (authorization === undefined || authorization.trim() === '') {
    throw new InvalidTokenError('ERR_TOKEN_MISSING', 'no bearer token was presented');
  }
  const match = BEARER_CREDENTIALS.exec(authorization.trim());
  if (match === null) {
    throw new InvalidTokenError('ERR_TOKEN_MALFORMED', 'authorization header must be Bearer and one token');
  }
  return match[1] as string;
}

function refuse(res: Response, error: VerifyError): void {
  res.setHeader('Cache-Control', 'no-store');
  if (error instanceof VerifierUnavailableError) {
    res.setHeader('Retry-After', String(error.retryAfterSeconds));
    res.status(503).json({ error: 'temporarily_unavailable', message: error.publicMessage });
    return;
  }
  const bearerError = error.bearerError ?? 'invalid_token';
  const scope = error instanceof InsufficientScopeError ? `, scope="${quotable(error.requiredScope)}"` : '';
  res.setHeader(
    'WWW-Authenticate',
    `Bearer error="${bearerError}", error_description="${quotable(error.publicMessage)}"${scope}`,
  );
  res.status(error.status).json({ error: error.responseError, message: error.publicMessage });
}

/** Middleware that requires a commenter token; see the file comment for the rules. */
export function requireCommenter(
  verifier: Pick<Verifier, 'verify'>,
  options: RequireCommenterOptions = {},
): RequestHandler {
  return async function requireCommenterMiddleware(req, res, next) {
    let commenter: Commenter;
    try {
      commenter = await verifier.verify(bearerToken(req.headers.authorization));
    } catch (caught) {
      const error =
        caught instanceof VerifyError
          ? caught
          : new VerifierUnavailableError('ERR_VERIFIER_FAILED', 'token verification failed unexpectedly', 1, {
              cause: caught,
            });
      refuse(res, error);
      try {
        options.onRefused?.(error, req);
      } catch {
        // A failing logging hook must not turn a clean refusal into a 500.
      }
      return;
    }
    res.locals.commenter = commenter;
    next();
  };
}

/**
 * The commenter that requireCommenter put on this response. Throws when the middleware did not
 * run: that is a routing mistake, and answering as if anonymous would hide it.
 */
export function getCommenter(res: Response): Commenter {
  const commenter: unknown = res.locals.commenter;
  if (commenter === undefined) {
    throw new Error('getCommenter: requireCommenter did not run for this route');
  }
  return commenter as Commenter;
}
