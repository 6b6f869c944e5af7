import type session from 'express-session';
import type { Settings } from '../config/settings';
import { endAccountSessions } from '../store/account-sessions';
import { openDatabase, type Db } from '../store/database';
import { RateLimiter, type RateLimits } from '../store/rate-limits';
import { openRedis, type RedisClient } from '../store/redis';
import { RedisRateLimiter } from '../store/redis-rate-limits';
import { RedisSessionStore } from '../store/redis-session-store';
import { DatabaseSessionStore } from '../store/session-store';
import type { KeyStore } from '../tokens/key-store';
import { GATEWAY_DB_FILE, keyStoreFor } from '../tokens/open-key-store';
import { gatewaySecretsFor, type GatewaySecrets } from './secrets';

/**
 * Where the gateway keeps its state, chosen by the settings:
 *
 * | state                                   | embedded (default)        | DATABASE_URL            | + REDIS_URL |
 * |-----------------------------------------|---------------------------|-------------------------|-------------|
 * | accounts, sign-ins, oidc models, feed   | SQLite under the data dir | PostgreSQL              | PostgreSQL  |
 * | signing keys                            | files under the data dir  | PostgreSQL, encrypted   | PostgreSQL  |
 * | root secret (without the configured one)| a file under the data dir | PostgreSQL              | PostgreSQL  |
 * | page sessions (handshakes, pending mail)| SQLite                    | PostgreSQL              | Redis       |
 * | rate limits (email sign-in)             | SQLite                    | PostgreSQL              | Redis       |
 *
 * With DATABASE_URL every instance shares everything through PostgreSQL; Redis takes the state
 * that is written on almost every sign-in request and lives minutes, off the database.
 */
export interface GatewayStores {
  readonly db: Db;
  readonly keyStore: KeyStore;
  readonly secrets: GatewaySecrets;
  readonly sessionStore: session.Store & { sweep(): Promise<void> };
  readonly limiter: RateLimits;
  /** Ends every sign-in of an account in every browser (oidc-provider's sessions and page sessions). */
  endAccountSessions(accountId: string): Promise<number>;
  close(): Promise<void>;
}

export async function openGatewayStores(settings: Settings): Promise<GatewayStores> {
  const db = await openDatabase({
    dataDir: settings.dataDir,
    fileName: GATEWAY_DB_FILE,
    databaseUrl: settings.databaseUrl,
    databasePoolMax: settings.databasePoolMax,
  });
  let redis: RedisClient | undefined;
  try {
    const secrets = await gatewaySecretsFor(settings, db);
    if (settings.redisUrl !== undefined) redis = await openRedis(settings.redisUrl, settings.redisPrefix);
    const redisSessions = redis ? new RedisSessionStore(redis) : undefined;
    return {
      db,
      keyStore: keyStoreFor(settings, db),
      secrets,
      sessionStore: redisSessions ?? new DatabaseSessionStore(db),
      limiter: redis ? new RedisRateLimiter(redis) : new RateLimiter(db),
      async endAccountSessions(accountId) {
        const ended = await endAccountSessions(db, accountId, { pageSessions: redisSessions === undefined });
        return ended + (redisSessions ? await redisSessions.endAccountSessions(accountId) : 0);
      },
      async close() {
        redis?.disconnect();
        await db.destroy();
      },
    };
  } catch (error) {
    redis?.disconnect();
    await db.destroy();
    throw error;
  }
}
