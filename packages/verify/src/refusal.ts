import { isDpopPresentation } from './authorization';
import type { DpopAlgorithm } from './dpop-proof';
import { InsufficientScopeError, VerifierUnavailableError, type VerifyError } from './errors';

/**
 * The HTTP answer to a failed verification, for any server: requireCommenter sends it for
 * Express, and a plain node:http backend sends it itself.
 *
 * - 401/403 carry a `WWW-Authenticate` challenge (RFC 6750 §3, RFC 9449 §7.1) in the scheme the
 *   client should use: DPoP when it presented a DPoP token, or when the refusal is DPoP's (a bound
 *   token sent as Bearer, a site that requires DPoP), with `algs`; Bearer otherwise. Then `error`,
 *   then `error_description`, and `scope` for insufficient_scope.
 * - 503 carries Retry-After and no challenge: the client is not at fault.
 * - The body is `{ error, message }` with the error's public message: never the token, never a
 *   configured value.
 */
export interface Refusal {
  readonly status: 401 | 403 | 503;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: { readonly error: string; readonly message: string };
}

/** RFC 6750 §3: error_description may hold %x20-21 / %x23-5B / %x5D-7E only. */
function quotable(text: string): string {
  return text.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, ' ');
}

export interface RefusalContext {
  /** The request's Authorization header: its scheme decides the challenge's. */
  readonly authorization: string | undefined;
  /** The verifier's `dpopAlgorithms`; default ES256. */
  readonly dpopAlgorithms?: readonly DpopAlgorithm[];
}

export function refusalFor(error: VerifyError, context: RefusalContext): Refusal {
  const body = { error: error.responseError, message: error.publicMessage };
  if (error instanceof VerifierUnavailableError) {
    return {
      status: 503,
      headers: { 'Cache-Control': 'no-store', 'Retry-After': String(error.retryAfterSeconds) },
      body: { error: 'temporarily_unavailable', message: error.publicMessage },
    };
  }
  const scheme = error.scheme ?? (isDpopPresentation(context.authorization) ? 'DPoP' : 'Bearer');
  const parameters = [`error="${error.bearerError ?? 'invalid_token'}"`];
  if (scheme === 'DPoP') parameters.push(`algs="${(context.dpopAlgorithms ?? ['ES256']).join(' ')}"`);
  parameters.push(`error_description="${quotable(error.publicMessage)}"`);
  if (error instanceof InsufficientScopeError) parameters.push(`scope="${quotable(error.requiredScope)}"`);
  return {
    status: error.status,
    headers: { 'Cache-Control': 'no-store', 'WWW-Authenticate': `${scheme} ${parameters.join(', ')}` },
    body,
  };
}
