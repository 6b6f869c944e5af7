import { html, type SafeHtml } from '../../http/html';
import type { SignInMode } from '../widget-state';

/**
 * How a log-in page lets the reader leave: while the log-in runs, by ending it (the site gets
 * access_denied through its relay, which closes the popup or returns the tab to the post); once it
 * is over, by going back to the post, or by closing the window.
 */
export type WayBack =
  | { readonly kind: 'cancel'; readonly uid: string; readonly mode: SignInMode }
  | { readonly kind: 'return'; readonly href: string }
  | { readonly kind: 'close' };

export const BACK_TO_THE_POST = 'Back to the post';

export function wayBack(way: WayBack | undefined): SafeHtml {
  if (!way) return html``;
  switch (way.kind) {
    case 'cancel':
      return html`<form method="post" action="/interaction/${way.uid}/abort" class="way-back"><button type="submit" class="link">${way.mode === 'redirect' ? BACK_TO_THE_POST : 'Cancel'}</button></form>`;
    case 'return':
      return html`<p class="way-back"><a class="button secondary" href="${way.href}">${BACK_TO_THE_POST}</a></p>`;
    case 'close':
      // Shown by page.js where a script may close the window (a popup the widget opened).
      return html`<p class="way-back"><button type="button" class="secondary" data-close-window hidden>Close this window</button></p>`;
  }
}
