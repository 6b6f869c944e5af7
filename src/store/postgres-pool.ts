import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/** The message of pg's client-side timeout (`query_timeout`). */
const READ_TIMEOUT_MESSAGE = 'Query read timeout';

/**
 * The pool Kysely sees: pg's pool, except that a connection that breaks while in use cannot end
 * the process, and one on which a statement timed out on the client side is closed instead of
 * being handed to the next request.
 *
 * pg's `query_timeout` fails the statement but leaves the connection waiting for the server's
 * answer, and pg's pool takes it back as healthy. If the server never answers (a network that
 * drops everything), every later request queues behind that wait on the same connection; with the
 * whole pool stuck like this the instance would never recover by itself. Discarding the
 * connection makes the pool open a fresh one once the database can be reached again.
 */
export function discardingTimedOutConnections(pool: pg.Pool): PostgresPool {
  const listened = new WeakSet<pg.PoolClient>();
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      // pg's pool listens for a connection's errors only while it is idle. One that breaks while
      // a request holds it (the server stops in the middle of a transaction) emits 'error', which
      // without a listener ends the process. The request's own query fails with the reason.
      if (!listened.has(client)) {
        listened.add(client);
        client.on('error', () => undefined);
      }
      let timedOut = false;
      const watch = <T>(result: T): T => {
        if (result instanceof Promise) {
          result.catch((error: unknown) => {
            if (error instanceof Error && error.message === READ_TIMEOUT_MESSAGE) timedOut = true;
          });
        }
        return result;
      };
      return {
        query: ((...args: Parameters<pg.PoolClient['query']>) => watch((client.query as (...a: unknown[]) => unknown)(...args))) as PostgresPoolClient['query'],
        release(destroy?: boolean) {
          client.release(destroy === true || timedOut);
        },
      };
    },
    end: () => pool.end(),
  };
}
