import { randomUUID } from 'node:crypto';
import type { Db } from './database';
import { emailAddressCounterKey } from '../mail/address';

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
  /** How the owner recognises this method on the account page (never shown to sites). */
  readonly label?: string | null;
}

export interface Identity {
  readonly provider: IdentityProvider;
  readonly subject: string;
  readonly label: string | null;
  readonly createdAt: number;
}

export type LinkResult = 'linked' | 'already_linked' | 'belongs_to_another_account';
export type UnlinkResult = 'removed' | 'last_method' | 'not_found';

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
        if (profile.label) {
          await trx
            .updateTable('identities')
            .set({ label: profile.label })
            .where('provider', '=', profile.provider)
            .where('subject', '=', profile.subject)
            .execute();
        }
        return { id: existing.id, displayName, picture };
      }
      if (profile.displayName === null) return undefined;
      const id = randomUUID();
      await trx
        .insertInto('accounts')
        .values({ id, display_name: profile.displayName, picture: profile.picture, created_at: now, updated_at: now })
        .execute();
      await trx
        .insertInto('identities')
        .values({ provider: profile.provider, subject: profile.subject, account_id: id, label: profile.label ?? null, created_at: now })
        .execute();
      return { id, displayName: profile.displayName, picture: profile.picture };
    });
  }

  /** When the account was made (the export says it); undefined when there is no such account. */
  async createdAt(id: string): Promise<number | undefined> {
    const row = await this.db.selectFrom('accounts').select('created_at').where('id', '=', id).executeTakeFirst();
    return row && Number(row.created_at);
  }

  async identities(accountId: string): Promise<Identity[]> {
    const rows = await this.db.selectFrom('identities').selectAll().where('account_id', '=', accountId).orderBy('created_at').execute();
    return rows.map((row) => ({ provider: row.provider as IdentityProvider, subject: row.subject, label: row.label, createdAt: row.created_at }));
  }

  /**
   * Adds a sign-in method to an account the commenter is signed in to. Only ever on their explicit
   * request: never because two providers report the same email address (that is how accounts are
   * taken over). A method already used by another account stays where it is.
   */
  async link(accountId: string, profile: ProviderProfile): Promise<LinkResult> {
    return this.db.transaction().execute(async (trx) => {
      const owner = await trx
        .selectFrom('identities')
        .select('account_id')
        .where('provider', '=', profile.provider)
        .where('subject', '=', profile.subject)
        .executeTakeFirst();
      if (owner) return owner.account_id === accountId ? 'already_linked' : 'belongs_to_another_account';
      await trx
        .insertInto('identities')
        .values({ provider: profile.provider, subject: profile.subject, account_id: accountId, label: profile.label ?? null, created_at: this.now() })
        .execute();
      return 'linked';
    });
  }

  /** Removes a sign-in method, as long as the account keeps at least one. */
  async unlink(accountId: string, provider: string, subject: string): Promise<UnlinkResult> {
    return this.db.transaction().execute(async (trx) => {
      const methods = await trx.selectFrom('identities').select(['provider', 'subject']).where('account_id', '=', accountId).execute();
      if (!methods.some((method) => method.provider === provider && method.subject === subject)) return 'not_found';
      if (methods.length <= 1) return 'last_method';
      await trx.deleteFrom('identities').where('account_id', '=', accountId).where('provider', '=', provider).where('subject', '=', subject).execute();
      return 'removed';
    });
  }

  /**
   * Deletes an account and everything the gateway's database holds that leads to it (erasure):
   * its sign-in methods, the sites that knew it, its waiting reply notifications, pending email
   * sign-ins, dev mailbox messages and rate-limit counters of its addresses, and oidc-provider's
   * records naming it (sessions, grants, codes). One transaction: all of it goes, or none.
   * Page sessions and Redis-held sign-ins are ended by endAccountSessions before this runs.
   */
  async deleteAccount(accountId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const emails = (await trx.selectFrom('identities').select('subject').where('account_id', '=', accountId).where('provider', '=', 'email').execute()).map((row) => row.subject);
      if (emails.length > 0) {
        await trx.deleteFrom('email_signins').where('email', 'in', emails).execute();
        await trx.deleteFrom('dev_mail').where('recipient', 'in', emails).execute();
        // The per-address counter of email sign-ins; with REDIS_URL the counters live in Redis and
        // lapse within 15 minutes on their own.
        await trx.deleteFrom('rate_limits').where('key', 'in', emails.map(emailAddressCounterKey)).execute();
      }
      await trx.deleteFrom('reply_notifications').where('account_id', '=', accountId).execute();
      await trx.deleteFrom('account_sites').where('account_id', '=', accountId).execute();
      // A prefilter only (LIKE's _ and % may match more): each row is checked exactly.
      const named = await trx.selectFrom('oidc_payloads').select(['model', 'id', 'payload']).where('payload', 'like', `%${JSON.stringify(accountId)}%`).execute();
      for (const row of named) {
        if ((JSON.parse(row.payload) as { accountId?: unknown }).accountId !== accountId) continue;
        await trx.deleteFrom('oidc_payloads').where('model', '=', row.model).where('id', '=', row.id).execute();
      }
      await trx.deleteFrom('identities').where('account_id', '=', accountId).execute();
      await trx.deleteFrom('accounts').where('id', '=', accountId).execute();
    });
  }
}
