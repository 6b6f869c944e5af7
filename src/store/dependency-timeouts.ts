/**
 * How long a serving instance waits for PostgreSQL or Redis before it gives up on one call.
 *
 * A dependency that is down, unreachable or slow must turn into a clean 503 with Retry-After
 * within 2 seconds (never a request that hangs until the reader gives up), and the instance must
 * recover by itself when the dependency answers again. Every bound here is below 2 s with room for
 * the request's own work; a request that meets a timeout fails as a whole, and the error handlers
 * of both services answer 503 with Retry-After for any failure that is not the client's.
 */
export const DEPENDENCY_TIMEOUTS = {
  /** Opening a connection (TCP, TLS and the start-up exchange). */
  connectMs: 1_000,
  /**
   * Waiting for a free pooled PostgreSQL connection when all are busy. That is load more often
   * than failure (a burst of sign-ins on a busy instance), so it gets the whole 2 s: a dependency
   * that is down fails the connection itself within connectMs anyway.
   */
  poolWaitMs: 2_000,
  /** One PostgreSQL statement, enforced by the server (statement_timeout): it cancels and answers. */
  statementMs: 1_200,
  /**
   * One PostgreSQL statement as seen by the client: the bound when the server cannot even say it
   * gave up (a network that drops everything). The connection is discarded afterwards.
   */
  queryMs: 1_500,
  /** One Redis command, queued while reconnecting or sent. */
  redisCommandMs: 1_000,
  /**
   * A transaction left open by a client that vanished (a killed instance, a lost network) holds
   * its locks until PostgreSQL notices; this ends it sooner.
   */
  idleInTransactionMs: 10_000,
} as const;
