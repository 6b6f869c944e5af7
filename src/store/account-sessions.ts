import type { Db } from './database';

export interface EndSessionsOptions {
  /**
   * A page session (express-session id) to leave signed in: the browser that asked, when what it
   * did (removing a sign-in method) must sign out every other browser but not the one asking.
   */
  readonly keepPageSession?: string;
}

/**
 * Ends every sign-in of an account in every browser, when the database holds them (no REDIS_URL):
 * oidc-provider's sessions (which sign the commenter in silently at the next authorization
 * request) and the gateway's own page sessions (the account page). With REDIS_URL both are in
 * Redis instead: see endRedisAccountSessions (redis-oidc-adapter.ts) and RedisSessionStore.
 * Rows are found by a text match on their JSON, then checked exactly.
 */
export async function endAccountSessions(db: Db, accountId: string, options: EndSessionsOptions = {}): Promise<number> {
  // A prefilter only (LIKE's _ and % may match more): every row is checked exactly below.
  const like = `%${JSON.stringify(accountId)}%`;
  const oidcSessions = await db
    .selectFrom('oidc_payloads')
    .select(['id', 'payload'])
    .where('model', '=', 'Session')
    .where((eb) => eb('payload', 'like', like))
    .execute();
  const oidcIds = oidcSessions.filter((row) => (JSON.parse(row.payload) as { accountId?: unknown }).accountId === accountId).map((row) => row.id);
  if (oidcIds.length > 0) await db.deleteFrom('oidc_payloads').where('model', '=', 'Session').where('id', 'in', oidcIds).execute();

  const pageSessions = await db.selectFrom('sessions').select(['sid', 'data']).where('data', 'like', like).execute();
  const pageIds = pageSessions
    .filter((row) => row.sid !== options.keepPageSession && (JSON.parse(row.data) as { passport?: { user?: unknown } }).passport?.user === accountId)
    .map((row) => row.sid);
  if (pageIds.length > 0) await db.deleteFrom('sessions').where('sid', 'in', pageIds).execute();
  return oidcIds.length + pageIds.length;
}
