import { Router } from 'express';
import type { Site } from '../config/sites';
import { html, page } from './html';
import { messagePage } from './views/pages';

/**
 * `ISSUER/relay/<site>`: the redirect URI of every site. It hands the authorization response
 * (code, state, iss, or error) to the widget that opened the popup, with postMessage addressed to
 * each of the site's registered origins in turn, never "*": the browser delivers it only when the
 * opener really is on one of them.
 */
export function relayRoutes(sites: ReadonlyMap<string, Site>): Router {
  const router = Router();
  router.get('/relay/:site', (req, res) => {
    const site = sites.get(req.params.site);
    res.set('Cache-Control', 'no-store');
    if (!site) {
      return void res.status(404).type('html').send(messagePage({ title: 'Unknown site', message: 'This sign-in belongs to no site registered here.' }));
    }
    res.type('html').send(
      page({
        title: `Signing in to ${site.name}`,
        scripts: ['relay.js'],
        body: html`<h1>Returning to ${site.name}</h1>
<div id="relay" data-origins="${JSON.stringify(site.origins)}"></div>
<p id="relay-status" role="status">One moment…</p>`,
      }),
    );
  });
  return router;
}
