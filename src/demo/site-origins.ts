import { DEFAULTS, type Settings } from '../config/settings';
import type { Site } from '../config/sites';

/**
 * The demo page's address follows PARLEY_DEMO_PORT, so the demo site's origins must too: the
 * comment service's CORS, the gateway's token endpoint CORS and the relay page all allow only a
 * site's registered origins, and config/sites.json can only name the default port. Without this
 * the demo on another port shows "The comments could not be loaded".
 */

/** Names under which a browser on this machine reaches the demo page (it listens on 127.0.0.1). */
const DEMO_PAGE_HOSTS = ['localhost', '127.0.0.1'] as const;

/** The origins of the demo page served on `port`. */
export function demoPageOrigins(port: number): string[] {
  return DEMO_PAGE_HOSTS.map((host) => `http://${host}:${port}`);
}

/** The site whose post the demo page shows: the first of the sites file. */
export function demoSite(settings: Settings): Site {
  const site = settings.sites[0];
  // The sites schema requires at least one site; this guards against a hand-built Settings.
  if (!site) throw new Error('the demo needs at least one site in PARLEY_SITES_FILE');
  return site;
}

/**
 * The settings with the demo site's origins following the port the demo page listens on: its
 * origins at the default demo port (the demo page's address in config/sites.json) give way to the
 * demo page's actual origins; any other origin the site lists stays.
 */
export function withDemoPageOrigins(settings: Settings, port: number): Settings {
  const site = demoSite(settings);
  const defaultPageOrigins = new Set(demoPageOrigins(Number(DEFAULTS.PARLEY_DEMO_PORT)));
  const origins = [...new Set([...demoPageOrigins(port), ...site.origins.filter((origin) => !defaultPageOrigins.has(origin))])];
  const moved: Site = Object.freeze({ ...site, origins: Object.freeze(origins) });
  return Object.freeze({ ...settings, sites: Object.freeze(settings.sites.map((each) => (each === site ? moved : each))) });
}
