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
export type CheckOutsideWrites = (siteId: string, postId: string) => Promise<void>;

/** What a check drops when it sees a change: the thread cache's entries. */
export interface OutsideWriteListener {
  /** Everything may have changed (SQLite tells only that the file changed). */
  invalidateAll(): void;
  /** This post's thread changed. */
  invalidatePost(siteId: string, postId: string): void;
}

interface DataVersionRow {
  readonly data_version: number;
}

/** The check for the database the service runs on, before answering for one post's thread. */
export function checkOutsideWrites(db: CommentsDb, listener: OutsideWriteListener): CheckOutsideWrites {
  return isPostgres(db) ? checkPostgresThreadVersions(db, listener) : checkSqliteOutsideWrites(db, () => listener.invalidateAll());
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
export function checkSqliteOutsideWrites(db: CommentsDb, onOutsideWrite: () => void): () => Promise<void> {
  // Unknown at first: the first check reports a change, which costs nothing on an empty cache.
  const seen = onNewVersion(onOutsideWrite);
  return async () => {
    const { rows } = await sql<DataVersionRow>`pragma data_version`.execute(db);
    seen(rows[0]?.data_version);
  };
}

/**
 * How many threads' versions an instance remembers. Forgetting one drops its cached body too (an
 * unknown version cannot vouch for it), so this bounds memory without ever serving a stale thread.
 */
export const REMEMBERED_THREAD_VERSIONS = 100_000;

/**
 * PostgreSQL's: every instance and command shares the database, so every committed change to a
 * thread's comments raises that thread's counter (a row trigger, migration 0004), read before each
 * answer (one row by primary key). A counter per thread, not one for the whole database: a
 * writing transaction holds its counter's row until it ends, so only writes to the same thread
 * wait for each other. It rises for this instance's own writes too, which costs one re-read of
 * the thread; it never lets a stale one through. It becomes visible with the commit that raised it.
 */
function checkPostgresThreadVersions(db: CommentsDb, listener: OutsideWriteListener): CheckOutsideWrites {
  /** Last version seen per thread, least recently checked first. */
  const seen = new Map<string, number>();
  return async (siteId, postId) => {
    const { rows } = await sql<{ version: number }>`select version from thread_versions where site_id = ${siteId} and post_id = ${postId}`.execute(db);
    // A thread nobody has written to has no row yet: version 0.
    const version = rows[0]?.version ?? 0;
    const key = `${siteId} ${postId}`;
    const last = seen.get(key);
    seen.delete(key);
    seen.set(key, version);
    if (last !== version) listener.invalidatePost(siteId, postId);
    if (seen.size > REMEMBERED_THREAD_VERSIONS) {
      const [oldest] = seen.keys();
      seen.delete(oldest!);
      const [forgottenSite, forgottenPost] = oldest!.split(' ') as [string, string];
      listener.invalidatePost(forgottenSite, forgottenPost);
    }
  };
}
