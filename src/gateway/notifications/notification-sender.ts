import type { Site } from '../../config/sites';
import { MailDeliveryError, type Mailer } from '../../mail/mailer';
import type { Logger } from '../../observability/logger';
import type { AccountStore } from '../../store/accounts';
import type { CommenterSites } from '../../store/commenter-sites';
import type { RateLimitRule, RateLimits } from '../../store/rate-limits';
import { replyNotificationMessage } from './notification-message';
import type { NotificationStore, PendingPair, StoredNotification } from './notification-store';
import { unsubscribeUrl } from './unsubscribe-routes';
import type { ReplyNotificationOutcome } from '../gateway-metrics';

/**
 * Mails what the poller kept, one email per (account, site) batch:
 *
 * 1. A pair is due once its oldest unsent notice is older than the batch window (replies that
 *    come within it go in one email), and no retry of it is scheduled for later.
 * 2. Its notices are claimed with a lease, so two instances never send the same batch; a lease
 *    left by an instance that died runs out and the batch is taken again.
 * 3. Checked again at sending, since time has passed: the commenter may have unsubscribed on the
 *    site (notices about earlier comments are dropped), been erased, or have no email address
 *    (signed in only with Twitter or Facebook: nothing to mail, dropped).
 * 4. At most NOTIFICATION_RATE_LIMIT emails per account per hour, counted with the gateway's rate
 *    limits; over it, the batch waits for the window to pass (and grows meanwhile), never dropped.
 * 5. Sent: marked sent. Refused by the mail server: tried again after retryBaseMs, doubling each
 *    time up to an hour, and given up (logged) only when the oldest notice is three days old.
 *
 * The address is looked up just before sending and never logged; log lines name the account id.
 */

export const NOTIFICATION_RATE_LIMIT: RateLimitRule = { limit: 10, windowSeconds: 60 * 60 };
const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;
const GIVE_UP_AFTER_MS = 3 * 24 * 60 * 60 * 1000;
/** Longer than any SMTP attempt takes (mailer.ts gives up within 25 s). */
const LEASE_MS = 5 * 60 * 1000;
/** Batches looked at per round; the next round takes the rest. */
const PAIRS_PER_ROUND = 50;
/** Sent notices are kept this long (they keep a notice from being read twice), then swept. */
const SENT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;
const MAX_ERROR_LENGTH = 500;
/** Whatever has an @ between non-blank characters: the recipient however the server spelt it, and the sender. */
const ANYTHING_LIKE_AN_ADDRESS = /[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g;

export interface NotificationSenderDeps {
  readonly store: NotificationStore;
  readonly accounts: AccountStore;
  readonly commenterSites: CommenterSites;
  readonly mailer: Mailer;
  readonly limiter: RateLimits;
  readonly sites: ReadonlyMap<string, Site>;
  readonly issuer: string;
  readonly unsubscribeSecret: string;
  readonly logger: Logger;
  readonly clock: () => number;
  readonly batchWindowMs: number;
  readonly retryBaseMs: number;
  /** Told what became of each batch (the gateway's metrics). */
  readonly onOutcome?: (outcome: ReplyNotificationOutcome) => void;
}

/** The wait before attempt `attempts + 1`, after `attempts` failures. */
export function retryDelayMs(retryBaseMs: number, attempts: number): number {
  return Math.min(retryBaseMs * 2 ** Math.max(0, attempts - 1), MAX_RETRY_DELAY_MS);
}

/**
 * A failure's reason as it may be logged and kept: SMTP servers quote the recipient in their
 * refusals ("550 <ada@example.com>: mailbox unavailable"), and an address never goes in a log.
 */
function withoutAddress(error: unknown): { reason: string; delivery: boolean } {
  const message = error instanceof Error ? error.message : String(error);
  return { reason: message.replace(ANYTHING_LIKE_AN_ADDRESS, '<address>').slice(0, MAX_ERROR_LENGTH), delivery: error instanceof MailDeliveryError };
}

export class NotificationSender {
  constructor(private readonly deps: NotificationSenderDeps) {}

  /** Sends every batch that is due now. */
  async sendDue(): Promise<void> {
    const now = this.deps.clock();
    for (const pair of await this.deps.store.duePairs(now, this.deps.batchWindowMs, PAIRS_PER_ROUND)) {
      await this.#sendBatch(pair);
    }
    await this.deps.store.sweepSent(now - SENT_RETENTION_MS);
  }

  async #sendBatch(pair: PendingPair): Promise<void> {
    const { store, logger } = this.deps;
    const now = this.deps.clock();
    const claimed = await store.claim(pair, now, now + LEASE_MS);
    if (claimed.length === 0) return;
    const fields = { accountId: pair.accountId, siteId: pair.siteId };
    const site = this.deps.sites.get(pair.siteId);
    const batch = site === undefined ? [] : await this.#stillWanted(claimed);
    await store.drop(claimed.filter((notification) => !batch.includes(notification)).map((notification) => notification.id));
    if (site === undefined || batch.length === 0) {
      logger.debug({ ...fields, dropped: claimed.length }, 'reply notification dropped: unsubscribed, erased, or the site is no longer served');
      this.deps.onOutcome?.('dropped');
      return;
    }
    const to = await this.#address(pair.accountId);
    if (to === undefined) {
      await store.drop(batch.map((notification) => notification.id));
      logger.debug({ ...fields, dropped: batch.length }, 'reply notification dropped: the account has no email address');
      this.deps.onOutcome?.('dropped');
      return;
    }
    const ids = batch.map((notification) => notification.id);
    const allowed = await this.deps.limiter.hit(`reply-notifications:${pair.accountId}`, NOTIFICATION_RATE_LIMIT);
    if (!allowed.allowed) {
      await store.postpone(ids, now + allowed.retryAfterSeconds * 1000);
      logger.info({ ...fields, replies: batch.length, retryAfterSeconds: allowed.retryAfterSeconds }, 'reply notification postponed: the account\'s hourly limit is reached');
      this.deps.onOutcome?.('postponed');
      return;
    }
    const message = replyNotificationMessage({
      to,
      site,
      notices: batch.map((notification) => notification.notice),
      unsubscribeUrl: unsubscribeUrl(this.deps.issuer, this.deps.unsubscribeSecret, { accountId: pair.accountId, siteId: pair.siteId, issuedAt: Math.floor(now / 1000) }),
    });
    try {
      await this.deps.mailer.send(message);
    } catch (error) {
      await this.#failed(batch, withoutAddress(error), fields);
      return;
    }
    await store.markSent(ids, this.deps.clock());
    logger.info({ ...fields, replies: batch.length }, 'reply notification sent');
    this.deps.onOutcome?.('sent');
  }

  /** The notices still to send: the commenter is still known to the site and has not unsubscribed since. */
  async #stillWanted(claimed: readonly StoredNotification[]): Promise<StoredNotification[]> {
    const wanted: StoredNotification[] = [];
    for (const notification of claimed) {
      const recipient = await this.deps.commenterSites.find(notification.siteId, notification.notice.recipient.sub);
      if (recipient === undefined) continue;
      if (recipient.repliesUnsubscribedAt !== null && notification.notice.parent.createdAt < recipient.repliesUnsubscribedAt) continue;
      wanted.push(notification);
    }
    return wanted;
  }

  /** The account's email address: the one most recently added, when it has several. */
  async #address(accountId: string): Promise<string | undefined> {
    const emails = (await this.deps.accounts.identities(accountId)).filter((identity) => identity.provider === 'email');
    emails.sort((a, b) => Number(b.createdAt) - Number(a.createdAt));
    return emails[0]?.subject;
  }

  async #failed(batch: readonly StoredNotification[], failure: { reason: string; delivery: boolean }, fields: Record<string, unknown>): Promise<void> {
    const now = this.deps.clock();
    const ids = batch.map((notification) => notification.id);
    const { reason } = failure;
    const oldest = Math.min(...batch.map((notification) => notification.createdAt));
    if (now - oldest >= GIVE_UP_AFTER_MS) {
      await this.deps.store.drop(ids);
      this.deps.logger.warn({ ...fields, replies: batch.length, reason }, 'reply notification given up: undeliverable for three days');
      this.deps.onOutcome?.('dropped');
      return;
    }
    const attempts = Math.max(...batch.map((notification) => notification.attempts)) + 1;
    const delayMs = retryDelayMs(this.deps.retryBaseMs, attempts);
    await this.deps.store.markFailed(ids, now + delayMs, reason);
    const level = failure.delivery ? 'warn' : 'error';
    this.deps.logger[level]({ ...fields, replies: batch.length, attempts, retryInMs: delayMs, reason }, 'reply notification not delivered; will retry');
    this.deps.onOutcome?.('failed');
  }
}
