import { base64urlToText, textToBase64url } from './base64url';

/**
 * The OAuth `state` carries, besides its random nonce, the page to come back to, because the relay
 * page on the gateway cannot read the blog's storage. `p.` marks a popup sign-in (a tab is waiting
 * for the answer), `r.` a full-page redirect (the answer comes back to this very page):
 *
 *   state = ("p." | "r.") + base64url(JSON { returnTo, nonce })
 *
 * src/gateway/assets/relay.js decodes it and goes to `returnTo` only if its origin is one of the
 * site's registered origins. The nonce makes the state unguessable; the widget accepts an answer
 * only when the whole state equals the one it stored.
 */
export type SignInMode = 'popup' | 'redirect';

export interface SignInState {
  readonly mode: SignInMode;
  readonly returnTo: string;
  readonly nonce: string;
}

/** Beyond this, `returnTo` keeps only origin and path: the state travels in URLs. */
const MAX_RETURN_TO_LENGTH = 1500;

export function returnAddress(href: string): string {
  const url = new URL(href);
  url.hash = '';
  return url.href.length > MAX_RETURN_TO_LENGTH ? url.origin + url.pathname : url.href;
}

export function encodeState(state: SignInState): string {
  const prefix = state.mode === 'popup' ? 'p.' : 'r.';
  return prefix + textToBase64url(JSON.stringify({ returnTo: returnAddress(state.returnTo), nonce: state.nonce }));
}

/** The state's parts, or undefined for anything this widget did not make. */
export function decodeState(state: string): SignInState | undefined {
  const mode: SignInMode | undefined = state.startsWith('p.') ? 'popup' : state.startsWith('r.') ? 'redirect' : undefined;
  if (!mode) return undefined;
  try {
    const payload = JSON.parse(base64urlToText(state.slice(2))) as unknown;
    if (typeof payload !== 'object' || payload === null) return undefined;
    const returnTo = (payload as Record<string, unknown>)['returnTo'];
    const nonce = (payload as Record<string, unknown>)['nonce'];
    if (typeof returnTo !== 'string' || typeof nonce !== 'string' || nonce === '') return undefined;
    return { mode, returnTo, nonce };
  } catch {
    return undefined;
  }
}
