import type { Commenter } from './claims';
import { VerifierUnavailableError, VerifyError } from './errors';
import { refusalFor } from './refusal';
import type { Verifier } from './verify';

/**
 * Express middleware that lets a request through only with a valid commenter token.
 *
 * - The token comes from `Authorization: Bearer <token>` or `Authorization: DPoP <token>` with a
 *   `DPoP` proof header (verify.ts has the rules). Query and body tokens are not read.
 * - The proof's `htu` is checked against the verifier's publicUrl and `req.originalUrl` (the path
 *   as the client sent it, wherever the middleware is mounted), never against the Host header.
 * - Success puts the Commenter on `res.locals.commenter` (read it with getCommenter).
 * - Failure answers at once (refusal.ts): 401 `invalid_token` or `invalid_dpop_proof`, 403
 *   `insufficient_scope` for a token without the scope or of another site (body `wrong_site`
 *   then), or 503 with Retry-After when the issuer's keys or the replay store cannot be reached.
 *   Never a 500, never a stack trace, and the token is never echoed or logged.
 * - The client is told the error's `publicMessage`; the detailed `message` (expected and presented
 *   audience, site or issuer) is for `onRefused`, which is where an operator should log it.
 *
 * The request and response types are the few members used, so this package needs no Express
 * types; Express 5's Request and Response fit them, and so would any framework's alike.
 */

/** The members of an incoming request the middleware reads (Express's Request has them). */
export interface RequestLike {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  /** Express: the URL before any mount point was stripped. Used when present. */
  readonly originalUrl?: string | undefined;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
}

/** The members of a response the middleware uses (Express's Response has them). */
export interface ResponseLike {
  readonly locals: Record<string, unknown>;
  setHeader(name: string, value: string): unknown;
  status(code: number): { json(body: unknown): unknown };
}

export type NextFunctionLike = (error?: unknown) => void;

export interface RequireCommenterOptions<Req extends RequestLike = RequestLike> {
  /**
   * Told about each refusal, e.g. to log 503s: log `error.code` and `error.message`, which names
   * a setup mistake (ERR_ISSUER_MISMATCH, a wrong audience or site) with both values. The error
   * never contains the token.
   */
  readonly onRefused?: (error: VerifyError, req: Req) => void;
}

function header(req: RequestLike, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** Middleware that requires a commenter token; see the file comment for the rules. */
export function requireCommenter<Req extends RequestLike = RequestLike>(
  verifier: Pick<Verifier, 'verifyRequest'> & Partial<Pick<Verifier, 'dpopAlgorithms'>>,
  options: RequireCommenterOptions<Req> = {},
): (req: Req, res: ResponseLike, next: NextFunctionLike) => Promise<void> {
  return async function requireCommenterMiddleware(req, res, next) {
    let commenter: Commenter;
    const authorization = header(req, 'authorization');
    try {
      commenter = await verifier.verifyRequest({
        authorization,
        dpop: req.headers.dpop,
        method: req.method ?? '',
        url: req.originalUrl ?? req.url ?? '',
      });
    } catch (caught) {
      const error =
        caught instanceof VerifyError
          ? caught
          : new VerifierUnavailableError('ERR_VERIFIER_FAILED', 'token verification failed unexpectedly', 1, {
              cause: caught,
            });
      const refusal = refusalFor(error, { authorization, ...(verifier.dpopAlgorithms ? { dpopAlgorithms: verifier.dpopAlgorithms } : {}) });
      for (const [name, value] of Object.entries(refusal.headers)) res.setHeader(name, value);
      res.status(refusal.status).json(refusal.body);
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
export function getCommenter(res: { readonly locals: Record<string, unknown> }): Commenter {
  const commenter: unknown = res.locals.commenter;
  if (commenter === undefined) {
    throw new Error('getCommenter: requireCommenter did not run for this route');
  }
  return commenter as Commenter;
}
