import type { Selectable } from 'kysely';
import type { ReplyNotice } from '../../backchannel/protocol';
import type { Db } from '../../store/database';
import type { ReplyNotificationsTable } from '../../store/schema';

/**
 * The gateway's outbox of reply notifications (reply_notifications) and how far each comment
 * service's reply outbox has been read (backchannel_cursors). Several gateway instances share
 * both: a notice read twice is kept once (its id), a cursor only moves forward (compare and set),
 * and a batch is sent by whoever holds its lease.
 */

export interface StoredNotification {
  readonly id: string;
  readonly accountId: string;
  readonly siteId: string;
  readonly notice: ReplyNotice;
  readonly createdAt: number;
  readonly attempts: number;
}

/** A (account, site) pair with unsent notices. */
export interface PendingPair {
  readonly accountId: string;
  readonly siteId: string;
}

function stored(row: Selectable<ReplyNotificationsTable>): StoredNotification {
  return {
    id: row.id,
    accountId: row.account_id,
    siteId: row.site_id,
    notice: JSON.parse(row.notice) as ReplyNotice,
    createdAt: Number(row.created_at),
    attempts: Number(row.attempts),
  };
}

export class NotificationStore {
  constructor(private readonly db: Db) {}

  /** Where reading `service`'s outbox resumes; undefined: from its start. */
  async cursor(service: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('backchannel_cursors').select('cursor').where('service', '=', service).executeTakeFirst();
    return row?.cursor;
  }

  /**
   * Moves the cursor from `from` (what this reader started at) to `to`. Another instance that
   * moved it meanwhile wins: its cursor is at least as far, and going back would read twice.
   */
  async advanceCursor(service: string, from: string | undefined, to: string, now: number): Promise<void> {
    if (from === to) return;
    if (from === undefined) {
      await this.db.insertInto('backchannel_cursors').values({ service, cursor: to, updated_at: now }).onConflict((oc) => oc.column('service').doNothing()).execute();
      return;
    }
    await this.db.updateTable('backchannel_cursors').set({ cursor: to, updated_at: now }).where('service', '=', service).where('cursor', '=', from).execute();
  }

  /** Keeps a notice to send; false when it was kept already (read twice, or by another instance). */
  async add(id: string, accountId: string, notice: ReplyNotice, now: number): Promise<boolean> {
    const result = await this.db
      .insertInto('reply_notifications')
      .values({ id, account_id: accountId, site_id: notice.recipient.site, notice: JSON.stringify(notice), created_at: now, next_attempt_at: now, lease_until: null, sent_at: null, last_error: null })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /**
   * Pairs whose batch is due: the oldest unsent notice is older than the batch window, none waits
   * for a later retry (new notices join a batch that is retrying, rather than overtake it), and
   * nobody holds a lease on any of them.
   */
  async duePairs(now: number, batchWindowMs: number, limit: number): Promise<PendingPair[]> {
    const rows = await this.db
      .selectFrom('reply_notifications')
      .select(['account_id', 'site_id'])
      .where('sent_at', 'is', null)
      .groupBy(['account_id', 'site_id'])
      .having((eb) => eb.fn.min('created_at'), '<=', now - batchWindowMs)
      .having((eb) => eb.fn.max('next_attempt_at'), '<=', now)
      .having((eb) => eb.fn.max(eb.fn.coalesce('lease_until', eb.val(0))), '<', now)
      .limit(limit)
      .execute();
    return rows.map((row) => ({ accountId: row.account_id, siteId: row.site_id }));
  }

  /** Takes every unsent, unleased notice of the pair until `leaseUntil`; oldest first. */
  async claim(pair: PendingPair, now: number, leaseUntil: number): Promise<StoredNotification[]> {
    const rows = await this.db
      .updateTable('reply_notifications')
      .set({ lease_until: leaseUntil })
      .where('account_id', '=', pair.accountId)
      .where('site_id', '=', pair.siteId)
      .where('sent_at', 'is', null)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .returningAll()
      .execute();
    return rows.map(stored).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  async markSent(ids: readonly string[], now: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db.updateTable('reply_notifications').set({ sent_at: now, lease_until: null, last_error: null }).where('id', 'in', [...ids]).execute();
  }

  /** A failed attempt: counted, with its error, and tried again at `nextAttemptAt`. */
  async markFailed(ids: readonly string[], nextAttemptAt: number, error: string): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable('reply_notifications')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: nextAttemptAt, lease_until: null, last_error: error }))
      .where('id', 'in', [...ids])
      .execute();
  }

  /** Not now (the rate limit): tried again at `nextAttemptAt`, without counting an attempt. */
  async postpone(ids: readonly string[], nextAttemptAt: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db.updateTable('reply_notifications').set({ next_attempt_at: nextAttemptAt, lease_until: null }).where('id', 'in', [...ids]).execute();
  }

  /** Forgets notices that will never be sent (unsubscribed, no address, given up). */
  async drop(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.deleteFrom('reply_notifications').where('id', 'in', [...ids]).execute();
  }

  /** Forgets sent notices older than `before`: they only kept a notice from being read twice. */
  async sweepSent(before: number): Promise<void> {
    await this.db.deleteFrom('reply_notifications').where('sent_at', 'is not', null).where('sent_at', '<', before).execute();
  }
}
