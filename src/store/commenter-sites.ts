import type { Db } from './database';

/** A site that knows an account, under the pairwise subject it knows it by. */
export interface CommenterSite {
  readonly siteId: string;
  readonly subject: string;
  readonly firstSeenAt: number;
  readonly lastSeenAt: number;
  /** No reply notification for comments posted on this site before this instant; null when subscribed. */
  readonly repliesUnsubscribedAt: number | null;
}

/**
 * Re-recording a site more often than this is skipped: a token is issued every 15 minutes to an
 * active commenter, and "last used" on the account page needs no finer grain.
 */
const LAST_SEEN_GRANULARITY_MS = 60 * 60 * 1000;

/**
 * Which sites know an account, and by which pairwise subject (account_sites). The subject is
 * an HMAC of the account id (tokens/claims.ts) that cannot be reversed, so this is the gateway's
 * only way back from a comment service's (site, sub) to a commenter: reply notifications need it,
 * and the account page lists the sites from it. Written whenever an access token is issued.
 */
export class CommenterSites {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records that `siteId` was issued a token for `accountId` as `subject` (idempotent). */
  async record(accountId: string, siteId: string, subject: string): Promise<void> {
    const now = this.now();
    await this.db
      .insertInto('account_sites')
      .values({ site_id: siteId, subject, account_id: accountId, first_seen_at: now, last_seen_at: now, replies_unsubscribed_at: null })
      .onConflict((oc) =>
        oc
          .columns(['site_id', 'subject'])
          .doUpdateSet({ last_seen_at: now, account_id: accountId })
          .where('account_sites.last_seen_at', '<', now - LAST_SEEN_GRANULARITY_MS),
      )
      .execute();
  }

  /** The sites that know the account, most recently used first. */
  async forAccount(accountId: string): Promise<CommenterSite[]> {
    const rows = await this.db.selectFrom('account_sites').selectAll().where('account_id', '=', accountId).orderBy('last_seen_at', 'desc').execute();
    return rows.map((row) => ({
      siteId: row.site_id,
      subject: row.subject,
      firstSeenAt: Number(row.first_seen_at),
      lastSeenAt: Number(row.last_seen_at),
      repliesUnsubscribedAt: row.replies_unsubscribed_at === null ? null : Number(row.replies_unsubscribed_at),
    }));
  }

  /** The account a site knows as `subject`, with its notification setting there; undefined when unknown. */
  async find(siteId: string, subject: string): Promise<{ accountId: string; repliesUnsubscribedAt: number | null } | undefined> {
    const row = await this.db
      .selectFrom('account_sites')
      .select(['account_id', 'replies_unsubscribed_at'])
      .where('site_id', '=', siteId)
      .where('subject', '=', subject)
      .executeTakeFirst();
    return row && { accountId: row.account_id, repliesUnsubscribedAt: row.replies_unsubscribed_at === null ? null : Number(row.replies_unsubscribed_at) };
  }

  /**
   * Stops reply notifications at one site (`at`: now) for every comment posted before `at`, or
   * subscribes again (`null`). Returns false when the account does not know the site.
   */
  async setRepliesUnsubscribed(accountId: string, siteId: string, at: number | null): Promise<boolean> {
    const result = await this.db
      .updateTable('account_sites')
      .set({ replies_unsubscribed_at: at })
      .where('account_id', '=', accountId)
      .where('site_id', '=', siteId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Forgets every site of an account (erasure). */
  async deleteAccount(accountId: string): Promise<void> {
    await this.db.deleteFrom('account_sites').where('account_id', '=', accountId).execute();
  }
}
