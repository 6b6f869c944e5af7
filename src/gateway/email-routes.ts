import { Router, type Request, type Response } from 'express';
import type { Passport } from 'passport';
import { MailDeliveryError } from '../mail/mailer';
import { maskEmailAddress } from '../mail/mask';
import { EmailSignIn } from '../providers/email';
import { holdEmailSignin, pendingEmailSignin, pendingEmailSigninById, releaseEmailSignin } from '../providers/pending-email-signins';
import type { ProviderProfile } from '../store/accounts';
import type { Site } from '../config/sites';
import { cleanDisplayName, type ActiveInteraction, type SignInFlow } from './sign-in';
import { checkEmailPage, confirmLinkPage, emailFormPage, messagePage } from './views/pages';

export interface EmailRoutesDeps {
  readonly flow: SignInFlow;
  readonly emailSignIn: EmailSignIn;
  readonly passport: InstanceType<typeof Passport>;
  readonly sites: ReadonlyMap<string, Site>;
  /** Mail goes to the dev mailbox: the "check your email" page says where to read it. */
  readonly devMailbox: boolean;
}

function field(req: Request, name: string): unknown {
  return (req.body as Record<string, unknown> | undefined)?.[name];
}

/** Runs the email passport strategy and hands its verdict to the shared sign-in flow. */
function authenticateEmail(deps: EmailRoutesDeps, req: Request, res: Response, interaction: ActiveInteraction): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const handler = deps.passport.authenticate(
      'email',
      { session: false },
      (error: unknown, profile: ProviderProfile | false, info: { message?: string } | undefined, status: number | undefined) => {
        if (error) return reject(error);
        if (!profile) {
          const pending = pendingEmailSignin(req, interaction.uid);
          const message = info?.message ?? 'That did not work. Ask for a new email.';
          if (pending && status === 400) {
            res.status(400).type('html').send(checkEmailPage({ uid: interaction.uid, email: pending.email, error: message, devMailbox: deps.devMailbox }));
          } else {
            res.status(status ?? 400).type('html').send(emailFormPage({ site: interaction.site, uid: interaction.uid, email: pending?.email ?? '', error: message }));
          }
          return resolve();
        }
        releaseEmailSignin(req, interaction.uid);
        deps.flow.finish(req, res, interaction, profile).then(resolve, reject);
      },
    );
    handler(req, res, (error?: unknown) => (error ? reject(error) : resolve()));
  });
}

/**
 * Email sign-in pages: the address form, the "check your email" page with the code form, the
 * status the popup polls, and the confirm page the link opens.
 */
export function emailRoutes(deps: EmailRoutesDeps): Router {
  const router = Router();

  router.get('/interaction/:uid/email', async (req, res) => {
    const interaction = await deps.flow.load(req, res);
    if (!interaction) return;
    res.type('html').send(emailFormPage({ site: interaction.site, uid: interaction.uid }));
  });

  router.post('/interaction/:uid/email', async (req, res) => {
    const interaction = await deps.flow.load(req, res);
    if (!interaction) return;
    const typedEmail = typeof field(req, 'email') === 'string' ? String(field(req, 'email')).slice(0, 254) : '';
    const typedName = typeof field(req, 'name') === 'string' ? String(field(req, 'name')).slice(0, 200) : '';
    const form = { site: interaction.site, uid: interaction.uid, email: typedEmail, name: typedName };
    const rawName = field(req, 'name');
    const displayName = cleanDisplayName(rawName) ?? null;
    if (typeof rawName === 'string' && rawName.trim() !== '' && displayName === null) {
      return void res.status(400).type('html').send(emailFormPage({ ...form, error: 'Your name must be 1 to 50 characters.' }));
    }
    try {
      const result = await deps.emailSignIn.request({
        email: field(req, 'email'),
        displayName,
        interactionUid: interaction.uid,
        clientIp: req.ip ?? 'unknown',
        site: interaction.site,
      });
      if (result.kind === 'invalid') return void res.status(400).type('html').send(emailFormPage({ ...form, error: result.reason }));
      if (result.kind === 'rate_limited') {
        res.set('Retry-After', String(result.retryAfterSeconds));
        const minutes = Math.ceil(result.retryAfterSeconds / 60);
        return void res
          .status(429)
          .type('html')
          .send(emailFormPage({ ...form, error: `Too many sign-in emails were asked for. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.` }));
      }
      holdEmailSignin(req, { signinId: result.signinId, interactionUid: interaction.uid, email: result.email });
      res.type('html').send(checkEmailPage({ uid: interaction.uid, email: result.email, devMailbox: deps.devMailbox }));
    } catch (error) {
      if (!(error instanceof MailDeliveryError)) throw error;
      console.error(`email sign-in: ${error.message}`);
      res.set('Retry-After', '30');
      res.status(503).type('html').send(emailFormPage({ ...form, error: 'We could not send the email just now. Please try again in a moment.' }));
    }
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
    if (outcome === 'invalid') return void res.status(410).type('html').send(linkDeadPage());
    if (outcome === 'other_browser') {
      return void res.status(409).type('html').send(
        messagePage({
          title: 'Finish where you started',
          message: 'This link was opened in a different browser from the one that asked to sign in.',
          detail: 'Type the 6-digit code from the email into the sign-in window on the device where you started.',
        }),
      );
    }
    res.type('html').send(
      messagePage({
        title: 'You are signed in',
        message: 'Go back to the sign-in window: it continues by itself. You can close this tab.',
      }),
    );
  });

  return router;
}

function linkDeadPage(): string {
  return messagePage({
    title: 'This link can no longer be used',
    message: 'Sign-in links work once, for 10 minutes. Go back to the blog and ask for a new email.',
  });
}
