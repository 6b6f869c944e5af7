import { Router } from 'express';
import { html } from '../http/html';
import { page } from './html';

/** How long the privacy notice may be cached: it changes only with a release. */
const PRIVACY_PAGE_MAX_AGE_SECONDS = 60 * 60;

/**
 * `GET /privacy`: what Parley keeps about a commenter and what blogs see, linked from the footer
 * of every gateway page. It describes this code base (DESIGN.md); a deployment that keeps more
 * (logs, backups) must say so on its own pages too.
 */
export function privacyRoutes(): Router {
  const router = Router();
  router.get('/privacy', (_req, res) => {
    res.set('Cache-Control', `public, max-age=${PRIVACY_PAGE_MAX_AGE_SECONDS}`);
    res.type('html').send(
      page({
        title: 'Privacy',
        body: html`<h1>Privacy</h1>
<p>Parley logs you in to comment on blogs that use it. It keeps as little as that needs.</p>
<h2>What blogs see</h2>
<p>Your name and picture, how you logged in (email, Twitter or Facebook), and an identifier made for that blog alone: two blogs cannot tell that you are the same commenter. Blogs never see your email address.</p>
<h2>What Parley keeps</h2>
<ul>
<li>Your display name and picture.</li>
<li>For each way you log in: your email address, or your Twitter or Facebook account id.</li>
<li>For an email log-in: the address, and the code and link only as hashes; both stop working after 10 minutes.</li>
<li>Cookies that keep you logged in on this browser, for at most 14 days. No tracking, no advertising, nothing from other sites.</li>
</ul>
<h2>Your choices</h2>
<p>On <a href="/account">your comment account</a> page you can see and remove your ways to log in, log out of this browser, or log out everywhere. The comments themselves belong to each blog: ask its owner to change or remove them.</p>`,
      }),
    );
  });
  return router;
}
