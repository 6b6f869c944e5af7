/**
 * Parley's comment widget: finds every `[data-parley-site][data-parley-post]` element on the page
 * and shows that post's thread and "Leave a Reply" form in it. See embed.ts for the embed code.
 */
import { findMounts, readEmbedConfig, EmbedError, type EmbedConfig } from './embed';
import { handOff, takeResponseFromLocation } from './handoff';
import { completeRedirectSignIn } from './session';
import { decodeState } from './state';
import { strings } from './strings';
import { Widget } from './widget';

// Only available while this script first runs (and not in modules): capture it now.
const script = (document.currentScript as HTMLScriptElement | null) ?? document.querySelector<HTMLScriptElement>('script[data-parley-gateway]');

function mountAll(config: EmbedConfig): void {
  for (const mount of findMounts(document)) new Widget(mount, config).start();
}

function showSetupError(error: Error): void {
  console.error(`Parley: ${error.message}`);
  for (const mount of findMounts(document)) {
    mount.element.setAttribute('data-parley-mounted', '');
    mount.element.textContent = strings.setupError;
  }
}

function main(): void {
  const response = takeResponseFromLocation();
  const mode = response ? decodeState(response.state)?.mode : undefined;
  // A sign-in popup whose link to its tab was cut on the way: give the tab the answer and close.
  if (response && mode === 'popup' && handOff(response)) window.close();

  let config: EmbedConfig;
  try {
    config = readEmbedConfig(script);
  } catch (error) {
    if (!(error instanceof EmbedError)) throw error;
    return showSetupError(error);
  }
  const start = () => {
    mountAll(config);
    if (response && mode === 'redirect') void completeRedirectSignIn(config.gatewayUrl, response);
  };
  // An async script may run before the rest of the page is parsed: mount what is there, and
  // the rest (and finish a returning sign-in) once it all is.
  if (document.readyState === 'loading') {
    mountAll(config);
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}

main();
