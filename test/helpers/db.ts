import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * A second connection to a running gateway's SQLite file, for a test to look at what was left
 * behind or to move a row's clock (an expiry) without waiting.
 */
export function openGatewayDb(dataDir: string): Database.Database {
  const db = new Database(path.join(dataDir, 'gateway.sqlite'));
  db.pragma('busy_timeout = 5000');
  return db;
}

export function count(db: Database.Database, sql: string, ...params: unknown[]): number {
  return (db.prepare(sql).get(...params) as { n: number }).n;
}
