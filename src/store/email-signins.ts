import type { Db } from './database';

export interface EmailSignin {
  readonly id: string;
  readonly email: string;
  readonly displayName: string | null;
  readonly interactionUid: string;
  readonly siteId: string;
  readonly codeHash: string;
  readonly attempts: number;
  readonly expiresAt: number;
  readonly confirmedAt: number | null;
}

export interface NewEmailSignin {
  readonly id: string;
  readonly tokenHash: string;
  readonly codeHash: string;
  readonly email: string;
  readonly displayName: string | null;
  readonly interactionUid: string;
  readonly siteId: string;
  readonly expiresAt: number;
}

/**
 * Pending email sign-ins. Every state change is one conditional UPDATE, so two requests racing
 * on the same link or code cannot both win.
 */
export class EmailSigninStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  async create(signin: NewEmailSignin): Promise<void> {
    await this.db
      .insertInto('email_signins')
      .values({
        id: signin.id,
        token_hash: signin.tokenHash,
        code_hash: signin.codeHash,
        email: signin.email,
        display_name: signin.displayName,
        interaction_uid: signin.interactionUid,
        site_id: signin.siteId,
        attempts: 0,
        created_at: this.now(),
        expires_at: signin.expiresAt,
        confirmed_at: null,
        consumed_at: null,
      })
      .execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('email_signins').where('id', '=', id).execute();
  }

  /** A sign-in that is still usable: not expired, not consumed, not out of attempts. */
  async findLive(id: string, maxAttempts: number): Promise<EmailSignin | undefined> {
    const row = await this.live(maxAttempts).where('id', '=', id).executeTakeFirst();
    return row && toSignin(row);
  }

  async findLiveByTokenHash(tokenHash: string, maxAttempts: number): Promise<EmailSignin | undefined> {
    const row = await this.live(maxAttempts).where('token_hash', '=', tokenHash).executeTakeFirst();
    return row && toSignin(row);
  }

  /** Marks the sign-in confirmed through its link; false if it was not live or already confirmed. */
  async confirm(id: string, maxAttempts: number): Promise<boolean> {
    const result = await this.db
      .updateTable('email_signins')
      .set({ confirmed_at: this.now() })
      .where('id', '=', id)
      .where('confirmed_at', 'is', null)
      .where('consumed_at', 'is', null)
      .where('attempts', '<', maxAttempts)
      .where('expires_at', '>', this.now())
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Counts one code attempt; returns the attempts used, or undefined when none was left. */
  async recordAttempt(id: string, maxAttempts: number): Promise<number | undefined> {
    const result = await this.db
      .updateTable('email_signins')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .where('consumed_at', 'is', null)
      .where('attempts', '<', maxAttempts)
      .where('expires_at', '>', this.now())
      .returning('attempts')
      .executeTakeFirst();
    return result?.attempts;
  }

  /** Uses the sign-in up; true for exactly one caller. */
  async consume(id: string): Promise<boolean> {
    const result = await this.db
      .updateTable('email_signins')
      .set({ consumed_at: this.now() })
      .where('id', '=', id)
      .where('consumed_at', 'is', null)
      .where('expires_at', '>', this.now())
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Deletes sign-ins that can no longer be used (kept a day for support questions). */
  async sweep(olderThanMs: number): Promise<void> {
    await this.db.deleteFrom('email_signins').where('expires_at', '<=', this.now() - olderThanMs).execute();
  }

  private live(maxAttempts: number) {
    return this.db
      .selectFrom('email_signins')
      .selectAll()
      .where('consumed_at', 'is', null)
      .where('attempts', '<', maxAttempts)
      .where('expires_at', '>', this.now());
  }
}

function toSignin(row: {
  id: string;
  email: string;
  display_name: string | null;
  interaction_uid: string;
  site_id: string;
  code_hash: string;
  attempts: number;
  expires_at: number;
  confirmed_at: number | null;
}): EmailSignin {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    interactionUid: row.interaction_uid,
    siteId: row.site_id,
    codeHash: row.code_hash,
    attempts: row.attempts,
    expiresAt: row.expires_at,
    confirmedAt: row.confirmed_at,
  };
}
