import type { Site } from '../config/sites';

/** How the widget runs a log-in: in a popup over the post, or by taking the whole tab (pop-ups blocked). */
export type SignInMode = 'popup' | 'redirect';

/** Where a log-in started, as far as the gateway may trust it. */
export interface SignInOrigin {
  readonly mode: SignInMode;
  /** The post to return to; only a page on one of the site's registered origins. */
  readonly returnTo: string | undefined;
}

/** base64url(JSON) after a "p." or "r." prefix; longer states are none of the widget's. */
const WIDGET_STATE = /^([pr])\.([A-Za-z0-9_-]{1,4000})$/;

/**
 * Reads the widget's OAuth `state` (src/widget/state.ts: ("p." | "r.") + base64url(JSON
 * { returnTo, nonce })) the way assets/relay.js does: `returnTo` counts only on an http(s) page of
 * one of the site's origins, and keeps no fragment. A state of another shape (another client) is
 * a popup log-in with nowhere known to return to.
 */
export function signInOrigin(state: unknown, site: Site): SignInOrigin {
  const match = typeof state === 'string' ? WIDGET_STATE.exec(state) : null;
  if (!match) return { mode: 'popup', returnTo: undefined };
  const mode: SignInMode = match[1] === 'r' ? 'redirect' : 'popup';
  try {
    const payload = JSON.parse(Buffer.from(match[2]!, 'base64url').toString('utf8')) as unknown;
    const returnTo = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>)['returnTo'] : undefined;
    return { mode, returnTo: typeof returnTo === 'string' ? registeredPage(returnTo, site) : undefined };
  } catch {
    return { mode, returnTo: undefined };
  }
}

function registeredPage(address: string, site: Site): string | undefined {
  try {
    const url = new URL(address);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    if (!site.origins.includes(url.origin)) return undefined;
    return url.origin + url.pathname + url.search;
  } catch {
    return undefined;
  }
}
