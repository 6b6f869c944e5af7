import { Router, type Request, type Response } from 'express';
import type { Passport } from 'passport';
import type { AccountStore, ProviderProfile } from '../store/accounts';
import { peekHandshake, spentHandshakeInteraction, takeHandshake, type HandshakePurpose } from '../providers/handshake-store';
import type { SignInFlow } from './sign-in';
import { messagePage } from './views/pages';
import { accountNotice } from './account-routes';
import { signInRecord } from './sign-in-history';
import type { WayBack } from './views/way-back';
import { requestLogger } from '../observability/request-log';

/** An upstream provider signed in through a passport redirect strategy. */
export interface UpstreamProvider {
  readonly id: 'twitter' | 'facebook';
  readonly label: string;
}

declare module 'express-session' {
  interface SessionData {
    /** Profiles proven by a provider callback, waiting for their interaction to finish (by uid). */
    upstreamResults?: Record<string, ProviderProfile>;
  }
}

export interface UpstreamRoutesDeps {
  readonly flow: SignInFlow;
  readonly accounts: AccountStore;
  readonly passport: InstanceType<typeof Passport>;
  readonly providers: readonly UpstreamProvider[];
}

type Outcome =
  | { kind: 'redirected' }
  | { kind: 'error'; error: unknown }
  | { kind: 'failed'; message: string }
  | { kind: 'success'; profile: ProviderProfile; purpose: HandshakePurpose | undefined };

/** Runs a passport strategy and tells what it did, instead of letting it answer on its own. */
function runStrategy(deps: UpstreamRoutesDeps, name: string, req: Request, res: Response, options: object): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    let settled = false;
    const settle = (outcome: Outcome) => {
      if (!settled) {
        settled = true;
        resolve(outcome);
      }
    };
    res.once('finish', () => settle({ kind: 'redirected' }));
    const handler = deps.passport.authenticate(
      name,
      { ...options, session: false, failWithError: false },
      (error: unknown, profile: ProviderProfile | false, info: { message?: string; state?: HandshakePurpose } | undefined) => {
        if (error) return settle({ kind: 'error', error });
        // passport's failure message ("Unable to verify authorization request state.") is for the log, not the reader.
        if (!profile) return settle({ kind: 'failed', message: info?.message ?? 'no profile' });
        settle({ kind: 'success', profile, purpose: info?.state });
      },
    );
    handler(req, res, (error?: unknown) => settle(error ? { kind: 'error', error } : { kind: 'failed', message: 'the strategy neither redirected nor answered' }));
  });
}

/** Where "Try again" leads for a handshake of this purpose. */
function retryHref(provider: UpstreamProvider, purpose: HandshakePurpose | undefined): string | undefined {
  if (!purpose) return undefined;
  return purpose.kind === 'sign-in' ? `/interaction/${purpose.interactionUid}/${provider.id}` : `/account/link/${provider.id}`;
}

/** "Cancel" or "Back to the post" on a page of a sign-in handshake that is still running. */
function wayBackFrom(req: Request, purpose: HandshakePurpose | undefined): WayBack | undefined {
  if (purpose?.kind !== 'sign-in') return undefined;
  const record = signInRecord(req, purpose.interactionUid);
  return record && !record.outcome ? { kind: 'cancel', uid: purpose.interactionUid, mode: record.mode } : undefined;
}

function providerTroublePage(req: Request, res: Response, provider: UpstreamProvider, purpose: HandshakePurpose | undefined, error: unknown): void {
  requestLogger(req).error({ err: error, provider: provider.id }, 'upstream sign-in failed');
  const retry = retryHref(provider, purpose);
  res
    .status(502)
    .type('html')
    .send(
      messagePage({
        title: `${provider.label} is not answering properly`,
        message: `We could not finish logging in with ${provider.label}; this is usually brief.`,
        detail: retry ? 'Try again, or choose another way to log in.' : 'Close this window and try again from the blog.',
        retryHref: retry,
        retryLabel: 'Try again',
        siteName: purpose?.kind === 'sign-in' ? signInRecord(req, purpose.interactionUid)?.siteName : undefined,
        way: wayBackFrom(req, purpose),
      }),
    );
}

function staleCallbackPage(res: Response, message: string): void {
  res.status(400).type('html').send(messagePage({ title: 'This log-in cannot continue', message, detail: 'Close this window and log in again from the blog.' }));
}

/**
 * Sign-in through upstream providers: the start (inside an interaction, or from the account page
 * to add a method), the provider's callback (at a fixed URL, as providers require registered
 * callbacks), and the hand-back to the interaction or the account page.
 */
export function upstreamRoutes(deps: UpstreamRoutesDeps): Router {
  const router = Router();
  const byId = new Map(deps.providers.map((provider) => [provider.id, provider]));

  /** Sends the commenter to the provider; anything but that redirect is a provider failure. */
  async function startHandshake(provider: UpstreamProvider, purpose: HandshakePurpose, req: Request, res: Response): Promise<void> {
    const outcome = await runStrategy(deps, provider.id, req, res, { state: purpose });
    if (outcome.kind === 'redirected') return;
    providerTroublePage(req, res, provider, purpose, outcome.kind === 'error' ? outcome.error : new Error(`unexpected ${outcome.kind} before the callback`));
  }

  router.get('/interaction/:uid/:provider', async (req, res, next) => {
    const provider = byId.get(req.params['provider'] as UpstreamProvider['id']);
    if (!provider) return next();
    const interaction = await deps.flow.load(req, res);
    if (!interaction) return;
    await startHandshake(provider, { kind: 'sign-in', interactionUid: interaction.uid }, req, res);
  });

  router.get('/account/link/:provider', async (req, res, next) => {
    const provider = byId.get(req.params['provider'] as UpstreamProvider['id']);
    if (!provider) return next();
    if (!req.user) return res.redirect(303, '/account');
    await startHandshake(provider, { kind: 'link', accountId: req.user.id }, req, res);
  });

  router.get('/signin/:provider/callback', async (req, res, next) => {
    const provider = byId.get(req.params['provider'] as UpstreamProvider['id']);
    if (!provider) return next();
    res.set('Cache-Control', 'no-store');
    const query = req.query as Record<string, unknown>;
    // Which handshake this callback answers: Twitter names the request token, Facebook the state.
    const key = provider.id === 'twitter' ? (query['oauth_token'] ?? query['denied']) : query['state'];
    const handshake = peekHandshake(req, provider.id, key);
    if (!handshake) {
      // The provider's page again, through Back after the log-in: its interaction says how it ended.
      const answered = spentHandshakeInteraction(req, provider.id, key);
      if (answered) return res.redirect(303, `/interaction/${answered}`);
      return staleCallbackPage(res, 'This log-in was already completed, has expired, or was started in another browser.');
    }
    const { purpose } = handshake;

    // The commenter said no at the provider (Twitter: ?denied=; Facebook: ?error=access_denied).
    const denied = provider.id === 'twitter' ? query['denied'] !== undefined : query['error'] === 'access_denied';
    // Facebook reports some failures with ?error_code= and no error; passport-facebook would throw.
    const providerError = provider.id === 'facebook' && !denied && (query['error'] !== undefined || query['error_code'] !== undefined);
    if (denied || providerError) {
      takeHandshake(req, provider.id, key);
      if (purpose.kind === 'sign-in') deps.flow.recordOutcome(provider.id, denied ? 'cancelled' : 'failure');
      if (providerError) return providerTroublePage(req, res, provider, purpose, new Error(`callback error ${String(query['error_code'] ?? query['error'])}`));
      if (purpose.kind === 'link') return res.redirect(303, `/account?notice=${accountNotice('cancelled', provider.id)}`);
      return res.redirect(303, `/interaction/${purpose.interactionUid}?pick=1&cancelled=${provider.id}`);
    }

    const outcome = await runStrategy(deps, provider.id, req, res, {});
    if (outcome.kind === 'redirected') return;
    if ((outcome.kind === 'error' || outcome.kind === 'failed') && purpose.kind === 'sign-in') deps.flow.recordOutcome(provider.id, 'failure');
    if (outcome.kind === 'error') {
      takeHandshake(req, provider.id, key);
      return providerTroublePage(req, res, provider, purpose, outcome.error);
    }
    if (outcome.kind === 'failed') {
      requestLogger(req).warn({ provider: provider.id, reason: outcome.message }, 'upstream callback failed');
      return staleCallbackPage(res, `${provider.label} did not confirm who you are, so this log-in could not finish.`);
    }

    if (purpose.kind === 'link') {
      // Only the account signed in in this browser may gain the method, and only on its request.
      if (req.user?.id !== purpose.accountId) return staleCallbackPage(res, 'You are no longer logged in to the account this was for.');
      const result = await deps.accounts.link(purpose.accountId, outcome.profile);
      return res.redirect(303, `/account?notice=${accountNotice(result, provider.id)}`);
    }
    req.session.upstreamResults = { ...req.session.upstreamResults, [purpose.interactionUid]: outcome.profile };
    res.redirect(303, `/interaction/${purpose.interactionUid}/continue`);
  });

  router.get('/interaction/:uid/continue', async (req, res) => {
    const interaction = await deps.flow.load(req, res);
    if (!interaction) return;
    const profile = req.session.upstreamResults?.[interaction.uid];
    if (!profile) return staleCallbackPage(res, 'This log-in was already completed, has expired, or was started in another browser.');
    delete req.session.upstreamResults![interaction.uid];
    await deps.flow.finish(req, res, interaction, profile);
  });

  return router;
}
