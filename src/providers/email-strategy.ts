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
 * Our strategies are run with `session: false` and hand the route a proven profile, not a
 * logged-in user; the account (and passport's login) comes after, in the sign-in flow.
 */
function asStrategyUser(profile: ProviderProfile): Express.User {
  return profile as unknown as Express.User;
}

/**
 * The passport strategy: completes the sign-in this browser asked for in the interaction of the
 * URL, either with the code in the request body or, when there is none, through a link confirmed
 * in this browser.
 */
export class EmailStrategy extends Strategy {
  override name = 'email';

  constructor(private readonly signIn: EmailSignIn) {
    super();
  }

  override authenticate(req: Request): void {
    this.run(req).catch((error: unknown) => this.error(error as Error));
  }

  private async run(req: Request): Promise<void> {
    const pending = pendingEmailSignin(req, req.params['uid']);
    if (!pending) {
      return this.fail({ message: 'This sign-in has expired. Ask for a new email.' }, 410);
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body['code'] !== undefined) {
      const check = await this.signIn.checkCode(pending.signinId, body['code']);
      if (check.ok) return this.success(asStrategyUser(emailProfile(check.signin)));
      if (check.reason === 'wrong') {
        const left = check.attemptsLeft === 1 ? '1 try left' : `${check.attemptsLeft} tries left`;
        return this.fail({ message: `That code is not right. Check the email and try again (${left}).` }, 400);
      }
      return this.fail({ message: 'That code can no longer be used (too many tries, or it expired). Ask for a new email.' }, 410);
    }
    const signin = await this.signIn.takeConfirmed(pending.signinId);
    if (signin) return this.success(asStrategyUser(emailProfile(signin)));
    return this.fail({ message: 'The link in the email has not been confirmed yet, or the sign-in expired.' }, 409);
  }
}
