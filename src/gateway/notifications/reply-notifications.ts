import type { Router } from 'express';
import type { Db } from '../../store/database';
import type { BackchannelClient } from '../../backchannel/gateway-client';
import type { CommenterSites } from '../../store/commenter-sites';
import type { AccountStore } from '../../store/accounts';
import type { Mailer } from '../../mail/mailer';
import type { RateLimits } from '../../store/rate-limits';
import type { Site } from '../../config/sites';
import type { Logger } from '../../observability/logger';
import { NotificationSender } from './notification-sender';
import { NotificationStore } from './notification-store';
import { OutboxPoller } from './outbox-poller';
import { unsubscribeRoutes } from './unsubscribe-routes';
import type { ReplyNotificationOutcome } from '../gateway-metrics';

/**
 * Reply notifications by email (issue 15, item 2; docs/notifications.md), the gateway's half:
 * every poll interval, read the comment service's reply outbox (outbox-poller.ts), then mail the
 * batches that are due (notification-sender.ts); and serve the unsubscribe link
 * (unsubscribe-routes.ts). Nothing here blocks a request: a comment service that is down or a
 * mail server that refuses delays the emails, and the next round picks up where this one stopped.
 */

export const DEFAULT_POLL_INTERVAL_MS = 5_000;
export const DEFAULT_BATCH_WINDOW_MS = 2 * 60 * 1000;
export const DEFAULT_RETRY_BASE_MS = 30_000;

/** Timings, shortened by tests; every one has a default. */
export interface ReplyNotificationOptions {
  /** How often each comment service's reply outbox is read. */
  readonly pollIntervalMs?: number;
  /** Replies to one commenter at one site within this are mailed together. */
  readonly batchWindowMs?: number;
  /** The first retry after a failed delivery; later ones back off from it. */
  readonly retryBaseMs?: number;
  /** The time batches and retries are reckoned by, epoch milliseconds; default Date.now. */
  readonly clock?: () => number;
}

export interface ReplyNotificationsDeps {
  readonly db: Db;
  readonly backchannel: BackchannelClient;
  readonly commenterSites: CommenterSites;
  readonly accounts: AccountStore;
  readonly mailer: Mailer;
  readonly limiter: RateLimits;
  readonly issuer: string;
  readonly unsubscribeSecret: string;
  readonly sites: ReadonlyMap<string, Site>;
  readonly logger: Logger;
  readonly options?: ReplyNotificationOptions | undefined;
  /** Told what became of each batch (the gateway's metrics). */
  readonly onOutcome?: (outcome: ReplyNotificationOutcome) => void;
}

export interface ReplyNotifications {
  /** The unsubscribe routes (one-click, RFC 8058), mounted without a page session. */
  readonly routes: Router;
  /** Starts polling and sending. */
  start(): void;
  close(): Promise<void>;
}

function duration(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) throw new TypeError(`replyNotifications: ${name} must be a whole number of milliseconds (got ${value})`);
  return value;
}

export function replyNotifications(deps: ReplyNotificationsDeps): ReplyNotifications {
  const options = deps.options ?? {};
  const pollIntervalMs = Math.max(1, duration('pollIntervalMs', options.pollIntervalMs, DEFAULT_POLL_INTERVAL_MS));
  const clock = options.clock ?? Date.now;
  const store = new NotificationStore(deps.db);
  const logger = deps.logger;
  const poller = new OutboxPoller({ backchannel: deps.backchannel, store, commenterSites: deps.commenterSites, sites: deps.sites, logger, clock });
  const sender = new NotificationSender({
    store,
    accounts: deps.accounts,
    commenterSites: deps.commenterSites,
    mailer: deps.mailer,
    limiter: deps.limiter,
    sites: deps.sites,
    issuer: deps.issuer,
    unsubscribeSecret: deps.unsubscribeSecret,
    logger,
    clock,
    batchWindowMs: duration('batchWindowMs', options.batchWindowMs, DEFAULT_BATCH_WINDOW_MS),
    retryBaseMs: Math.max(1, duration('retryBaseMs', options.retryBaseMs, DEFAULT_RETRY_BASE_MS)),
    ...(deps.onOutcome ? { onOutcome: deps.onOutcome } : {}),
  });

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let closed = false;

  // One round at a time, the next one scheduled when this one ends: a slow comment service or
  // mail server never piles rounds up.
  const round = async () => {
    try {
      await poller.poll();
    } catch (error) {
      logger.error({ err: error }, 'reply notifications: reading the reply outbox failed');
    }
    try {
      await sender.sendDue();
    } catch (error) {
      logger.error({ err: error }, 'reply notifications: sending failed');
    }
  };
  const schedule = () => {
    if (closed) return;
    timer = setTimeout(() => {
      running = round().finally(() => {
        running = undefined;
        schedule();
      });
    }, pollIntervalMs);
    timer.unref();
  };

  return {
    // Wall-clock time, not `clock`: the instant is compared with comment services' creation times.
    routes: unsubscribeRoutes({ commenterSites: deps.commenterSites, sites: deps.sites, unsubscribeSecret: deps.unsubscribeSecret, logger, clock: Date.now }),
    start() {
      if (timer === undefined && !closed) schedule();
    },
    async close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
}
