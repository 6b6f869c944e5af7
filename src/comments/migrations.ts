import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { createRateLimitsTable } from '../store/migrations';
import { isPostgres } from '../store/postgres';
import { sequenceKey } from '../store/sequence-key';
import { createWriteProbeTable } from '../store/write-probe';

/**
 * The comment service's versioned migrations, in order. Never edit one that has shipped: add the
 * next. Written with Kysely's schema builder so the same list runs on SQLite and PostgreSQL.
 */
const MIGRATIONS: Record<string, Migration> = {
  '0001_comments': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('comments')
        .$call(sequenceKey(db, 'seq'))
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('site_id', 'text', (c) => c.notNull())
        .addColumn('post_id', 'text', (c) => c.notNull())
        .addColumn('parent_id', 'text', (c) => c.references('comments.id'))
        .addColumn('author_sub', 'text', (c) => c.notNull())
        .addColumn('author_name', 'text', (c) => c.notNull())
        .addColumn('author_picture', 'text')
        .addColumn('author_idp', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('hidden_at', 'bigint')
        .addColumn('deleted_at', 'bigint')
        .execute();
      await db.schema.createIndex('comments_thread').on('comments').columns(['site_id', 'post_id', 'seq']).execute();
      await db.schema
        .createIndex('comments_by_author')
        .on('comments')
        .columns(['site_id', 'author_sub', 'post_id', 'created_at'])
        .execute();

      await db.schema
        .createTable('bans')
        .addColumn('site_id', 'text', (c) => c.notNull())
        .addColumn('sub', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('bans_pk', ['site_id', 'sub'])
        .execute();

      await db.schema
        .createTable('idempotency_keys')
        .addColumn('site_id', 'text', (c) => c.notNull())
        .addColumn('sub', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('request_hash', 'text', (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('response', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['site_id', 'sub', 'key'])
        .execute();
      await db.schema.createIndex('idempotency_keys_age').on('idempotency_keys').column('created_at').execute();

      await createRateLimitsTable(db);
    },
  },
  '0002_write_probe': {
    // Readiness writes here (see store/write-probe).
    up: createWriteProbeTable,
  },
  '0003_change_counter': {
    // PostgreSQL only: a number every committed change to `comments` raises, so an instance sees
    // another's writes before its next answer (outside-writes.ts). SQLite has `data_version`.
    async up(db: Kysely<unknown>) {
      if (!isPostgres(db)) return;
      await sql`create table comment_changes (id integer primary key, version bigint not null)`.execute(db);
      await sql`insert into comment_changes (id, version) values (1, 0)`.execute(db);
      // Raised inside the writing transaction, so it becomes visible with the write, never before.
      await sql`create function count_comment_change() returns trigger language plpgsql as $$
        begin update comment_changes set version = version + 1 where id = 1; return null; end $$`.execute(db);
      await sql`create trigger comments_changed after insert or update or delete on comments
        for each statement execute function count_comment_change()`.execute(db);
    },
  },
  '0004_thread_versions': {
    // PostgreSQL only: 0003's one counter made every comment write in the cluster wait for every
    // other one under way (its row stays locked until the writing transaction ends), so a burst
    // of comments on different posts queued behind each other, and one transaction left open
    // stopped every comment everywhere. A counter per thread (site, post) keeps what a reader
    // needs (its thread changed) and makes only writes to the same thread wait for each other.
    async up(db: Kysely<unknown>) {
      if (!isPostgres(db)) return;
      await sql`drop trigger comments_changed on comments`.execute(db);
      await sql`drop function count_comment_change()`.execute(db);
      await sql`drop table comment_changes`.execute(db);
      await sql`create table thread_versions (
        site_id text not null, post_id text not null, version bigint not null, primary key (site_id, post_id))`.execute(db);
      // `set search_path from current`: the function finds thread_versions in this schema whatever
      // the writer's search_path (the service's pool, the moderation commands, an operator's psql).
      await sql`create function count_thread_change() returns trigger language plpgsql set search_path from current as $$
        declare
          changed comments%rowtype;
        begin
          if tg_op = 'DELETE' then changed := old; else changed := new; end if;
          insert into thread_versions (site_id, post_id, version) values (changed.site_id, changed.post_id, 1)
            on conflict (site_id, post_id) do update set version = thread_versions.version + 1;
          if tg_op = 'UPDATE' and (old.site_id, old.post_id) is distinct from (new.site_id, new.post_id) then
            insert into thread_versions (site_id, post_id, version) values (old.site_id, old.post_id, 1)
              on conflict (site_id, post_id) do update set version = thread_versions.version + 1;
          end if;
          return null;
        end $$`.execute(db);
      await sql`create trigger thread_changed after insert or update or delete on comments
        for each row execute function count_thread_change()`.execute(db);
    },
  },
  '0005_dpop_proofs': {
    // The DPoP replay cache (dpop-replay-store.ts): one row per proof used, swept once expired.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('dpop_proofs')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('dpop_proofs_expiry').on('dpop_proofs').column('expires_at').execute();
    },
  },
  '0006_moderation': {
    // The moderation page (docs/moderation.md): pre-moderation's held comments, the post author's
    // mark, the log of every action, and the newest-first listing of a whole site.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('comments').addColumn('pending_at', 'bigint').execute();
      await db.schema.alterTable('comments').addColumn('by_author', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.createIndex('comments_by_site').on('comments').columns(['site_id', 'seq']).execute();
      await db.schema
        .createTable('moderation_actions')
        .$call(sequenceKey(db, 'seq'))
        .addColumn('site_id', 'text', (c) => c.notNull())
        .addColumn('moderator_sub', 'text', (c) => c.notNull())
        .addColumn('moderator_name', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('moderation_actions_by_site').on('moderation_actions').columns(['site_id', 'seq']).execute();
    },
  },
  '0007_edited_at': {
    // Commenters edit their own comments for a while after posting (own-comments.ts); the thread
    // says when. PostgreSQL's thread_versions trigger already fires on the update.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('comments').addColumn('edited_at', 'bigint').execute();
    },
  },
  '0008_guest_comments': {
    // Comments without sign-in (guest-comments.ts): the guest's website, shown as a link, and a
    // digest of their email address, never served (what it is for: guest-comments.ts).
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('comments').addColumn('author_website', 'text').execute();
      await db.schema.alterTable('comments').addColumn('author_email_hash', 'text').execute();
    },
  },
  '0009_commenter_control': {
    // Reply notifications and a commenter's export and erasure (src/backchannel/protocol.ts):
    // whether a comment's author asked to hear about replies, the blog page it was posted from
    // (for the link in the email), and the outbox of replies the gateway collects.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('comments').addColumn('notify_replies', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('comments').addColumn('page_url', 'text').execute();
      // A commenter's comments (export, erasure) are found by 0001's comments_by_author.
      await db.schema
        .createTable('reply_notices')
        .$call(sequenceKey(db, 'seq'))
        .addColumn('site_id', 'text', (c) => c.notNull())
        .addColumn('recipient_sub', 'text', (c) => c.notNull())
        .addColumn('parent_id', 'text', (c) => c.notNull())
        .addColumn('reply_id', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
};

export const commentsMigrations: MigrationProvider = {
  async getMigrations() {
    return MIGRATIONS;
  },
};
