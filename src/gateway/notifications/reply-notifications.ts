import { Router } from 'express';
import type { Db } from '../../store/database';
import type { BackchannelClient } from '../../backchannel/gateway-client';
import type { CommenterSites } from '../../store/commenter-sites';
import type { AccountStore } from '../../store/accounts';
import type { Mailer } from '../../mail/mailer';
import type { RateLimits } from '../../store/rate-limits';
import type { Site } from '../../config/sites';
import type { Logger } from '../../observability/logger';

/** Timings, shortened by tests; every one has a default. */
export interface ReplyNotificationOptions {
  /** How often each comment service's reply outbox is read. */
  readonly pollIntervalMs?: number;
  /** Replies to one commenter at one site within this are mailed together. */
  readonly batchWindowMs?: number;
  /** The first retry after a failed delivery; later ones back off from it. */
  readonly retryBaseMs?: number;
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
  readonly options?: ReplyNotificationOptions;
}

export interface ReplyNotifications {
  /** The unsubscribe routes (one-click, RFC 8058), mounted without a page session. */
  readonly routes: Router;
  /** Starts polling and sending. */
  start(): void;
  close(): Promise<void>;
}

/** SKELETON: being built (issue 15, item 2). */
export function replyNotifications(_deps: ReplyNotificationsDeps): ReplyNotifications {
  return { routes: Router(), start() {}, async close() {} };
}
