import session from 'express-session';
import type { Redis } from 'ioredis';

const DEFAULT_SESSION_TTL_MS = 24 * 60 * 60 * 1000;

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
    const ttlMs = this.expiry(data) - this.now();
    const saved = ttlMs > 0 ? this.redis.set(key(sid), JSON.stringify(data), 'PX', ttlMs) : this.redis.del(key(sid));
    saved.then(() => callback?.(), (error: unknown) => callback?.(error));
  }

  override destroy(sid: string, callback?: (error?: unknown) => void): void {
    this.redis.del(key(sid)).then(() => callback?.(), (error: unknown) => callback?.(error));
  }

  /** Redis expires sessions itself. */
  async sweep(): Promise<void> {}

  private expiry(data: session.SessionData): number {
    const expires = data.cookie?.expires;
    return expires ? new Date(expires).getTime() : this.now() + DEFAULT_SESSION_TTL_MS;
  }
}

function key(sid: string): string {
  return `session:${sid}`;
}
