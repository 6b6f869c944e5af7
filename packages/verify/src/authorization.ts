import { InvalidTokenError } from './errors';

/**
 * The access token of an `Authorization` header and the scheme it came with:
 * `Bearer <token>` (RFC 6750 §2.1) or `DPoP <token>` (RFC 9449 §7.1). The scheme in any case,
 * exactly one token68 after it (RFC 7235 §2.1). Query and body tokens are not read: they end up
 * in logs and browser history.
 */

export type PresentationScheme = 'Bearer' | 'DPoP';

export interface PresentedToken {
  readonly scheme: PresentationScheme;
  readonly token: string;
}

/** `credentials = auth-scheme 1*SP token68`; b64token per RFC 6750 §2.1. */
const CREDENTIALS = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*)$/i;
const BEARER_CREDENTIALS = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

function requirePresent(authorization: string | undefined): string {
  if (authorization === undefined || authorization.trim() === '') {
    throw new InvalidTokenError('ERR_TOKEN_MISSING', 'no bearer token was presented');
  }
  return authorization.trim();
}

/** The token and scheme of an Authorization header, or a VerifyError saying what is wrong. */
export function presentedToken(authorization: string | undefined): PresentedToken {
  const match = CREDENTIALS.exec(requirePresent(authorization));
  if (match === null) {
    throw new InvalidTokenError('ERR_TOKEN_MALFORMED', 'authorization header must be Bearer or DPoP and one token');
  }
  return { scheme: match[1]!.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer', token: match[2]! };
}

/** The bearer token of an Authorization header, or a VerifyError saying what is wrong with it. */
export function bearerToken(authorization: string | undefined): string {
  const match = BEARER_CREDENTIALS.exec(requirePresent(authorization));
  if (match === null) {
    throw new InvalidTokenError('ERR_TOKEN_MALFORMED', 'authorization header must be Bearer and one token');
  }
  return match[1] as string;
}

/** True when the header uses the DPoP scheme, whatever else is wrong with it: the answer's scheme. */
export function isDpopPresentation(authorization: string | undefined): boolean {
  return authorization !== undefined && /^\s*dpop(\s|$)/i.test(authorization);
}
