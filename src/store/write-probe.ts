import { sql, type Kysely } from 'kysely';
import { isPostgres } from './postgres';

/**
 * How long the probe waits for another writer's lock. Far below the connection's own busy timeout
 * (5 s): a stuck lock must turn readiness to 503 at once rather than hang the check, and
 * better-sqlite3 waits synchronously, holding up every other request of the process meanwhile.
 */
export const WRITE_PROBE_BUSY_TIMEOUT_MS = 200;

/** The one-row table the probe writes; every service database has it (gateway, comments). */
export async function createWriteProbeTable(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('write_probe')
    .ifNotExists()
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('probed_at', 'bigint', (c) => c.notNull())
    .execute();
}

/**
 * Resolves when the database can take a write now; rejects with the database's reason otherwise.
 *
 * - A read (`select 1`) succeeds on a database that cannot take a single comment or sign-in: a
 *   lock another process holds, a read-only file, a full disk. So the probe writes: one row,
 *   upserted in its own transaction (one statement), cheap enough to run on every check.
 * - It runs with a short lock timeout of its own: on SQLite the service's own connection's busy
 *   timeout, restored after; on PostgreSQL `set local lock_timeout`, which ends with its
 *   transaction.
 */
export async function probeWrites<Schema>(db: Kysely<Schema>, now: number = Date.now()): Promise<void> {
  const upsert = sql`insert into write_probe (id, probed_at) values (1, ${now})
    on conflict (id) do update set probed_at = excluded.probed_at`;
  if (isPostgres(db)) {
    await db.transaction().execute(async (trx) => {
      await sql.raw(`set local lock_timeout = ${WRITE_PROBE_BUSY_TIMEOUT_MS}`).execute(trx);
      await upsert.execute(trx);
    });
    return;
  }
  await db.connection().execute(async (connection) => {
    const [previous] = (await sql<{ timeout: number }>`pragma busy_timeout`.execute(connection)).rows;
    await sql.raw(`pragma busy_timeout = ${WRITE_PROBE_BUSY_TIMEOUT_MS}`).execute(connection);
    try {
      await upsert.execute(connection);
    } finally {
      await sql.raw(`pragma busy_timeout = ${Number(previous?.timeout ?? 0)}`).execute(connection);
    }
  });
}
