import { Router } from 'express';
import type { Site } from '../config/sites';
import { html } from '../http/html';
import { page } from './html';
import { finePrint, messagePage } from './views/pages';
import { readerError } from './views/error-pages';
import { siteOrigins } from './moderation-origin';

/**
 * `ISSUER/relay/<site>`: the redirect URI of every site. Its script (assets/relay.js) hands the
 * authorization response (code, state, iss, or error) back to the widget:
 *
 * - in a popup with its opener: postMessage addressed to each of the site's registered origins (and,
 *   for a site with moderators, the comment service's: see moderation-origin.ts) in
 *   turn, never "*", so the browser delivers it only when the opener really is on one of them;
 * - otherwise (popup blocked, so the whole page came here; or a provider's
 *   Cross-Origin-Opener-Policy cut the popup off from its opener): back to the blog page named
 *   in the widget's `state`, only if its origin is registered, with the response in the URL
 *   fragment. The code is useless without the PKCE verifier that stayed in the blog's tab.
 */
export function relayRoutes(sites: ReadonlyMap<string, Site>, commentsUrl: string): Router {
  const router = Router();
  router.get('/relay/:site', (req, res) => {
    const site = sites.get(req.params.site);
    res.set('Cache-Control', 'no-store');
    if (!site) {
      const said = readerError('invalid_client');
      return void res.status(404).type('html').send(messagePage({ ...said, code: 'invalid_client' }));
    }
    // An error the script cannot hand back (no opener, no page of the blog to return to) must
    // still read as what happened and what to do, so the page says it from the start.
    const error = typeof req.query['error'] === 'string' && /^[a-z_]{1,64}$/.test(req.query['error']) ? req.query['error'] : undefined;
    const said = error && !req.query['code'] ? { ...readerError(error), code: error } : undefined;
    const origins = siteOrigins(site, commentsUrl);
    res.type('html').send(
      page({
        title: said ? said.title : `Returning to ${site.name}`,
        siteName: site.name,
        scripts: ['relay.js'],
        body: said
          ? html`<h1>${said.title}</h1>
<p>${said.message}</p>
<div id="relay" data-origins="${JSON.stringify(origins)}"></div>
<p id="relay-status" class="muted" role="status">${said.detail}</p>
${finePrint(said.code)}`
          : html`<h1>Returning to ${site.name}</h1>
<div id="relay" data-origins="${JSON.stringify(origins)}"></div>
<p id="relay-status" role="status">One moment…</p>`,
      }),
    );
  });
  return router;
}
