import { sql } from 'kysely';
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

/**
 * SQLite's signal: `PRAGMA data_version` on a connection changes whenever another connection has
 * committed, and stays the same for the connection's own writes (which the service invalidates
 * precisely itself). It reads one number from the database header, which costs microseconds, so
 * it can run on every request. Run on the service's only connection, it starts its own read, so
 * it sees every commit that finished before it ran.
 *
 * A PostgreSQL store (DATABASE_URL, not supported yet) has no such pragma and will supply its
 * own check with this signature, e.g. from LISTEN/NOTIFY or a change counter.
 */
export function checkSqliteOutsideWrites(db: CommentsDb, onOutsideWrite: () => void): CheckOutsideWrites {
  // Unknown at first: the first check reports a change, which costs nothing on an empty cache.
  let lastSeen: number | undefined;
  return async () => {
    const { rows } = await sql<DataVersionRow>`pragma data_version`.execute(db);
    const version = rows[0]?.data_version;
    // Without a version we cannot tell, so assume the worst.
    if (version === undefined || version !== lastSeen) {
      lastSeen = version;
      onOutsideWrite();
    }
  };
}
