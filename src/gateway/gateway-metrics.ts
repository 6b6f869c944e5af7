import { Counter, type Registry } from 'prom-client';
import type { IdentityProvider } from '../store/accounts';
import type { Mailer } from '../mail/mailer';

/** How a sign-in was made; `none` for one cancelled on Parley's own pages, before or after choosing. */
export type SignInMethod = IdentityProvider | 'none';
/**
 * - success: the commenter is signed in and on the way back to the site with a code.
 * - failure: a wrong or dead email code or link, a provider that failed or did not confirm.
 * - cancelled: the commenter said no, on our pages or at the provider.
 */
export type SignInOutcome = 'success' | 'failure' | 'cancelled';
export type EmailSendOutcome = 'sent' | 'failed';
/**
 * What became of a batch of reply notifications (one email's worth): sent; failed (the mail
 * server refused, retried later); postponed (the account's hourly limit); dropped (unsubscribed,
 * erased, no address, or given up after three days).
 */
export type ReplyNotificationOutcome = 'sent' | 'failed' | 'postponed' | 'dropped';
/** An attempt to have the comment service anonymise an erased account: confirmed, or failed (retried). */
export type ErasureAttemptOutcome = 'confirmed' | 'failed';

const METHODS: readonly SignInMethod[] = ['email', 'twitter', 'facebook', 'none'];
const OUTCOMES: readonly SignInOutcome[] = ['success', 'failure', 'cancelled'];

/** The gateway's own counters, in its service registry (see docs/observability.md). */
export class GatewayMetrics {
  readonly #signIns: Counter<'method' | 'outcome'>;
  readonly #accessTokens: Counter;
  readonly #revocations: Counter;
  readonly #emails: Counter<'outcome'>;
  readonly #replyNotifications: Counter<'outcome'>;
  readonly #erasureAttempts: Counter<'outcome'>;

  constructor(registry: Registry) {
    this.#signIns = new Counter({
      name: 'parley_gateway_sign_ins_total',
      help: 'Sign-ins that ended, by method (email, twitter, facebook; none when cancelled on our pages) and outcome',
      labelNames: ['method', 'outcome'] as const,
      registers: [registry],
    });
    this.#accessTokens = new Counter({ name: 'parley_gateway_access_tokens_issued_total', help: 'Access tokens issued to sites', registers: [registry] });
    this.#revocations = new Counter({
      name: 'parley_gateway_revocations_published_total',
      help: 'Revocation events published on the revocation feed (a logout, a removed method, a revoked commenter)',
      registers: [registry],
    });
    this.#emails = new Counter({
      name: 'parley_gateway_emails_total',
      help: 'Emails (sign-in codes and links, reply notifications), by whether they were handed to the mail server',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
    this.#replyNotifications = new Counter({
      name: 'parley_gateway_reply_notifications_total',
      help: 'Batches of reply notifications (one email each), by outcome: sent, failed (retried later), postponed (hourly limit), dropped',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
    this.#erasureAttempts = new Counter({
      name: 'parley_gateway_erasure_attempts_total',
      help: 'Requests to the comment service to anonymise an erased account, by outcome: confirmed, or failed (retried with backoff)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
    // Every series from the start, at 0: a rate over a series that appears late misses its first events.
    for (const method of METHODS) for (const outcome of OUTCOMES) this.#signIns.inc({ method, outcome }, 0);
    for (const outcome of ['sent', 'failed'] as const) this.#emails.inc({ outcome }, 0);
    for (const outcome of ['sent', 'failed', 'postponed', 'dropped'] as const) this.#replyNotifications.inc({ outcome }, 0);
    for (const outcome of ['confirmed', 'failed'] as const) this.#erasureAttempts.inc({ outcome }, 0);
  }

  replyNotification(outcome: ReplyNotificationOutcome): void {
    this.#replyNotifications.inc({ outcome });
  }

  erasureAttempt(outcome: ErasureAttemptOutcome): void {
    this.#erasureAttempts.inc({ outcome });
  }

  signIn(method: SignInMethod, outcome: SignInOutcome): void {
    this.#signIns.inc({ method, outcome });
  }

  accessTokenIssued(): void {
    this.#accessTokens.inc();
  }

  revocationPublished(): void {
    this.#revocations.inc();
  }

  emailSend(outcome: EmailSendOutcome): void {
    this.#emails.inc({ outcome });
  }
}

/** The mailer, counting each send and whether it was handed over. */
export function countingMailer(mailer: Mailer, metrics: GatewayMetrics): Mailer {
  return {
    async send(message) {
      try {
        await mailer.send(message);
      } catch (error) {
        metrics.emailSend('failed');
        throw error;
      }
      metrics.emailSend('sent');
    },
  };
}
