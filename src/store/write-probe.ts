import { sql, type Kysely } from 'kysely';

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
 * - It runs on the service's own connection with a short busy timeout of its own, restored after.
 *   `pragma busy_timeout` is SQLite's; a PostgreSQL store (DATABASE_URL, not supported yet) will
 *   say `SET LOCAL lock_timeout` instead.
 */
export async function probeWrites<Schema>(db: Kysely<Schema>, now: number = Date.now()): Promise<void> {
  await db.connection().execute(async (connection) => {
    const [previous] = (await sql<{ timeout: number }>`pragma busy_timeout`.execute(connection)).rows;
    await sql.raw(`pragma busy_timeout = ${WRITE_PROBE_BUSY_TIMEOUT_MS}`).execute(connection);
    try {
      await sql`insert into write_probe (id, probed_at) values (1, ${now})
        on conflict (id) do update set probed_at = excluded.probed_at`.execute(connection);
    } finally {
      await sql.raw(`pragma busy_timeout = ${Number(previous?.timeout ?? 0)}`).execute(connection);
    }
  });
}
