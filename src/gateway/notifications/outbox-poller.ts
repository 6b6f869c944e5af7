import { BACKCHANNEL_PATHS, type RepliesPage, type ReplyNotice } from '../../backchannel/protocol';
import { BackchannelError, type BackchannelClient } from '../../backchannel/gateway-client';
import type { Site } from '../../config/sites';
import type { Logger } from '../../observability/logger';
import type { CommenterSites } from '../../store/commenter-sites';
import type { NotificationStore } from './notification-store';
import { isRecord } from '../../../packages/verify/src/jws';

/**
 * Reads a comment service's reply outbox (GET /backchannel/replies) from where the gateway last
 * stopped, and keeps each notice whose recipient it can mail:
 *
 * - a site the gateway does not serve, or a (site, sub) it never issued a token for: dropped
 *   (logged at debug; a comment service may hold notices of commenters erased since);
 * - a reply to a comment posted before its author unsubscribed on that site: dropped;
 * - everything else goes into reply_notifications as `<service>|<notice id>`, once however many
 *   instances read it; then the cursor moves on (never back).
 *
 * A comment service that is down or refuses is an ordinary event: the poll ends, the cursor
 * stays, and the next poll resumes there. Failures are logged at debug; one warning once the
 * outage has lasted OUTAGE_WARNING_MS (a gateway started a moment before its comment service is
 * not an incident), and a line when it answers again.
 */

/**
 * How long to leave a comment service alone that answered 404 for its reply outbox: not a Parley
 * comment service (a blog backend using only the verifier package), or one older than the
 * back-channel. Asking every few seconds would be noise in both services' logs.
 */
export const NO_OUTBOX_RECHECK_MS = 10 * 60 * 1000;
/** Pages read in one poll at most; the next poll carries on. */
const MAX_PAGES_PER_POLL = 20;
/** How long the reply outbox may be unreadable before an operator is told. */
export const OUTAGE_WARNING_MS = 60_000;

export interface OutboxPollerDeps {
  readonly backchannel: BackchannelClient;
  readonly store: NotificationStore;
  readonly commenterSites: CommenterSites;
  readonly sites: ReadonlyMap<string, Site>;
  readonly logger: Logger;
  readonly clock: () => number;
}

function isString(value: unknown, maxLength = 100_000): value is string {
  return typeof value === 'string' && value.length <= maxLength;
}

/** The comment service is trusted, but what crosses a network is checked before it is kept. */
function isReplyNotice(value: unknown): value is ReplyNotice {
  if (!isRecord(value) || !isString(value['id'], 128) || !isString(value['postId'], 200)) return false;
  const { recipient, parent, reply, threadUrl } = value;
  return (
    isRecord(recipient) && isString(recipient['site'], 64) && isString(recipient['sub'], 255) &&
    isRecord(parent) && isString(parent['id'], 64) && typeof parent['createdAt'] === 'number' && isString(parent['excerpt'], 2000) &&
    isRecord(reply) && isString(reply['id'], 64) && isString(reply['authorName'], 500) && isString(reply['body']) && typeof reply['createdAt'] === 'number' &&
    (threadUrl === null || isString(threadUrl, 4096))
  );
}

function isRepliesPage(value: unknown): value is RepliesPage {
  return isRecord(value) && Array.isArray(value['replies']) && isString(value['cursor'], 128) && typeof value['moreAvailable'] === 'boolean';
}

export class OutboxPoller {
  /** When the current outage began; undefined while the outbox answers. */
  #failingSince: number | undefined;
  #warned = false;
  /** While set and in the future, the comment service has no reply outbox (404): not asked. */
  #noOutboxUntil: number | undefined;

  constructor(private readonly deps: OutboxPollerDeps) {}

  /** The comment service as tokens name it: the cursor's key and the notices' id prefix. */
  get service(): string {
    return this.deps.backchannel.audience;
  }

  /** Reads what is new; never throws for the comment service's sake. */
  async poll(): Promise<void> {
    const { backchannel, store, logger } = this.deps;
    if (this.#noOutboxUntil !== undefined && this.deps.clock() < this.#noOutboxUntil) return;
    let cursor = await store.cursor(this.service);
    for (let pages = 0; pages < MAX_PAGES_PER_POLL; pages += 1) {
      let page: unknown;
      try {
        page = await backchannel.get<unknown>(BACKCHANNEL_PATHS.replies, cursor === undefined ? {} : { after: cursor });
      } catch (error) {
        if (!(error instanceof BackchannelError)) throw error;
        if (error.status === 404) return this.#noOutbox();
        this.#reportFailure(error.message, error.status);
        return;
      }
      if (!isRepliesPage(page)) {
        this.#reportFailure('the reply outbox answered something that is not a page of replies');
        return;
      }
      if (this.#noOutboxUntil !== undefined) {
        logger.info({ service: this.service }, 'reply notifications: the comment service has a reply outbox now');
        this.#noOutboxUntil = undefined;
      }
      if (this.#failingSince !== undefined) {
        if (this.#warned) logger.info({ service: this.service }, 'reply notifications: the comment service answers again');
        this.#failingSince = undefined;
        this.#warned = false;
      }
      for (const notice of page.replies) await this.#keep(notice);
      await store.advanceCursor(this.service, cursor, page.cursor, this.deps.clock());
      cursor = page.cursor;
      if (!page.moreAvailable) return;
    }
  }

  async #keep(notice: unknown): Promise<void> {
    const { store, commenterSites, sites, logger } = this.deps;
    if (!isReplyNotice(notice)) {
      logger.warn({ service: this.service }, 'reply notifications: a malformed notice was skipped');
      return;
    }
    const siteId = notice.recipient.site;
    if (!sites.has(siteId)) {
      logger.debug({ service: this.service, siteId, noticeId: notice.id }, 'reply notification dropped: the site is not served here');
      return;
    }
    const recipient = await commenterSites.find(siteId, notice.recipient.sub);
    if (recipient === undefined) {
      logger.debug({ service: this.service, siteId, noticeId: notice.id }, 'reply notification dropped: no account is known by that subject');
      return;
    }
    if (recipient.repliesUnsubscribedAt !== null && notice.parent.createdAt < recipient.repliesUnsubscribedAt) {
      logger.debug({ service: this.service, siteId, noticeId: notice.id, accountId: recipient.accountId }, 'reply notification dropped: unsubscribed on this site');
      return;
    }
    await store.add(`${this.service}|${notice.id}`, recipient.accountId, notice, this.deps.clock());
  }

  /** A 404: said once (at info: a setup to know about, not an outage), then asked again only now and then. */
  #noOutbox(): void {
    // It answers, so whatever outage there was is over.
    this.#failingSince = undefined;
    this.#warned = false;
    if (this.#noOutboxUntil === undefined) {
      this.deps.logger.info(
        { service: this.service, recheckInMs: NO_OUTBOX_RECHECK_MS },
        'reply notifications: the comment service has no reply outbox (404: not a Parley comment service, or an older one); asking again every 10 minutes',
      );
    }
    this.#noOutboxUntil = this.deps.clock() + NO_OUTBOX_RECHECK_MS;
  }

  #reportFailure(reason: string, status?: number): void {
    const now = this.deps.clock();
    this.#failingSince ??= now;
    const fields = { service: this.service, status, reason, failingForMs: now - this.#failingSince };
    if (!this.#warned && now - this.#failingSince >= OUTAGE_WARNING_MS) {
      this.#warned = true;
      this.deps.logger.warn(fields, 'reply notifications: cannot read the comment service\'s reply outbox for a minute now; will keep trying');
    } else {
      this.deps.logger.debug(fields, 'reply notifications: cannot read the comment service\'s reply outbox; will retry');
    }
  }
}
