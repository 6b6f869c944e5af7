import { Kysely, PostgresAdapter, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { ConfigError } from '../config/errors';
import { DEPENDENCY_TIMEOUTS } from './dependency-timeouts';
import { discardingTimedOutConnections } from './postgres-pool';

/**
 * PostgreSQL (DATABASE_URL), the scale-out store: every instance of every service shares it.
 *
 * The driver is `pg` (node-postgres) with its pool: the driver Kysely's PostgresDialect is built
 * for, pure JavaScript (nothing to compile, unlike the native bindings), and the most used one, so
 * its failure modes are known. One pool per service process; `PARLEY_DATABASE_POOL_MAX` sizes it.
 *
 * - Each service keeps its tables in its own schema (`parley_gateway`, `parley_comments`) through
 *   the connection's search_path, so the queries are the ones SQLite runs, and the two services'
 *   tables of the same name (`rate_limits`, `write_probe`, the migrations table) never meet.
 * - `bigint` columns hold epoch milliseconds and sequence numbers, all below 2^53: they come back
 *   as numbers, as SQLite returns them, not as the strings `pg` gives by default. `count(*)` too.
 */

/** Type OID of int8 (bigint, bigserial, count(*)). */
const INT8_OID = 20;

export interface PostgresOptions {
  readonly url: string;
  /** The schema this service's tables live in. */
  readonly schema: string;
  readonly poolMax: number;
  /**
   * True for the pool that serves requests: every statement is bounded (DEPENDENCY_TIMEOUTS), so
   * a database that is down or slow fails a request quickly instead of hanging it. False for the
   * start-up work (migrations, which may wait for another instance's lock or build an index).
   */
  readonly boundStatements: boolean;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;

function parseInt8(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new Error(`bigint ${value} is beyond what Parley stores`);
  return parsed;
}

const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** A connection that gives up opening after DEPENDENCY_TIMEOUTS.connectMs, whatever the pool waits. */
class BoundedConnectClient extends pg.Client {
  // The pool always passes its options; the type pg's Pool expects has an optional argument.
  constructor(config: pg.ClientConfig = {}) {
    super({ ...config, connectionTimeoutMillis: DEPENDENCY_TIMEOUTS.connectMs });
  }
}

/** Settings every connection takes at start-up (libpq's `options`): its schema, and its bounds. */
function connectionOptions(options: PostgresOptions): string {
  const settings = [`search_path=${options.schema}`];
  if (options.boundStatements) {
    settings.push(`statement_timeout=${DEPENDENCY_TIMEOUTS.statementMs}`, `idle_in_transaction_session_timeout=${DEPENDENCY_TIMEOUTS.idleInTransactionMs}`);
  }
  return settings.map((setting) => `-c ${setting}`).join(' ');
}

/** A Kysely on a pool whose connections see only `schema`; the schema is made if missing. */
export async function openPostgres<Schema>(options: PostgresOptions): Promise<Kysely<Schema>> {
  if (!SCHEMA_NAME.test(options.schema)) throw new Error(`"${options.schema}" is not a schema name`);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax,
    types,
    // The pool's connections must name their schema (and their bounds) before their first query.
    options: connectionOptions(options),
    // A database that does not answer is a failed request (503 with a retry), not a hung one. The
    // pool's own setting bounds both the wait for a free connection and the opening of a new one;
    // its connections get the shorter bound for opening (boundedConnect).
    connectionTimeoutMillis: DEPENDENCY_TIMEOUTS.poolWaitMs,
    Client: BoundedConnectClient,
    ...(options.boundStatements ? { query_timeout: DEPENDENCY_TIMEOUTS.queryMs } : {}),
    // Dead peers (a crashed host, a dropped NAT entry) are noticed by TCP, not only at the next query.
    keepAlive: true,
    idleTimeoutMillis: 30_000,
  });
  // An idle connection the server dropped (a restart, a failover) must not crash the process:
  // the pool replaces it, and the next query that fails says why.
  pool.on('error', () => undefined);
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool: discardingTimedOutConnections(pool) }) });
  try {
    await createSchema(db, options.schema);
  } catch (error) {
    await db.destroy();
    throw new ConfigError('DATABASE_URL', `PostgreSQL cannot be used: ${(error as Error).message || (error as { code?: string }).code || 'no answer'}`);
  }
  return db;
}

/** Code of a unique violation: two instances made the same schema at the same moment. */
const UNIQUE_VIOLATION = '23505';

async function createSchema<Schema>(db: Kysely<Schema>, schema: string): Promise<void> {
  try {
    await sql.raw(`create schema if not exists ${schema}`).execute(db);
  } catch (error) {
    // `if not exists` checks, then creates: a second instance starting at once can lose the race.
    if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
  }
}

/**
 * On PostgreSQL, waits for and takes a lock on `name` until the transaction `trx` ends (an
 * advisory lock on a 64-bit hash of the name); on SQLite a transaction is alone already.
 */
export async function lockForTransaction<Schema>(trx: Kysely<Schema>, name: string): Promise<void> {
  if (isPostgres(trx)) await sql`select pg_advisory_xact_lock(hashtextextended(${name}, 0))`.execute(trx);
}

/** True when `db` runs on PostgreSQL: where SQLite and PostgreSQL need different SQL. */
export function isPostgres<Schema>(db: Kysely<Schema>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
