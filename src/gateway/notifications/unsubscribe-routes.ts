import { Router, type RequestHandler } from 'express';
import type { Site } from '../../config/sites';
import { html } from '../../http/html';
import type { Logger } from '../../observability/logger';
import type { CommenterSites } from '../../store/commenter-sites';
import { page } from '../html';
import { createUnsubscribeToken, readUnsubscribeToken, type UnsubscribeClaims } from './unsubscribe-token';

/**
 * The unsubscribe link of every reply notification: `ISSUER/unsubscribe/replies?t=…`.
 *
 * - `POST` unsubscribes: RFC 8058's one-click POST from a mail client (body
 *   `List-Unsubscribe=One-Click`, no cookie), or the button of the page below. No cookie, no CSRF
 *   token, by design: the signed `t` is the whole authority, and it only ever turns mail off.
 *   It sets "unsubscribed since now" for that (account, site), so no email about comments posted
 *   before; ticking the box on a later comment turns it on again for that comment. Repeating it
 *   changes nothing the commenter would notice.
 * - `GET` only shows that button: mail scanners and link previews fetch every link in a message,
 *   and must not unsubscribe anyone by doing so.
 * - A missing, altered or forged `t` gets a 400 page in plain words.
 *
 * The link is built from PARLEY_ISSUER alone (https in production), never from the request.
 */

export const UNSUBSCRIBE_PATH = '/unsubscribe/replies';

export function unsubscribeUrl(issuer: string, secret: string, claims: UnsubscribeClaims): string {
  return `${issuer.replace(/\/+$/, '')}${UNSUBSCRIBE_PATH}?${new URLSearchParams({ t: createUnsubscribeToken(secret, claims) }).toString()}`;
}

export interface UnsubscribeRoutesDeps {
  readonly commenterSites: CommenterSites;
  readonly sites: ReadonlyMap<string, Site>;
  readonly unsubscribeSecret: string;
  readonly logger: Logger;
  readonly clock: () => number;
}

function siteName(sites: ReadonlyMap<string, Site>, siteId: string): string {
  return sites.get(siteId)?.name ?? 'that blog';
}

function badLink(): string {
  return page({
    title: 'This link does not work',
    body: html`<h1>This link does not work</h1>
<p>The unsubscribe link is incomplete or has been changed. Open it again from the email exactly as it is, or copy the whole link into your browser.</p>
<p>You can also turn off reply emails on <a href="/account">your comment account</a> page.</p>`,
  });
}

export function unsubscribeRoutes(deps: UnsubscribeRoutesDeps): Router {
  const router = Router();
  const noStore: RequestHandler = (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  };

  router.get(UNSUBSCRIBE_PATH, noStore, (req, res) => {
    const claims = readUnsubscribeToken(deps.unsubscribeSecret, req.query['t']);
    if (claims === undefined) return void res.status(400).type('html').send(badLink());
    const name = siteName(deps.sites, claims.siteId);
    res.type('html').send(
      page({
        title: 'Stop reply emails',
        siteName: name,
        body: html`<h1>Stop reply emails from ${name}?</h1>
<p>You will get no more emails about replies to the comments you have posted on ${name} so far.</p>
<form method="post" action="${UNSUBSCRIBE_PATH}?${new URLSearchParams({ t: String(req.query['t']) }).toString()}">
<button type="submit">Stop these emails</button>
</form>`,
      }),
    );
  });

  router.post(UNSUBSCRIBE_PATH, noStore, async (req, res) => {
    const claims = readUnsubscribeToken(deps.unsubscribeSecret, req.query['t']);
    if (claims === undefined) return void res.status(400).type('html').send(badLink());
    const known = await deps.commenterSites.setRepliesUnsubscribed(claims.accountId, claims.siteId, deps.clock());
    deps.logger.info({ accountId: claims.accountId, siteId: claims.siteId, known }, 'reply notifications unsubscribed');
    const name = siteName(deps.sites, claims.siteId);
    res.type('html').send(
      page({
        title: 'Reply emails stopped',
        siteName: name,
        body: html`<h1>Done: no more reply emails</h1>
<p>You will get no more emails about replies to the comments you have posted on ${name} so far.</p>
<p>To hear about replies again, tick “Notify me of replies by email” when you next comment there.</p>`,
      }),
    );
  });
  return router;
}
