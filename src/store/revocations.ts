import type { Db } from './database';

export interface StoredRevocation {
  /** Position in the feed: increases with every revocation, never reused. */
  readonly seq: number;
  readonly jti: string;
  /** The signed Security Event Token, as served. */
  readonly jwt: string;
}

/**
 * The revocation feed's rows: signed events in the order they were made. Written by the gateway
 * and by `parley tokens revoke` (another process on the same database); read by the feed route.
 */
export class RevocationStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  async add(event: { jti: string; jwt: string; expiresAt: number }): Promise<void> {
    await this.db
      .insertInto('revocations')
      .values({ jti: event.jti, jwt: event.jwt, created_at: this.now(), expires_at: event.expiresAt })
      .execute();
  }

  /** Live events after `seq` (0: from the oldest), oldest first, at most `limit`. */
  async listAfter(seq: number, limit: number): Promise<StoredRevocation[]> {
    const rows = await this.db
      .selectFrom('revocations')
      .select(['seq', 'jti', 'jwt'])
      .where('seq', '>', seq)
      .where('expires_at', '>', this.now())
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ seq: Number(row.seq), jti: row.jti, jwt: row.jwt }));
  }

  /** Deletes events no live token can be named by any more. */
  async sweep(): Promise<void> {
    await this.db.deleteFrom('revocations').where('expires_at', '<=', this.now()).execute();
  }
}
