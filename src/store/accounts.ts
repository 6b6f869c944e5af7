import { randomUUID } from 'node:crypto';
import type { Db } from './database';

export type IdentityProvider = 'email' | 'twitter' | 'facebook';

export interface Account {
  readonly id: string;
  readonly displayName: string;
  readonly picture: string | null;
}

/** What an upstream provider told us about a commenter at sign-in. */
export interface ProviderProfile {
  readonly provider: IdentityProvider;
  /** The provider's stable id: Twitter's id_str, Facebook's app-scoped id, the normalised email. */
  readonly subject: string;
  readonly displayName: string | null;
  readonly picture: string | null;
}

/** Commenter accounts and the sign-in methods (identities) that lead to them. */
export class AccountStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  async get(id: string): Promise<Account | undefined> {
    const row = await this.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
    return row && { id: row.id, displayName: row.display_name, picture: row.picture };
  }

  async findByIdentity(provider: IdentityProvider, subject: string): Promise<Account | undefined> {
    const row = await this.db
      .selectFrom('identities')
      .innerJoin('accounts', 'accounts.id', 'identities.account_id')
      .select(['accounts.id', 'accounts.display_name', 'accounts.picture'])
      .where('identities.provider', '=', provider)
      .where('identities.subject', '=', subject)
      .executeTakeFirst();
    return row && { id: row.id, displayName: row.display_name, picture: row.picture };
  }

  /**
   * Signs a commenter in by identity: the existing account, refreshed with what the provider says
   * now, or a new account when this identity has never been seen. Returns undefined when a new
   * account would need a display name the profile does not have.
   */
  async upsertFromProfile(profile: ProviderProfile): Promise<Account | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const now = this.now();
      const existing = await trx
        .selectFrom('identities')
        .innerJoin('accounts', 'accounts.id', 'identities.account_id')
        .select(['accounts.id', 'accounts.display_name', 'accounts.picture'])
        .where('identities.provider', '=', profile.provider)
        .where('identities.subject', '=', profile.subject)
        .executeTakeFirst();
      if (existing) {
        const displayName = profile.displayName ?? existing.display_name;
        const picture = profile.picture ?? existing.picture;
        if (displayName !== existing.display_name || picture !== existing.picture) {
          await trx.updateTable('accounts').set({ display_name: displayName, picture, updated_at: now }).where('id', '=', existing.id).execute();
        }
        return { id: existing.id, displayName, picture };
      }
      if (profile.displayName === null) return undefined;
      const id = randomUUID();
      await trx
        .insertInto('accounts')
        .values({ id, display_name: profile.displayName, picture: profile.picture, created_at: now, updated_at: now })
        .execute();
      await trx.insertInto('identities').values({ provider: profile.provider, subject: profile.subject, account_id: id, created_at: now }).execute();
      return { id, displayName: profile.displayName, picture: profile.picture };
    });
  }
}
