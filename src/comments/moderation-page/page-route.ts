import path from 'node:path';
import { Router, type RequestHandler } from 'express';
import type { Site } from '../../config/sites';
import { html } from '../../http/html';
import { PROJECT_ROOT } from '../../paths';
import { widgetRoute } from '../widget-route';

/**
 * `GET /moderate/<site>`: the moderation page, plus its script (`/moderation.js`, built from
 * client/ into dist/ by scripts/build.js) and style sheet. The HTML is the same for everyone and
 * holds no data: what a visitor may see comes from the moderation API once they have signed in,
 * and the API answers 403 to anyone but the site's moderators, which the page then says.
 *
 * The page runs only our own script (CSP `script-src 'self'`, no inline script or style), talks
 * only to this service and the gateway (`connect-src`), cannot be framed, and sends no Referer.
 */

export const MODERATION_SCRIPT_FILE = path.join(PROJECT_ROOT, 'dist', 'moderation.js');
const MODERATION_STYLE_FILE = path.join(PROJECT_ROOT, 'src', 'comments', 'moderation-page', 'moderation.css');

export interface ModerationPageDependencies {
  readonly sites: ReadonlyMap<string, Site>;
  /** PARLEY_ISSUER: where the page signs moderators in. */
  readonly gatewayUrl: string;
  /** PARLEY_COMMENTS_URL: where the page calls the API (the prefix DPoP proofs name). */
  readonly commentsUrl: string;
  /** The built script; a test may point at another build. */
  readonly scriptFile?: string;
}

function pageSecurityHeaders(gatewayUrl: string): RequestHandler {
  const gatewayOrigin = new URL(gatewayUrl).origin;
  return (_req, res, next) => {
    res.setHeader(
      'Content-Security-Policy',
      `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; connect-src 'self' ${gatewayOrigin}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    );
    res.setHeader('X-Frame-Options', 'DENY');
    next();
  };
}

function notFoundPage(): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>No such site · Parley</title><link rel="stylesheet" href="/moderation.css"></head>
<body><main class="card"><h1>No such site</h1><p>The comment service does not know this site. Check the address.</p></main></body></html>`.value;
}

function moderationPage(site: Site, gatewayUrl: string, commentsUrl: string): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light dark">
<title>Moderation · ${site.name} · Parley</title>
<link rel="stylesheet" href="/moderation.css">
<script src="/moderation.js" defer></script>
</head>
<body>
<main id="moderation" class="card" data-site="${site.id}" data-gateway="${gatewayUrl}" data-comments-url="${commentsUrl}">
<h1>Moderating ${site.name}</h1>
<p id="status" role="status" aria-live="polite"></p>
<section id="signed-out">
<p>Sign in with an email address that the site lists as a moderator's (or with an account it is linked to).</p>
<button type="button" id="sign-in">Sign in to moderate</button>
</section>
<section id="forbidden" hidden>
<h2>Not a moderator</h2>
<p>This account does not moderate ${site.name}. Sign in with a moderator's email address.</p>
<button type="button" id="switch-account">Sign in as someone else</button>
</section>
<section id="workspace" hidden>
<p class="who">Signed in as <strong id="moderator-name"></strong> <button type="button" id="sign-out">Log Out</button></p>
${site.moderation === 'pre' ? html`<p class="note">New comments wait for approval: filter on “Awaiting approval”.</p>` : html``}
<form id="filters" class="filters">
<label>Post <input id="filter-post" name="post" maxlength="200" autocomplete="off"></label>
<label>State <select id="filter-state" name="state">
<option value="">All</option><option value="visible">Visible</option><option value="pending">Awaiting approval</option><option value="hidden">Hidden</option><option value="deleted">Deleted</option>
</select></label>
<label>Commenter <input id="filter-sub" name="sub" maxlength="255" autocomplete="off"></label>
<button type="submit">Filter</button>
</form>
<h2>Comments, newest first</h2>
<p id="no-comments" class="muted" hidden>No comments.</p>
<ol id="comments" class="comments"></ol>
<button type="button" id="more-comments" hidden>Older comments</button>
<h2>Moderation log</h2>
<p id="no-actions" class="muted" hidden>No actions yet.</p>
<ol id="log" class="log"></ol>
<button type="button" id="more-log" hidden>Older actions</button>
</section>
</main>
</body>
</html>`.value;
}

export function moderationPageRoutes(deps: ModerationPageDependencies): Router {
  const router = Router();
  router.get('/moderation.js', widgetRoute(deps.scriptFile ?? MODERATION_SCRIPT_FILE));
  router.get('/moderation.js.map', widgetRoute(`${deps.scriptFile ?? MODERATION_SCRIPT_FILE}.map`, 'application/json; charset=utf-8'));
  router.get('/moderation.css', widgetRoute(MODERATION_STYLE_FILE, 'text/css; charset=utf-8'));
  router.get('/moderate/:site', pageSecurityHeaders(deps.gatewayUrl), (req, res) => {
    const site = deps.sites.get(String(req.params.site));
    res.type('html');
    if (site === undefined) return void res.status(404).send(notFoundPage());
    res.send(moderationPage(site, deps.gatewayUrl, deps.commentsUrl));
  });
  return router;
}
