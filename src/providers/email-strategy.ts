import { Strategy } from 'passport';
import type { Request } from 'express';
import type { ProviderProfile } from '../store/accounts';
import type { EmailSignin } from '../store/email-signins';
import type { EmailSignIn } from './email';
import { pendingEmailSignin } from './pending-email-signins';

export function emailProfile(signin: EmailSignin): ProviderProfile {
  return { provider: 'email', subject: signin.email, displayName: signin.displayName, picture: null, label: signin.email };
}

/**
 * Why an email log-in did not complete, for the page to say so at the right place:
 *
 * - `expired`: this browser holds no log-in for the interaction (never asked, or long ago);
 * - `wrong`: a code that is not the one mailed, with tries left;
 * - `dead`: the code and link can no longer be used (too many tries, or expired);
 * - `not_opened`: "I opened the link, continue" before the link was confirmed in this browser.
 */
export type EmailFailureReason = 'expired' | 'wrong' | 'dead' | 'not_opened';

export interface EmailFailure {
  readonly reason: EmailFailureReason;
  readonly attemptsLeft?: number;
}

/**
 * Our strategies are run with `session: false` and hand the route a proven profile, not a
 * logged-in user; the account (and passport's login) comes after, in the sign-in flow.
 */
function asStrategyUser(profile: ProviderProfile): Express.User {
  return profile as unknown as Express.User;
}

/**
 * The passport strategy: completes the sign-in this browser asked for in the interaction of the
 * URL, either with the code in the request body or, when there is none, through a link confirmed
 * in this browser. A failure carries an EmailFailure; the route words it.
 */
export class EmailStrategy extends Strategy {
  override name = 'email';

  constructor(private readonly signIn: EmailSignIn) {
    super();
  }

  override authenticate(req: Request): void {
    this.run(req).catch((error: unknown) => this.error(error as Error));
  }

  private refuse(failure: EmailFailure, status: number): void {
    this.fail(failure, status);
  }

  private async run(req: Request): Promise<void> {
    const pending = pendingEmailSignin(req, req.params['uid']);
    if (!pending) return this.refuse({ reason: 'expired' }, 410);
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body['code'] !== undefined) {
      const check = await this.signIn.checkCode(pending.signinId, body['code']);
      if (check.ok) return this.success(asStrategyUser(emailProfile(check.signin)));
      if (check.reason === 'wrong') return this.refuse({ reason: 'wrong', attemptsLeft: check.attemptsLeft }, 400);
      return this.refuse({ reason: 'dead' }, 410);
    }
    const signin = await this.signIn.takeConfirmed(pending.signinId);
    if (signin) return this.success(asStrategyUser(emailProfile(signin)));
    // Pressed too early: the code is still good, and the page must keep offering it.
    if ((await this.signIn.status(pending.signinId)) === 'pending') return this.refuse({ reason: 'not_opened' }, 409);
    return this.refuse({ reason: 'dead' }, 410);
  }
}
