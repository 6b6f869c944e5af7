import { type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { sequenceKey } from './sequence-key';
import { createWriteProbeTable } from './write-probe';

/** The table under RateLimiter; every database that rate-limits has it (gateway, comments). */
export async function createRateLimitsTable(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rate_limits')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('window_started_at', 'bigint', (c) => c.notNull())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .execute();
}

/**
 * Versioned migrations, in order. Never edit one that has shipped: add the next. Written with
 * Kysely's schema builder so the same list runs on SQLite and PostgreSQL.
 */
const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('accounts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('picture', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('identities')
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('identities_pk', ['provider', 'subject'])
        .execute();
      await db.schema.createIndex('identities_account').on('identities').column('account_id').execute();

      await db.schema
        .createTable('email_signins')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('display_name', 'text')
        .addColumn('interaction_uid', 'text', (c) => c.notNull())
        .addColumn('site_id', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('confirmed_at', 'bigint')
        .addColumn('consumed_at', 'bigint')
        .execute();
      await db.schema.createIndex('email_signins_expiry').on('email_signins').column('expires_at').execute();

      await db.schema
        .createTable('oidc_payloads')
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('grant_id', 'text')
        .addColumn('user_code', 'text')
        .addColumn('uid', 'text')
        .addColumn('expires_at', 'bigint')
        .addColumn('consumed_at', 'bigint')
        .addPrimaryKeyConstraint('oidc_payloads_pk', ['model', 'id'])
        .execute();
      await db.schema.createIndex('oidc_payloads_grant').on('oidc_payloads').column('grant_id').execute();
      await db.schema.createIndex('oidc_payloads_uid').on('oidc_payloads').columns(['model', 'uid']).execute();
      await db.schema.createIndex('oidc_payloads_expiry').on('oidc_payloads').column('expires_at').execute();

      await db.schema
        .createTable('sessions')
        .addColumn('sid', 'text', (c) => c.primaryKey())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_expiry').on('sessions').column('expires_at').execute();

      await createRateLimitsTable(db);

      await db.schema
        .createTable('dev_mail')
        .$call(sequenceKey(db, 'id'))
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('html', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('dev_mail_recipient').on('dev_mail').columns(['recipient', 'id']).execute();
    },
  },
  '0002_identity_labels': {
    // What the account page shows for a sign-in method: the address, @handle or profile name.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('identities').addColumn('label', 'text').execute();
    },
  },
  '0003_partial_oidc_indexes': {
    // Only grant artifacts carry a grant id and only sessions and interactions a uid; indexing the
    // NULLs of every other row cost an index write per save (six per sign-in) for lookups that
    // never match them.
    async up(db: Kysely<unknown>) {
      // Safe to run again: SQLite's DDL here is not in one transaction, so a crash (or a second
      // instance starting at the same moment) can leave it half done.
      await db.schema.dropIndex('oidc_payloads_grant').ifExists().execute();
      await db.schema.createIndex('oidc_payloads_grant').ifNotExists().on('oidc_payloads').column('grant_id').where('grant_id', 'is not', null).execute();
      await db.schema.dropIndex('oidc_payloads_uid').ifExists().execute();
      await db.schema.createIndex('oidc_payloads_uid').ifNotExists().on('oidc_payloads').columns(['model', 'uid']).where('uid', 'is not', null).execute();
    },
  },
  '0004_write_probe': {
    // Readiness writes here (see store/write-probe).
    up: createWriteProbeTable,
  },
  '0005_revocations': {
    // The revocation feed (store/revocations.ts): signed events, in order, kept ~20 minutes.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('revocations')
        .ifNotExists()
        .$call(sequenceKey(db, 'seq'))
        .addColumn('jti', 'text', (c) => c.notNull().unique())
        .addColumn('jwt', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0006_signing_keys': {
    // Signing keys shared by every instance (tokens/database-key-store.ts), used with DATABASE_URL.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('signing_keys')
        .ifNotExists()
        .addColumn('kid', 'text', (c) => c.primaryKey())
        .addColumn('private_jwk', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('activates_at', 'bigint')
        .addColumn('retired_at', 'bigint')
        .addColumn('origin', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0007_gateway_secret': {
    // With DATABASE_URL and no PARLEY_SESSION_SECRET (development), one root secret for every
    // instance: pairwise subjects and cookies must not depend on which instance answered.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('gateway_secret')
        .ifNotExists()
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0008_commenter_control': {
    // The commenter's account page, reply notifications and erasure (src/backchannel/protocol.ts).
    async up(db: Kysely<unknown>) {
      // Which site knows an account by which pairwise subject, recorded when a token is issued:
      // the account page's list of sites, and the way back from a (site, sub) to an address.
      await db.schema
        .createTable('account_sites')
        .addColumn('site_id', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
        .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
        // Set by an unsubscribe link or the account page: no reply notification for comments
        // posted on this site before it.
        .addColumn('replies_unsubscribed_at', 'bigint')
        .addPrimaryKeyConstraint('account_sites_pk', ['site_id', 'subject'])
        .execute();
      await db.schema.createIndex('account_sites_by_account').on('account_sites').column('account_id').execute();
      // Replies collected from comment services, waiting to be mailed (batched per account and site).
      await db.schema
        .createTable('reply_notifications')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('site_id', 'text', (c) => c.notNull())
        .addColumn('notice', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('lease_until', 'bigint')
        .addColumn('sent_at', 'bigint')
        .addColumn('last_error', 'text')
        .execute();
      await db.schema.createIndex('reply_notifications_due').on('reply_notifications').columns(['sent_at', 'next_attempt_at']).execute();
      await db.schema.createIndex('reply_notifications_by_account').on('reply_notifications').column('account_id').execute();
      // How far the gateway has read each comment service's outbox.
      await db.schema
        .createTable('backchannel_cursors')
        .addColumn('service', 'text', (c) => c.primaryKey())
        .addColumn('cursor', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      // Erasures still to be confirmed by a comment service (and, once done, their receipt).
      await db.schema
        .createTable('erasures')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('subjects', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('lease_until', 'bigint')
        .addColumn('done_at', 'bigint')
        .addColumn('last_error', 'text')
        .execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return MIGRATIONS;
  },
};
