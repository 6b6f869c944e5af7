import session from 'express-session';
import type { Db } from './database';

const DEFAULT_SESSION_TTL_MS = 24 * 60 * 60 * 1000;

/** When a saved session ends: its cookie's expiry, or a day from now for a cookie without one. */
export function sessionExpiry(data: session.SessionData, now: number): number {
  const expires = data.cookie?.expires;
  return expires ? new Date(expires).getTime() : now + DEFAULT_SESSION_TTL_MS;
}

/**
 * express-session's store on our database, so upstream handshake state (OAuth request tokens,
 * state, pending email sign-ins) survives a restart and is shared by every gateway instance.
 *
 * It has no `touch` on purpose: sessions are not rolling, so the browser's cookie keeps the expiry
 * of the last save and extending the row on every read would only cost a write per request (two
 * per email sign-in) for a session the browser has already let go. One case would break this:
 * code that calls `req.session.save()` itself and then changes nothing more gets a refreshed
 * cookie at the end of the request but no new row expiry. No route does; one that does must
 * bring `touch` back.
 */
export class DatabaseSessionStore extends session.Store {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  override get(sid: string, callback: (error: unknown, data?: session.SessionData | null) => void): void {
    this.db
      .selectFrom('sessions')
      .select(['data', 'expires_at'])
      .where('sid', '=', sid)
      .executeTakeFirst()
      .then((row) => {
        if (!row || row.expires_at <= this.now()) return callback(null, null);
        return callback(null, JSON.parse(row.data) as session.SessionData);
      }, callback);
  }

  override set(sid: string, data: session.SessionData, callback?: (error?: unknown) => void): void {
    const row = { sid, data: JSON.stringify(data), expires_at: sessionExpiry(data, this.now()) };
    this.db
      .insertInto('sessions')
      .values(row)
      .onConflict((oc) => oc.column('sid').doUpdateSet({ data: row.data, expires_at: row.expires_at }))
      .execute()
      .then(() => callback?.(), (error: unknown) => callback?.(error));
  }

  override destroy(sid: string, callback?: (error?: unknown) => void): void {
    this.db
      .deleteFrom('sessions')
      .where('sid', '=', sid)
      .execute()
      .then(() => callback?.(), (error: unknown) => callback?.(error));
  }

  /** Deletes expired sessions; called periodically. */
  async sweep(): Promise<void> {
    await this.db.deleteFrom('sessions').where('expires_at', '<=', this.now()).execute();
  }
}
