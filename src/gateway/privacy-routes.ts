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
<li>Which blogs you have logged in to, and when you last did.</li>
<li>Cookies that keep you logged in on this browser, for at most 14 days. No tracking, no advertising, nothing from other sites.</li>
</ul>
<h2>Your choices</h2>
<p>On <a href="/account">your comment account</a> page you can:</p>
<ul>
<li>see and remove your ways to log in, and add others;</li>
<li>see the blogs you log in to, and turn their emails about replies to your comments off or on;</li>
<li>see the browsers logged in, log out of this one, or log out everywhere;</li>
<li>download everything Parley and the blogs' comment service hold about you, your comments included, as one file;</li>
<li>erase your account: Parley deletes it and everything that leads to it, and your comments stay in their threads as “a former commenter”, with or without their text as each blog's owner has chosen.</li>
</ul>
<p>Once erased, nothing at Parley names you any more. Until the comment service confirms, Parley keeps only the identifiers the blogs know you by, so it can ask again; then it drops those too.</p>`,
      }),
    );
  });
  return router;
}
