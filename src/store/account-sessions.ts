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

/** One browser's sign-in to an account (an oidc-provider Session), as the account page lists it. */
export interface AccountSession {
  /** oidc-provider's session id: the value of that browser's `_session` cookie. */
  readonly id: string;
  /** When the commenter last logged in on that browser (a provider or email step). */
  readonly loggedInAt: number;
  /**
   * When the sign-in ends unless used: oidc-provider saves a session again, with a fresh
   * lifetime, at every authorization request it serves (every silent sign-in of a blog).
   */
  readonly expiresAt: number;
}

/**
 * One stored oidc-provider Session as the account page lists it; undefined when it is not
 * `accountId`'s (a prefilter matched more) or has ended. Shared by the database and Redis.
 */
export function accountSessionFrom(id: string, payloadJson: string, expiresAt: number, accountId: string, now: number): AccountSession | undefined {
  const payload = JSON.parse(payloadJson) as { accountId?: unknown; loginTs?: unknown; iat?: unknown };
  if (payload.accountId !== accountId || expiresAt <= now) return undefined;
  const loginSeconds = typeof payload.loginTs === 'number' ? payload.loginTs : typeof payload.iat === 'number' ? payload.iat : undefined;
  return loginSeconds === undefined ? undefined : { id, loggedInAt: loginSeconds * 1000, expiresAt };
}

/**
 * The browsers signed in to an account, newest sign-in first, when the database holds
 * oidc-provider's sessions (no REDIS_URL; listRedisAccountSessions otherwise). Found like
 * endAccountSessions finds them.
 */
export async function listAccountSessions(db: Db, accountId: string, now: number = Date.now()): Promise<AccountSession[]> {
  const like = `%${JSON.stringify(accountId)}%`;
  const rows = await db
    .selectFrom('oidc_payloads')
    .select(['id', 'payload', 'expires_at'])
    .where('model', '=', 'Session')
    .where((eb) => eb('payload', 'like', like))
    .execute();
  const sessions = rows.flatMap((row) => {
    const session = row.expires_at === null ? undefined : accountSessionFrom(row.id, row.payload, Number(row.expires_at), accountId, now);
    return session ? [session] : [];
  });
  return sessions.sort((a, b) => b.loggedInAt - a.loggedInAt);
}
