import type { Request, Response } from 'express';
import type Provider from 'oidc-provider';
import { errors } from 'oidc-provider';
import type { Site } from '../config/sites';
import type { AccountStore, ProviderProfile } from '../store/accounts';
import { endedPage } from './views/pages';
import type { WayBack } from './views/way-back';
import { grantSiteAccess } from './oidc';
import { endSignIn, rememberSignIn, signInRecord } from './sign-in-history';
import { signInOrigin, type SignInOrigin } from './widget-state';
import type { SignInMethod, SignInOutcome } from './gateway-metrics';

/** An interaction the commenter is in the middle of, with the site that started it. */
export interface ActiveInteraction {
  readonly uid: string;
  readonly site: Site;
  readonly prompt: string;
  readonly params: Record<string, unknown>;
  readonly grantId: string | undefined;
  /** The account the browser's OIDC session is signed in to, if any. */
  readonly accountId: string | undefined;
  /** oidc-provider's record of it, already checked against this browser's interaction cookie. */
  readonly record: InteractionRecord;
  /** Popup or full page, and the post to return to (from the widget's state). */
  readonly origin: SignInOrigin;
  /** How its pages let the reader leave: "Cancel" in a popup, "Back to the post" in a full page. */
  readonly way: WayBack;
}

type InteractionRecord = Awaited<ReturnType<Provider['interactionDetails']>>;
type InteractionResult = Parameters<Provider['interactionFinished']>[2];

declare module 'express-session' {
  interface SessionData {
    /** A commenter proven by a provider who still has to choose a display name. */
    verifiedProfile?: { readonly interactionUid: string; readonly profile: ProviderProfile };
  }
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    /** The gateway's own login (passport's session): just the account id. */
    interface User {
      id: string;
    }
  }
}

export const MAX_DISPLAY_NAME_LENGTH = 50;

/** A display name as typed, cleaned, or undefined when it is empty or unusable. */
export function cleanDisplayName(input: unknown): string | undefined {
  if (typeof input !== 'string') return undefined;
  const name = input.normalize('NFC').replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, '').replace(/\s+/g, ' ').trim();
  if (name === '' || name.length > MAX_DISPLAY_NAME_LENGTH) return undefined;
  return name;
}

/**
 * The sign-in steps every provider shares: looking up the interaction, finishing it with an
 * account, and the pages for the ways it can go wrong.
 */
export class SignInFlow {
  constructor(
    private readonly provider: () => Provider,
    private readonly sites: ReadonlyMap<string, Site>,
    private readonly accounts: AccountStore,
    private readonly onOutcome: (method: SignInMethod, outcome: SignInOutcome) => void = () => undefined,
  ) {}

  /** Counts a sign-in that ended (see gateway-metrics.ts); the routes call it for failures. */
  recordOutcome(method: SignInMethod, outcome: SignInOutcome): void {
    this.onOutcome(method, outcome);
  }

  /**
   * The interaction of this browser for `uid`, or undefined after answering with a page that says
   * how it ended (finished, cancelled, expired, or never this browser's: oidc-provider's cookie is
   * gone, too old, or belongs to another window) and leads back to the post or out of the window.
   */
  async load(req: Request, res: Response): Promise<ActiveInteraction | undefined> {
    try {
      const details = await this.provider().interactionDetails(req, res);
      if (req.params['uid'] !== undefined && details.uid !== req.params['uid']) throw new errors.SessionNotFound('interaction mismatch');
      const site = this.sites.get(String(details.params['client_id']));
      if (!site) throw new errors.SessionNotFound('unknown site');
      const origin = signInOrigin(details.params['state'], site);
      rememberSignIn(req, details.uid, { siteName: site.name, mode: origin.mode, returnTo: origin.returnTo });
      return {
        uid: details.uid,
        site,
        prompt: details.prompt.name,
        params: details.params,
        grantId: details.grantId,
        accountId: details.session?.accountId,
        record: details,
        origin,
        way: { kind: 'cancel', uid: details.uid, mode: origin.mode },
      };
    } catch (error) {
      if (error instanceof errors.SessionNotFound) {
        this.sendEnded(req, res, req.params['uid']);
        return undefined;
      }
      throw error;
    }
  }

  /** The page of a log-in that is over or unknown: 200 when it finished, 410 when it ran out, 400 when never this browser's. */
  sendEnded(req: Request, res: Response, uid: unknown): void {
    const record = signInRecord(req, uid);
    const status = record?.outcome ? 200 : record ? 410 : 400;
    res.status(status).type('html').send(endedPage(record));
  }

  /**
   * Signs the commenter in with what a provider proved: the session id changes (passport's
   * req.login regenerates it), then oidc-provider continues to the site with a code.
   */
  async finish(req: Request, res: Response, interaction: ActiveInteraction, profile: ProviderProfile): Promise<void> {
    const account = await this.accounts.upsertFromProfile(profile);
    if (!account) {
      req.session.verifiedProfile = { interactionUid: interaction.uid, profile };
      res.redirect(303, `/interaction/${interaction.uid}/name`);
      return;
    }
    // A new session id (no fixation), keeping the data of sign-ins running in other tabs.
    await new Promise<void>((resolve, reject) =>
      req.login({ id: account.id }, { keepSessionInfo: true, session: true }, (error?: unknown) => (error ? reject(error) : resolve())),
    );
    await this.conclude(req, res, interaction, { login: { accountId: account.id, amr: [profile.provider], remember: true } });
    this.recordOutcome(profile.provider, 'success');
  }

  /** The profile proven in this interaction that still waits for a display name, if any. */
  profileAwaitingName(req: Request, interaction: ActiveInteraction): ProviderProfile | undefined {
    const pending = req.session.verifiedProfile;
    return pending && pending.interactionUid === interaction.uid ? pending.profile : undefined;
  }

  /**
   * Finishes a sign-in that was waiting for a display name; undefined when it did, else the
   * reason it could not (no proven profile waits, or the name is unusable).
   */
  async finishWithName(req: Request, res: Response, interaction: ActiveInteraction, name: unknown): Promise<'no_profile' | 'bad_name' | undefined> {
    const profile = this.profileAwaitingName(req, interaction);
    if (!profile) return 'no_profile';
    const displayName = cleanDisplayName(name);
    if (!displayName) return 'bad_name';
    delete req.session.verifiedProfile;
    await this.finish(req, res, interaction, { ...profile, displayName });
    return undefined;
  }

  /** The commenter cancelled: the site gets access_denied through its relay page. */
  async abort(req: Request, res: Response, interaction: ActiveInteraction): Promise<void> {
    await this.conclude(req, res, interaction, { error: 'access_denied', error_description: 'The commenter cancelled the sign-in.' });
    this.recordOutcome('none', 'cancelled');
  }

  /** Implicit consent for a registered site (only reached when a site asks for prompt=consent). */
  async consent(req: Request, res: Response, interaction: ActiveInteraction, commentsUrl: string): Promise<void> {
    const provider = this.provider();
    const grant = interaction.grantId
      ? await provider.Grant.find(interaction.grantId)
      : new provider.Grant({ clientId: interaction.site.id, accountId: interaction.accountId });
    if (!grant) throw new Error('grant not found');
    grantSiteAccess(grant, commentsUrl);
    const grantId = await grant.save();
    await this.conclude(req, res, interaction, { ...interaction.record.lastSubmission, consent: { grantId } });
  }

  /**
   * Stores the interaction's result and sends the browser back to oidc-provider to act on it: what
   * provider.interactionFinished does, on the record `load` already fetched and checked against
   * the interaction cookie instead of looking it up a second time.
   */
  private async conclude(req: Request, res: Response, interaction: ActiveInteraction, result: InteractionResult): Promise<void> {
    const { record } = interaction;
    record.result = result;
    await record.save(record.exp - Math.floor(Date.now() / 1000));
    endSignIn(req, interaction.uid, 'error' in result ? 'cancelled' : 'logged-in');
    res.redirect(303, record.returnTo);
  }
}
