const POPUP_NAME = 'parley-signin';
const POPUP_WIDTH_PX = 480;
const POPUP_HEIGHT_PX = 640;

/**
 * Opens the sign-in window centred over the page. Must run synchronously inside the click
 * handler, or popup blockers refuse it. Null means it was blocked.
 */
export function openPopup(url: string, name: string = POPUP_NAME): Window | null {
  const left = Math.max(0, Math.round(window.screenX + (window.outerWidth - POPUP_WIDTH_PX) / 2));
  const top = Math.max(0, Math.round(window.screenY + (window.outerHeight - POPUP_HEIGHT_PX) / 2));
  let popup: Window | null = null;
  try {
    popup = window.open(url, name, `popup=yes,width=${POPUP_WIDTH_PX},height=${POPUP_HEIGHT_PX},left=${left},top=${top}`);
  } catch {
    popup = null;
  }
  // Some blockers hand back a window that is already closed.
  return popup && !popup.closed ? popup : null;
}

/** Whether the window is gone. A window cut off by Cross-Origin-Opener-Policy also reads as closed. */
export function isClosed(popup: Window): boolean {
  try {
    return popup.closed;
  } catch {
    return false;
  }
}
