import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { AccountStore, LinkResult } from '../store/accounts';
import type { AccountSession, EndSessionsOptions } from '../store/account-sessions';
import type { EmailSignIn } from '../providers/email';
import { emailProfile } from '../providers/email-strategy';
import { holdEmailSignin, pendingEmailSignin, releaseEmailSignin } from '../providers/pending-email-signins';
import { MailDeliveryError } from '../mail/mailer';
import { accountCheckEmailPage, accountPage, signedOutAccountPage, type AccountSessionsView } from './views/account';
import { eraseConfirmPage, erasureStatusPage, unknownErasurePage } from './views/account-erase';
import { exportUnavailablePage } from './views/account-export';
import { BackchannelError } from '../backchannel/gateway-client';
import { SESSION_TTL_SECONDS } from './oidc';
import type { TokenRevocations } from './token-revocations';
import { count } from './views/format';
import { blogPageFrom, type BlogPage } from './return-to';
import type { Site } from '../config/sites';
import type { AccountData } from './account-data/account-data';
import type { CommenterSites } from '../store/commenter-sites';

/** The email_signins "interaction" of a method being added from the account page. */
const ACCOUNT_LINK_INTERACTION = 'account-link';

declare module 'express-session' {
  interface SessionData {
    /** Guards the account page's forms (besides SameSite=Lax cookies). */
    csrf?: string;
    /** The blog page the account page was opened from (`return_to`), checked when it came. */
    accountReturnTo?: string;
  }
}

const PROVIDER_LABELS: Record<string, string> = { email: 'email address', twitter: 'Twitter account', facebook: 'Facebook account' };

/** A notice for the account page, carried in its URL after a redirect. */
export function accountNotice(result: LinkResult | 'cancelled' | 'removed' | 'last_method', provider: string): string {
  return encodeURIComponent(`${result}.${provider}`);
}

/** A notice about a blog's reply emails, carried like accountNotice. */
function repliesNotice(on: boolean, siteId: string): string {
  return encodeURIComponent(`${on ? 'replies_on' : 'replies_off'}.${siteId}`);
}

function noticeText(code: unknown, sites: readonly Site[]): { notice?: string; error?: string } {
  if (typeof code !== 'string') return {};
  const [result, provider = ''] = code.split('.');
  if (result === 'replies_on' || result === 'replies_off') {
    const site = sites.find((known) => known.id === provider)?.name ?? 'that blog';
    return {
      notice:
        result === 'replies_on'
          ? `${site} will email you about replies to comments where you ticked the box.`
          : `${site} will not email you about replies any more, even to comments where you ticked the box.`,
    };
  }
  const what = PROVIDER_LABELS[provider] ?? 'way to log in';
  switch (result) {
    case 'linked':
      return { notice: `Your ${what} now logs you in to this account.` };
    case 'already_linked':
      return { notice: `That ${what} already logs you in to this account.` };
    case 'belongs_to_another_account':
      return { error: `That ${what} already logs in to a different account, so it was not added here (remove it there first).` };
    case 'cancelled':
      return { notice: `Nothing was added: you cancelled at ${provider === 'twitter' ? 'Twitter' : provider === 'facebook' ? 'Facebook' : 'the provider'}.` };
    case 'removed':
      return { notice: `That ${what} no longer logs you in, and every other browser is logged out. Blogs will ask you to log in again.` };
    case 'signed_out_everywhere':
      return { notice: 'You are logged out everywhere: every browser and every blog will ask you to log in again.' };
    case 'last_method':
      return { error: 'You cannot remove your only way to log in.' };
    default:
      return {};
  }
}

function csrfToken(req: Request): string {
  return (req.session.csrf ??= randomBytes(24).toString('base64url'));
}

function csrfValid(req: Request): boolean {
  const sent = (req.body as Record<string, unknown> | undefined)?.['csrf'];
  const expected = req.session.csrf;
  if (typeof sent !== 'string' || !expected || sent.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(sent), Buffer.from(expected));
}

export interface AccountRoutesDeps {
  readonly accounts: AccountStore;
  readonly emailSignIn: EmailSignIn;
  /** Upstream providers that can be added (the configured ones). */
  readonly providers: readonly { id: string; label: string }[];
  readonly revocations: TokenRevocations;
  /** Ends every browser's sign-in of an account (see store/account-sessions). */
  readonly endAccountSessions: (accountId: string, options?: EndSessionsOptions) => Promise<unknown>;
  /**
   * The registered sites: `/account?return_to=<a page on one of their origins>` gives the page
   * "Back to <blog>". Without them the page offers no way back (never one to an unchecked URL).
   */
  readonly sites?: readonly Site[];
  /** Export and erasure across the gateway and the comment service (account-data/). */
  readonly accountData?: AccountData;
  /** The sites that know the account, and its notification settings there. */
  readonly commenterSites?: CommenterSites;
  /**
   * The browsers signed in to an account (oidc-provider's sessions, in the database or Redis);
   * without it the page says they cannot be listed here.
   */
  readonly listAccountSessions?: (accountId: string) => Promise<readonly AccountSession[]>;
}

/** The name oidc-provider gives its session cookie (its value is the session's id). */
const OIDC_SESSION_COOKIE = '_session';

/**
 * The oidc-provider session id this browser's cookie names, read without checking the cookie's
 * signature: it only marks "This browser" in a list of the signed-in commenter's own sessions,
 * and decides nothing.
 */
function oidcSessionOf(req: Request): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === OIDC_SESSION_COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/** `parley-account-2026-12-01.json`: the day of the export, in UTC. */
function exportFileName(now: Date): string {
  return `parley-account-${now.toISOString().slice(0, 10)}.json`;
}

/**
 * The account page (`/account`): a signed-in commenter sees their sign-in methods, adds one
 * (Twitter, Facebook through the provider; email through a code) and removes one while another
 * remains. Methods are linked only here, on the commenter's request, never by matching emails.
 * It also lists the blogs that know the account (with their reply-email setting) and the
 * browsers signed in, downloads everything held about the account, and erases it
 * (docs/account.md).
 */
export function accountRoutes(deps: AccountRoutesDeps): Router {
  const router = Router();
  const sites = deps.sites ?? [];

  /**
   * The blog to go back to: the `return_to` of this request, else the one the page was opened
   * with earlier in this session (its forms and the providers' round trips come back without it).
   */
  function blogPage(req: Request): BlogPage | undefined {
    const fromQuery = blogPageFrom(req.query['return_to'], sites);
    if (fromQuery) {
      if (req.user) req.session.accountReturnTo = fromQuery.href;
      return fromQuery;
    }
    return blogPageFrom(req.session?.accountReturnTo, sites);
  }

  /** `/account`, keeping the way back across a log-out (which starts a new session). */
  function accountUrl(back: BlogPage | undefined, notice?: string): string {
    const query = [notice ? `notice=${notice}` : '', back ? `return_to=${encodeURIComponent(back.href)}` : ''].filter(Boolean).join('&');
    return query ? `/account?${query}` : '/account';
  }

  async function render(req: Request, res: Response, extra: { notice?: string; error?: string; errorField?: 'email' } = {}, status = 200): Promise<void> {
    res.set('Cache-Control', 'no-store');
    const back = blogPage(req);
    const account = req.user ? await deps.accounts.get(req.user.id) : undefined;
    if (!account) return void res.status(req.user ? 410 : 200).type('html').send(signedOutAccountPage(extra.notice, back));
    const identities = await deps.accounts.identities(account.id);
    const linked = new Set(identities.map((identity) => identity.provider));
    const siteNames = new Map(sites.map((site) => [site.id, site.name]));
    const knownSites = (await deps.commenterSites?.forAccount(account.id)) ?? [];
    const thisBrowser = oidcSessionOf(req);
    const sessions: AccountSessionsView = deps.listAccountSessions
      ? {
          listed: (await deps.listAccountSessions(account.id)).map((session) => ({
            loggedInAt: session.loggedInAt,
            // oidc-provider gives a session a fresh lifetime each time it serves it.
            lastUsedAt: Math.max(session.loggedInAt, session.expiresAt - SESSION_TTL_SECONDS * 1000),
            thisBrowser: session.id === thisBrowser,
          })),
        }
      : { unlisted: true };
    res
      .status(status)
      .type('html')
      .send(
        accountPage({
          account,
          identities,
          addable: deps.providers.filter((provider) => !linked.has(provider.id as never)),
          csrf: csrfToken(req),
          back,
          sites: knownSites.map((site) => ({ id: site.siteId, name: siteNames.get(site.siteId) ?? site.siteId, lastUsedAt: site.lastSeenAt, replyEmails: site.repliesUnsubscribedAt === null })),
          sessions,
          ...extra,
        }),
      );
  }

  /**
   * The signed-in account of a POST that passed the guard, or undefined after answering with the
   * signed-out page: another tab or browser may have erased it since this page was drawn.
   */
  async function existingAccount(req: Request, res: Response, accountId: string): Promise<string | undefined> {
    if (await deps.accounts.get(accountId)) return accountId;
    res.status(410).type('html').send(signedOutAccountPage(undefined, blogPage(req)));
    return undefined;
  }

  function logOut(req: Request): Promise<void> {
    return new Promise<void>((resolve, reject) => req.logout((error?: unknown) => (error ? reject(error) : resolve())));
  }

  /** Account POSTs need a signed-in commenter and the page's CSRF token. */
  function guard(req: Request, res: Response): string | undefined {
    if (!req.user) {
      res.redirect(303, '/account');
      return undefined;
    }
    if (!csrfValid(req)) {
      res.status(403).type('html').send(signedOutAccountPage());
      return undefined;
    }
    return req.user.id;
  }

  router.get('/account', async (req, res) => render(req, res, noticeText(req.query['notice'], sites)));

  router.post('/account/replies', async (req, res) => {
    const signedIn = guard(req, res);
    const accountId = signedIn && (await existingAccount(req, res, signedIn));
    if (!accountId) return;
    if (!deps.commenterSites) return res.redirect(303, '/account');
    const body = req.body as Record<string, unknown>;
    const siteId = String(body['site'] ?? '');
    const on = body['emails'] === 'on';
    if (!on && body['emails'] !== 'off') return render(req, res, { error: 'Choose whether to turn reply emails on or off.' }, 400);
    const changed = await deps.commenterSites.setRepliesUnsubscribed(accountId, siteId, on ? null : Date.now());
    if (!changed) return render(req, res, { error: 'That blog does not know this account.' }, 400);
    res.redirect(303, `/account?notice=${repliesNotice(on, siteId)}`);
  });

  router.post('/account/export', async (req, res) => {
    const signedIn = guard(req, res);
    const accountId = signedIn && (await existingAccount(req, res, signedIn));
    if (!accountId) return;
    if (!deps.accountData) return void res.status(503).type('html').send(exportUnavailablePage({ csrf: csrfToken(req) }));
    let exported;
    try {
      exported = await deps.accountData.exportAccount(accountId);
    } catch (error) {
      if (!(error instanceof BackchannelError)) throw error;
      res.set('Retry-After', '10');
      return void res.status(503).type('html').send(exportUnavailablePage({ csrf: csrfToken(req) }));
    }
    if (!exported) return void res.status(410).type('html').send(signedOutAccountPage(undefined, blogPage(req)));
    res.set('Cache-Control', 'no-store');
    res.set('Content-Disposition', `attachment; filename="${exportFileName(new Date())}"`);
    res.type('application/json').send(`${JSON.stringify(exported, null, 2)}\n`);
  });

  async function renderEraseConfirm(req: Request, res: Response, accountId: string, error?: string): Promise<void> {
    const account = await deps.accounts.get(accountId);
    if (!account) return void res.status(410).type('html').send(signedOutAccountPage(undefined, blogPage(req)));
    const known = (await deps.commenterSites?.forAccount(accountId)) ?? [];
    res
      .status(error ? 400 : 200)
      .type('html')
      .send(
        eraseConfirmPage({
          displayName: account.displayName,
          identities: await deps.accounts.identities(accountId),
          blogs: known.map((record) => {
            const site = sites.find((candidate) => candidate.id === record.siteId);
            // A site no longer in the sites file is anonymised keeping the text (docs/erasure.md).
            return { name: site?.name ?? record.siteId, textKept: site?.erasure !== 'remove-text' };
          }),
          csrf: csrfToken(req),
          error,
        }),
      );
  }

  router.get('/account/erase', async (req, res) => {
    if (!req.user) return void res.type('html').send(signedOutAccountPage(undefined, blogPage(req)));
    await renderEraseConfirm(req, res, req.user.id);
  });

  router.post('/account/erase', async (req, res) => {
    const signedIn = guard(req, res);
    const accountId = signedIn && (await existingAccount(req, res, signedIn));
    if (!accountId) return;
    if (!deps.accountData) return void res.status(503).type('html').send(signedOutAccountPage('Erasing accounts is not available on this Parley.'));
    if ((req.body as Record<string, unknown>)['confirm'] !== 'yes') {
      return renderEraseConfirm(req, res, accountId, 'Tick the box to confirm that you want your account erased.');
    }
    // Read before logging out ends the session that remembers it.
    const back = blogPage(req);
    const erasureId = await deps.accountData.erase(accountId, () => logOut(req));
    res.redirect(303, `/account/erased/${erasureId}${back ? `?return_to=${encodeURIComponent(back.href)}` : ''}`);
  });

  router.get('/account/erased/:id', async (req, res) => {
    const status = deps.accountData ? await deps.accountData.erasureStatus(req.params['id'] ?? '') : undefined;
    // The page's script asks for the status alone (assets/erasure-wait.js).
    if (req.accepts(['html', 'json']) === 'json') return void (status ? res.json({ status }) : res.status(404).json({ error: 'not_found' }));
    if (!status) return void res.status(404).type('html').send(unknownErasurePage());
    // The way back comes in the address (this browser's session ended with the account), checked like any return_to.
    const back = blogPageFrom(req.query['return_to'], sites);
    const self = `/account/erased/${encodeURIComponent(req.params['id'] ?? '')}${back ? `?return_to=${encodeURIComponent(back.href)}` : ''}`;
    res.type('html').send(erasureStatusPage(status, self, back));
  });

  router.post('/account/remove', async (req, res) => {
    const accountId = guard(req, res);
    if (!accountId) return;
    const body = req.body as Record<string, unknown>;
    const result = await deps.accounts.unlink(accountId, String(body['provider'] ?? ''), String(body['subject'] ?? ''));
    if (result === 'not_found') return res.redirect(303, '/account');
    // Whoever signed in through the removed method must not stay signed in by it: every site's
    // tokens are revoked, and every other browser's sign-in ends (the gateway cannot tell which
    // browser used which method, and a method removed is often one that fell into other hands,
    // as a password change signs out other devices). This browser stays on its account page;
    // its widget signs in again through what remains.
    if (result === 'removed') {
      await deps.revocations.revokeAccount(accountId);
      await deps.endAccountSessions(accountId, { keepPageSession: req.sessionID });
    }
    res.redirect(303, `/account?notice=${accountNotice(result, String(body['provider']))}`);
  });

  router.post('/account/email', async (req, res) => {
    const accountId = guard(req, res);
    if (!accountId) return;
    try {
      const result = await deps.emailSignIn.request({
        email: (req.body as Record<string, unknown>)['email'],
        displayName: null,
        interactionUid: ACCOUNT_LINK_INTERACTION,
        clientIp: req.ip ?? 'unknown',
        site: { id: '', name: 'your comment account' },
        purpose: 'link',
      });
      if (result.kind === 'invalid') return render(req, res, { error: result.reason, errorField: 'email' }, 400);
      if (result.kind === 'rate_limited') {
        res.set('Retry-After', String(result.retryAfterSeconds));
        return render(req, res, { error: `Too many emails were asked for: try again in ${count(Math.ceil(result.retryAfterSeconds / 60), 'minute')}.` }, 429);
      }
      holdEmailSignin(req, { signinId: result.signinId, interactionUid: ACCOUNT_LINK_INTERACTION, email: result.email });
      res.type('html').send(accountCheckEmailPage({ email: result.email, csrf: csrfToken(req) }));
    } catch (error) {
      if (!(error instanceof MailDeliveryError)) throw error;
      res.set('Retry-After', '30');
      return render(req, res, { error: 'We could not send the email just now: try again in a moment.' }, 503);
    }
  });

  async function finishEmailLink(req: Request, res: Response, accountId: string, viaCode: boolean): Promise<void> {
    const pending = pendingEmailSignin(req, ACCOUNT_LINK_INTERACTION);
    if (!pending) return res.redirect(303, '/account');
    if (viaCode) {
      const check = await deps.emailSignIn.checkCode(pending.signinId, (req.body as Record<string, unknown>)['code']);
      if (!check.ok) {
        const error =
          check.reason === 'wrong'
            ? `That code is not right: check the email and try again (${count(check.attemptsLeft, 'try', 'tries')} left).`
            : 'That code can no longer be used: go back to your account and ask for a new one.';
        return void res.status(400).type('html').send(accountCheckEmailPage({ email: pending.email, csrf: csrfToken(req), error, errorField: 'code' }));
      }
      releaseEmailSignin(req, ACCOUNT_LINK_INTERACTION);
      const result = await deps.accounts.link(accountId, emailProfile(check.signin));
      return res.redirect(303, `/account?notice=${accountNotice(result, 'email')}`);
    }
    const signin = await deps.emailSignIn.takeConfirmed(pending.signinId);
    if (!signin) {
      return void res
        .status(409)
        .type('html')
        .send(accountCheckEmailPage({ email: pending.email, csrf: csrfToken(req), error: 'The link has not been opened in this browser yet: enter the code instead.' }));
    }
    releaseEmailSignin(req, ACCOUNT_LINK_INTERACTION);
    const result = await deps.accounts.link(accountId, emailProfile(signin));
    res.redirect(303, `/account?notice=${accountNotice(result, 'email')}`);
  }

  router.post('/account/email/code', async (req, res) => {
    const accountId = guard(req, res);
    if (accountId) await finishEmailLink(req, res, accountId, true);
  });

  router.post('/account/email/complete', async (req, res) => {
    const accountId = guard(req, res);
    if (accountId) await finishEmailLink(req, res, accountId, false);
  });

  router.post('/account/signout-everywhere', async (req, res) => {
    const accountId = guard(req, res);
    if (!accountId) return;
    const back = blogPage(req);
    await deps.revocations.revokeAccount(accountId);
    await deps.endAccountSessions(accountId);
    await logOut(req);
    res.redirect(303, accountUrl(back, 'signed_out_everywhere'));
  });

  router.post('/account/logout', async (req, res) => {
    if (!guard(req, res)) return;
    const back = blogPage(req);
    await logOut(req);
    res.redirect(303, accountUrl(back));
  });

  return router;
}
