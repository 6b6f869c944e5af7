import { AUTHORIZATION_RESPONSE_TYPE, toAuthorizationResponse, type AuthorizationResponse } from './authorize';

/**
 * When the relay page has no opener to post to, it brings the browser back to the blog page with
 * the response in the fragment (never the query: fragments reach no server and no Referer):
 *
 *   https://blog.example/post#parley_state=…&parley_code=…&parley_iss=…
 *
 * That happens after a full-page redirect (popup blocked), and inside a popup whose link to this
 * tab was cut on the way (a provider page with Cross-Origin-Opener-Policy severs `window.opener`).
 * In the second case the popup hands the response to the waiting tab over a BroadcastChannel,
 * which only pages of the same origin can hear, then closes.
 */
const PREFIX = 'parley_';
const CHANNEL = 'parley:signin';

/** Takes the response out of the address bar (so it is not bookmarked, shared or reloaded). */
export function takeResponseFromLocation(): AuthorizationResponse | undefined {
  const hash = window.location.hash;
  if (!hash.includes(`${PREFIX}state=`)) return undefined;
  const params = new URLSearchParams(hash.slice(1));
  const data: Record<string, string> = { type: AUTHORIZATION_RESPONSE_TYPE };
  params.forEach((value, key) => {
    if (key.startsWith(PREFIX)) data[key.slice(PREFIX.length)] = value;
  });
  window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
  return toAuthorizationResponse(data);
}

/** Sends a response to the tab waiting for it, from the popup it opened. */
export function handOff(response: AuthorizationResponse): boolean {
  if (typeof BroadcastChannel === 'undefined') return false;
  const channel = new BroadcastChannel(CHANNEL);
  channel.postMessage({ ...response, type: AUTHORIZATION_RESPONSE_TYPE });
  channel.close();
  return true;
}

/** Listens for responses handed off by popups of this tab. */
export function listenForHandOffs(listener: (response: AuthorizationResponse) => void): void {
  if (typeof BroadcastChannel === 'undefined') return;
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (event: MessageEvent) => {
    const response = toAuthorizationResponse(event.data);
    if (response) listener(response);
  };
}
