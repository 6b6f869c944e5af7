import { base64urlToText } from './base64url';

export type IdentityProvider = 'email' | 'twitter' | 'facebook';

/** What the widget shows about the signed-in commenter, read from the access token. */
export interface Commenter {
  readonly accessToken: string;
  /** The commenter's subject on this site: what the service's `authorKey` is made of (own-comments.ts). */
  readonly sub: string | undefined;
  readonly name: string;
  readonly picture: string | undefined;
  readonly idp: IdentityProvider | undefined;
  /** Expiry, in milliseconds since the epoch. */
  readonly expiresAt: number;
  /**
   * The thumbprint of the proof key the token is bound to (`cnf.jkt`, RFC 9449 §6.1): it is
   * sent as `Authorization: DPoP` with a proof signed by that key. Undefined: a Bearer token.
   */
  readonly boundTo: string | undefined;
}

/** Treat a token as expired this long before its `exp`, so it does not lapse on the way. */
export const EXPIRY_MARGIN_MS = 30 * 1000;

function isIdp(value: unknown): value is IdentityProvider {
  return value === 'email' || value === 'twitter' || value === 'facebook';
}

/**
 * Reads the display claims of a JWT access token. The signature is not checked here: the comment
 * service does that; the widget only needs the name, picture, provider and expiry to show, and
 * the subject to recognise the reader's own comments.
 */
export function readAccessToken(accessToken: string): Commenter | undefined {
  const parts = accessToken.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(base64urlToText(parts[1]!)) as Record<string, unknown>;
    if (typeof claims['exp'] !== 'number') return undefined;
    const confirmation = typeof claims['cnf'] === 'object' && claims['cnf'] !== null ? (claims['cnf'] as Record<string, unknown>) : {};
    const picture = typeof claims['picture'] === 'string' && claims['picture'].startsWith('https://') ? claims['picture'] : undefined;
    return {
      accessToken,
      sub: typeof claims['sub'] === 'string' && claims['sub'] !== '' ? claims['sub'] : undefined,
      name: typeof claims['name'] === 'string' && claims['name'].trim() !== '' ? claims['name'] : 'Anonymous',
      picture,
      idp: isIdp(claims['idp']) ? claims['idp'] : undefined,
      expiresAt: claims['exp'] * 1000,
      boundTo: typeof confirmation['jkt'] === 'string' ? confirmation['jkt'] : undefined,
    };
  } catch {
    return undefined;
  }
}

export function isExpired(commenter: Commenter, now: number): boolean {
  return commenter.expiresAt - EXPIRY_MARGIN_MS <= now;
}
