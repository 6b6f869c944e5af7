import session from 'express-session';
import type { Redis } from 'ioredis';
import type { EndSessionsOptions } from './account-sessions';
import { addToIndex } from './redis-index';
import { sessionExpiry } from './session-store';

/**
 * express-session's store in Redis (REDIS_URL): the page sessions every gateway instance reads
 * (upstream handshakes, pending email sign-ins, the account page's login), one key per session
 * that Redis drops when the cookie expires. Like DatabaseSessionStore it has no `touch`: sessions
 * are not rolling (see session-store.ts).
 */
export class RedisSessionStore extends session.Store {
  constructor(
    private readonly redis: Redis,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  override get(sid: string, callback: (error: unknown, data?: session.SessionData | null) => void): void {
    this.redis.get(key(sid)).then((value) => callback(null, value === null ? null : (JSON.parse(value) as session.SessionData)), callback);
  }

  override set(sid: string, data: session.SessionData, callback?: (error?: unknown) => void): void {
    const ttlMs = sessionExpiry(data, this.now()) - this.now();
    const account = (data as { passport?: { user?: unknown } }).passport?.user;
    const saved =
      ttlMs <= 0
        ? this.redis.del(key(sid))
        : typeof account === 'string'
          ? // Indexed by account, so "sign out everywhere" finds the sessions of one account.
            addToIndex(this.redis.multi().set(key(sid), JSON.stringify(data), 'PX', ttlMs), accountKey(account), sid, ttlMs).exec()
          : this.redis.set(key(sid), JSON.stringify(data), 'PX', ttlMs);
    saved.then(() => callback?.(), (error: unknown) => callback?.(error));
  }

  /** Ends every page session logged in to `accountId`; answers how many there were. */
  async endAccountSessions(accountId: string, options: EndSessionsOptions = {}): Promise<number> {
    const sids = (await this.redis.smembers(accountKey(accountId))).filter((sid) => sid !== options.keepPageSession);
    if (sids.length === 0) return 0;
    await this.redis.multi().del(...sids.map(key)).srem(accountKey(accountId), ...sids).exec();
    return sids.length;
  }

  override destroy(sid: string, callback?: (error?: unknown) => void): void {
    this.redis.del(key(sid)).then(() => callback?.(), (error: unknown) => callback?.(error));
  }

  /** Redis expires sessions itself. */
  async sweep(): Promise<void> {}
}

function key(sid: string): string {
  return `session:${sid}`;
}

function accountKey(accountId: string): string {
  return `account-sessions:${accountId}`;
}
