import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type MigrationProvider } from 'kysely';
import { migrationProvider as gatewayMigrations } from './migrations';
import { openPostgres } from './postgres';
import type { Database } from './schema';

/** The gateway's database. */
export type Db = Kysely<Database>;

export interface OpenDatabaseOptions {
  readonly dataDir: string;
  /** File name under dataDir; each service keeps its own file so they never contend for locks. */
  readonly fileName: string;
  /** PostgreSQL instead of the file: the service's tables in a schema named after the file. */
  readonly databaseUrl?: string | undefined;
  /** Connections per process in the PostgreSQL pool. */
  readonly databasePoolMax?: number | undefined;
  /** The schema's versioned migrations; the gateway's by default. */
  readonly migrations?: MigrationProvider;
}

/** Connections per process when not configured: enough for a busy instance on 2 cores. */
export const DEFAULT_DATABASE_POOL_MAX = 10;

/**
 * Opens a service's database and brings its schema up to date: PostgreSQL when `databaseUrl` is
 * set (DATABASE_URL: every instance shares it), else SQLite under the data directory.
 */
export async function openDatabase<Schema = Database>(options: OpenDatabaseOptions): Promise<Kysely<Schema>> {
  const migrations = options.migrations ?? gatewayMigrations;
  if (options.databaseUrl === undefined) {
    const db = openSqlite<Schema>(options);
    try {
      await migrate(db, migrations);
    } catch (error) {
      await db.destroy();
      throw error;
    }
    return db;
  }
  const schema = schemaFor(options.fileName);
  // Migrations run on a connection of their own, without the serving pool's bounds: they may wait
  // for another instance's migration lock or build an index for longer than a request may take.
  const migrating = await openPostgres<Schema>({ url: options.databaseUrl, schema, poolMax: 1, boundStatements: false });
  try {
    // Named, or Kysely takes another service's migration tables (any schema) for this one's.
    await migrate(migrating, migrations, schema);
  } finally {
    await migrating.destroy();
  }
  return openPostgres<Schema>({ url: options.databaseUrl, schema, poolMax: options.databasePoolMax ?? DEFAULT_DATABASE_POOL_MAX, boundStatements: true });
}

/** `gateway.sqlite` → `parley_gateway`: each service's tables in a schema of their own. */
export function schemaFor(fileName: string): string {
  return `parley_${path.basename(fileName, path.extname(fileName)).replace(/[^a-z0-9_]/gi, '_').toLowerCase()}`;
}

/** SQLite under the data directory; WAL lets readers run while one writer commits. */
function openSqlite<Schema>(options: OpenDatabaseOptions): Kysely<Schema> {
  fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(options.dataDir, options.fileName);
  const sqlite = new SqliteDatabase(file);
  // Sessions and pending sign-ins live here: owner-only, like the keys.
  fs.chmodSync(file, 0o600);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  return new Kysely<Schema>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
}

/**
 * Runs the migrations not yet applied. Two instances starting at once are safe: on PostgreSQL
 * Kysely's migrator holds an advisory lock and applies them in one transaction; on SQLite the
 * migration transaction takes the write lock.
 */
async function migrate<Schema>(db: Kysely<Schema>, provider: MigrationProvider, migrationTableSchema?: string): Promise<void> {
  const migrator = new Migrator({ db, provider, ...(migrationTableSchema === undefined ? {} : { migrationTableSchema }) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Every transaction Parley opens writes, so it takes the write lock when it begins (Kysely's
 * SQLite driver says plain `begin`, which is DEFERRED). A deferred transaction that reads first
 * and writes later cannot wait for another process's commit in between: SQLite refuses the
 * upgrade at once (SQLITE_BUSY, no busy handler), and a commenter got a 503 whenever the
 * moderation commands or a second instance wrote at that moment. IMMEDIATE waits its turn
 * under busy_timeout instead.
 */
const BEGIN_WRITE_TRANSACTION = 'begin immediate';

/** How many distinct SQL texts keep a prepared statement; Parley issues a few dozen. */
const STATEMENT_CACHE_SIZE = 200;

/**
 * Kysely prepares every query anew, and preparing is a large share of a small query's cost.
 * Queries are built from fixed shapes with bound values, so the SQL texts repeat: keep their
 * prepared statements (better-sqlite3 statements are reusable once a previous run is done, which
 * is always the case on its synchronous connection). Transactions begin IMMEDIATE (see above).
 */
function withStatementCache(sqlite: SqliteDatabase.Database): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  const prepare = sqlite.prepare.bind(sqlite);
  return new Proxy(sqlite, {
    get(target, property, receiver) {
      if (property !== 'prepare') {
        const value: unknown = Reflect.get(target, property, receiver);
        // Native methods must run on the real database object, not on the proxy.
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (requested: string) => {
        const source = requested === 'begin' ? BEGIN_WRITE_TRANSACTION : requested;
        let statement = cache.get(source);
        if (!statement) {
          if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
          statement = prepare(source);
          cache.set(source, statement);
        }
        return statement;
      };
    },
  });
}
