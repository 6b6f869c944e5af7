import { Router, type Request, type Response } from 'express';
import type { Passport } from 'passport';
import { MailDeliveryError } from '../mail/mailer';
import { maskEmailAddress } from '../mail/mask';
import type { EmailRequestResult, EmailSignIn } from '../providers/email';
import type { EmailFailure } from '../providers/email-strategy';
import { holdEmailSignin, pendingEmailSignin, pendingEmailSigninById, releaseEmailSignin } from '../providers/pending-email-signins';
import type { AccountStore, ProviderProfile } from '../store/accounts';
import type { Site } from '../config/sites';
import { redirectWithFlash, takeFlash, type Flash } from './page-flash';
import { cleanDisplayName, type ActiveInteraction, type SignInFlow } from './sign-in';
import { checkEmailPage, confirmLinkPage, emailFormPage, linkConfirmedPage, linkDeadPage, otherBrowserPage } from './views/email-pages';
import { count } from './views/format';
import { requestLogger } from '../observability/request-log';

export interface EmailRoutesDeps {
  readonly flow: SignInFlow;
  readonly emailSignIn: EmailSignIn;
  readonly passport: InstanceType<typeof Passport>;
  readonly sites: ReadonlyMap<string, Site>;
  /** Whether the address already has an account (the link's tab tells what is left to do). */
  readonly accounts: AccountStore;
  /** Mail goes to the dev mailbox: the "check your email" page says where to read it. */
  readonly devMailbox: boolean;
}

function field(req: Request, name: string): unknown {
  return (req.body as Record<string, unknown> | undefined)?.[name];
}

const formPath = (interaction: ActiveInteraction) => `/interaction/${interaction.uid}/email`;
const codePath = (interaction: ActiveInteraction) => `/interaction/${interaction.uid}/email/code`;

/** The answer to an email request that sent nothing, as the page that asked shows it. */
function notSent(result: Exclude<EmailRequestResult, { kind: 'sent' }>): Flash {
  if (result.kind === 'invalid') return { status: 400, error: { field: 'email', message: result.reason } };
  return {
    status: 429,
    retryAfterSeconds: result.retryAfterSeconds,
    error: { message: `Too many emails were asked for: try again in ${count(Math.ceil(result.retryAfterSeconds / 60), 'minute')}.` },
  };
}

const NOT_DELIVERED: Flash = { status: 503, retryAfterSeconds: 30, error: { message: 'We could not send the email just now: try again in a moment.' } };

/** Where a failed code or link goes, and what it says there. */
function failurePage(interaction: ActiveInteraction, failure: EmailFailure): { location: string; flash: Flash } {
  switch (failure.reason) {
    case 'wrong':
      return {
        location: codePath(interaction),
        flash: { status: 400, error: { field: 'code', message: `That code is not right: check the email and try again (${count(failure.attemptsLeft ?? 0, 'try', 'tries')} left).` } },
      };
    case 'dead':
      return { location: codePath(interaction), flash: { status: 410, error: { field: 'code', message: 'That code can no longer be used (too many tries, or it expired): send a new code.' } } };
    case 'not_opened':
      return { location: codePath(interaction), flash: { status: 409, error: { message: 'The link has not been opened yet: enter the code, or open the link in this browser.' } } };
    case 'expired':
      return { location: formPath(interaction), flash: { status: 410, error: { message: 'This log-in has expired: enter your address to get a new code.' } } };
  }
}

/** Runs the email passport strategy and hands its verdict to the shared sign-in flow. */
function authenticateEmail(deps: EmailRoutesDeps, req: Request, res: Response, interaction: ActiveInteraction): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const handler = deps.passport.authenticate('email', { session: false }, (error: unknown, profile: ProviderProfile | false, failure: EmailFailure | undefined) => {
      if (error) return reject(error);
      if (!profile) {
        deps.flow.recordOutcome('email', 'failure');
        const { location, flash } = failurePage(interaction, failure ?? { reason: 'expired' });
        redirectWithFlash(req, res, location, flash);
        return resolve();
      }
      releaseEmailSignin(req, interaction.uid);
      deps.flow.finish(req, res, interaction, profile).then(resolve, reject);
    });
    handler(req, res, (error?: unknown) => (error ? reject(error) : resolve()));
  });
}

/**
 * Email log-in pages: the address form, the "check your email" page with the code form and
 * "Send a new code", the status the popup polls, and the confirm page the link opens. Every form
 * answers with a redirect to a page (page-flash.ts), so Back never re-posts one.
 */
export function emailRoutes(deps: EmailRoutesDeps): Router {
  const router = Router();

  router.get('/interaction/:uid/email', async (req, res) => {
    const interaction = await deps.flow.load(req, res);
    if (!interaction) return;
    res.type('html').send(emailFormPage({ site: interaction.site, uid: interaction.uid, state: takeFlash(req, res), way: interaction.way }));
  });

  router.post('/interaction/:uid/email', async (req, res) => {
    const interaction = await deps.flow.load(req, res);
    if (!interaction) return;
    const typedEmail = typeof field(req, 'email') === 'string' ? String(field(req, 'email')).slice(0, 254) : '';
    const typedName = typeof field(req, 'name') === 'string' ? String(field(req, 'name')).slice(0, 200) : '';
    const values = { email: typedEmail, name: typedName };
    const displayName = cleanDisplayName(typedName) ?? null;
    if (typedName.trim() !== '' && displayName === null) {
      return redirectWithFlash(req, res, formPath(interaction), { status: 400, values, error: { field: 'name', message: 'Your name must be 1 to 50 characters.' } });
    }
    try {
      const result = await deps.emailSignIn.request({ email: field(req, 'email'), displayName, interactionUid: interaction.uid, clientIp: req.ip ?? 'unknown', site: interaction.site });
      if (result.kind !== 'sent') return redirectWithFlash(req, res, formPath(interaction), { ...notSent(result), values });
      holdEmailSignin(req, { signinId: result.signinId, interactionUid: interaction.uid, email: result.email, displayName });
      res.redirect(303, codePath(interaction));
    } catch (error) {
      if (!(error instanceof MailDeliveryError)) throw error;
      requestLogger(req).error({ err: error }, 'email sign-in: the message could not be delivered');
      redirectWithFlash(req, res, formPath(interaction), { ...NOT_DELIVERED, values });
    }
  });

  router.get('/interaction/:uid/email/code', async (req, res) => {
    const interaction = await deps.flow.load(req, res);
    if (!interaction) return;
    // Back from the name page: the address is proven already, the name is what is left.
    if (deps.flow.profileAwaitingName(req, interaction)) return res.redirect(303, `/interaction/${interaction.uid}/name`);
    const pending = pendingEmailSignin(req, interaction.uid);
    if (!pending) return res.redirect(303, formPath(interaction));
    res.type('html').send(
      checkEmailPage({ site: interaction.site, uid: interaction.uid, email: pending.email, state: takeFlash(req, res), devMailbox: deps.devMailbox, way: interaction.way }),
    );
  });

  router.get('/interaction/:uid/email/status', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const pending = pendingEmailSignin(req, req.params['uid']);
    if (!pending) return void res.status(404).json({ status: 'dead' });
    res.json({ status: await deps.emailSignIn.status(pending.signinId) });
  });

  router.post('/interaction/:uid/email/code', async (req, res) => {
    const interaction = await deps.flow.load(req, res);
    if (!interaction) return;
    await authenticateEmail(deps, req, res, interaction);
  });

  router.post('/interaction/:uid/email/complete', async (req, res) => {
    const interaction = await deps.flow.load(req, res);
    if (!interaction) return;
    // Without a code in the body, the strategy completes a link confirmed in this browser.
    if (req.body && typeof req.body === 'object') delete (req.body as Record<string, unknown>)['code'];
    await authenticateEmail(deps, req, res, interaction);
  });

  // "Send a new code": a new message for the same address, limited like the first; the previous
  // code and link stop working once it is sent, and only this popup's log-in is replaced.
  router.post('/interaction/:uid/email/resend', async (req, res) => {
    const interaction = await deps.flow.load(req, res);
    if (!interaction) return;
    const pending = pendingEmailSignin(req, interaction.uid);
    if (!pending) return redirectWithFlash(req, res, formPath(interaction), failurePage(interaction, { reason: 'expired' }).flash);
    try {
      const result = await deps.emailSignIn.request({
        email: pending.email,
        displayName: pending.displayName ?? null,
        interactionUid: interaction.uid,
        clientIp: req.ip ?? 'unknown',
        site: interaction.site,
        replaces: pending.signinId,
      });
      if (result.kind !== 'sent') return redirectWithFlash(req, res, codePath(interaction), notSent(result));
      holdEmailSignin(req, { signinId: result.signinId, interactionUid: interaction.uid, email: result.email, displayName: pending.displayName ?? null });
      redirectWithFlash(req, res, codePath(interaction), { notice: `We sent a new code to ${maskEmailAddress(result.email)}.` });
    } catch (error) {
      if (!(error instanceof MailDeliveryError)) throw error;
      requestLogger(req).error({ err: error }, 'email sign-in: the message could not be delivered');
      redirectWithFlash(req, res, codePath(interaction), NOT_DELIVERED);
    }
  });

  router.get('/email/confirm', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const token = req.query['token'];
    const signin = await deps.emailSignIn.findByLinkToken(token);
    if (!signin) return void res.status(410).type('html').send(linkDeadPage());
    // A GET only shows the button: mail scanners open links, and must not sign anybody in.
    const siteName = signin.siteId === '' ? undefined : (deps.sites.get(signin.siteId)?.name ?? 'the blog');
    // Whoever holds the link sees this page (a forwarded message, a scanner, a shared computer):
    // the address is whole only in the browser that asked for the sign-in.
    const email = pendingEmailSigninById(req, signin.id) ? signin.email : maskEmailAddress(signin.email);
    res.type('html').send(confirmLinkPage({ siteName, email, token: String(token) }));
  });

  router.post('/email/confirm', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    // This browser may be waiting for several sign-ins (one per popup): the link's must be one of them.
    const signin = await deps.emailSignIn.findByLinkToken(field(req, 'token'));
    const held = signin && pendingEmailSigninById(req, signin.id);
    const outcome = await deps.emailSignIn.confirmLink(field(req, 'token'), held?.signinId);
    if (outcome === 'invalid' || !signin) return void res.status(410).type('html').send(linkDeadPage());
    const siteName = signin.siteId === '' ? undefined : (deps.sites.get(signin.siteId)?.name ?? 'the blog');
    if (outcome === 'other_browser') return void res.status(409).type('html').send(otherBrowserPage(siteName));
    // A first log-in without a name continues in its window with the name: this tab must not say "logged in".
    const needsName = signin.displayName === null && (await deps.accounts.findByIdentity('email', signin.email)) === undefined;
    res.type('html').send(linkConfirmedPage({ siteName, nextStep: needsName ? 'choose-name' : 'none' }));
  });

  return router;
}
