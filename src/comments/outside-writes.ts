import { sql } from 'kysely';
import { isPostgres } from '../store/postgres';
import type { CommentsDb } from './database';

/**
 * Noticing that another process has written the comment database. The moderation commands
 * (`parley comments hide|unhide|delete|ban ...`) open the same file on their own connection, and
 * whatever the service keeps in memory about the database (thread-cache.ts) must be dropped
 * before the service's next answer, as it promises (moderation.ts).
 *
 * A check resolves once it has looked; when it saw a change it has already called
 * `onOutsideWrite`, synchronously with seeing it. That matters: had it returned a flag for the
 * caller to act on later, another request could look in between, see nothing new (the version
 * is already remembered) and serve from a cache that had not been dropped yet.
 */
export type CheckOutsideWrites = () => Promise<void>;

interface DataVersionRow {
  readonly data_version: number;
}

/** The check for the database the service runs on. */
export function checkOutsideWrites(db: CommentsDb, onOutsideWrite: () => void): CheckOutsideWrites {
  return isPostgres(db) ? checkPostgresOutsideWrites(db, onOutsideWrite) : checkSqliteOutsideWrites(db, onOutsideWrite);
}

/** Calls `onChange` when `version` differs from the one seen last (always, at first). */
function onNewVersion(onChange: () => void): (version: number | undefined) => void {
  let lastSeen: number | undefined;
  return (version) => {
    // Without a version we cannot tell, so assume the worst.
    if (version === undefined || version !== lastSeen) {
      lastSeen = version;
      onChange();
    }
  };
}

/**
 * SQLite's signal: `PRAGMA data_version` on a connection changes whenever another connection has
 * committed, and stays the same for the connection's own writes (which the service invalidates
 * precisely itself). It reads one number from the database header, which costs microseconds, so
 * it can run on every request. Run on the service's only connection, it starts its own read, so
 * it sees every commit that finished before it ran.

 */
export function checkSqliteOutsideWrites(db: CommentsDb, onOutsideWrite: () => void): CheckOutsideWrites {
  // Unknown at first: the first check reports a change, which costs nothing on an empty cache.
  const seen = onNewVersion(onOutsideWrite);
  return async () => {
    const { rows } = await sql<DataVersionRow>`pragma data_version`.execute(db);
    seen(rows[0]?.data_version);
  };
}

/**
 * PostgreSQL's: every instance and command shares the database, so every committed change to
 * `comments` raises one counter (a statement trigger, migration 0003), read on every request
 * (one indexed row). It rises for this instance's own writes too, which costs one re-read of a
 * thread; it never lets a stale one through. It becomes visible with the commit that raised it.
 */
function checkPostgresOutsideWrites(db: CommentsDb, onOutsideWrite: () => void): CheckOutsideWrites {
  const seen = onNewVersion(onOutsideWrite);
  return async () => {
    const { rows } = await sql<{ version: number }>`select version from comment_changes where id = 1`.execute(db);
    seen(rows[0]?.version);
  };
}
