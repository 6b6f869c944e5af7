/** Proof Key for Code Exchange (RFC 7636), as the Facebook dialog accepts it. */
import { createHash } from 'node:crypto';
import { safeEqual } from './crypto-util';

export type CodeChallengeMethod = 'S256' | 'plain';

/** RFC 7636 §4.1: 43 to 128 characters from the unreserved set. */
export function isValidCodeVerifier(verifier: string): boolean {
  return /^[A-Za-z0-9\-._~]{43,128}$/.test(verifier);
}

/** RFC 7636 §4.2: S256 is BASE64URL(SHA256(ASCII(code_verifier))) without padding. */
export function codeChallengeFor(verifier: string, method: CodeChallengeMethod = 'S256'): string {
  return method === 'plain' ? verifier : createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** RFC 7636 §4.6: the server recomputes the challenge from the verifier and compares. */
export function verifyCodeVerifier(verifier: string, challenge: string, method: CodeChallengeMethod): boolean {
  return isValidCodeVerifier(verifier) && safeEqual(codeChallengeFor(verifier, method), challenge);
}

/** RFC 7636 §4.3: a missing method means "plain"; anything but the two defined is refused. */
export function parseChallengeMethod(value: string | undefined): CodeChallengeMethod | undefined {
  if (value === undefined || value === '' || value === 'plain') return 'plain';
  return value === 'S256' ? 'S256' : undefined;
}
