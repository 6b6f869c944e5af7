import type session from 'express-session';
import type { AdapterFactory } from 'oidc-provider';
import type { Settings } from '../config/settings';
import { endAccountSessions, listAccountSessions, type AccountSession, type EndSessionsOptions } from '../store/account-sessions';
import { openDatabase, type Db } from '../store/database';
import { OidcAdapter } from '../store/oidc-adapter';
import { RateLimiter, type RateLimits } from '../store/rate-limits';
import { openRedis, redisCheck, type RedisClient } from '../store/redis';
import type { DependencyCheck } from '../http/health-routes';
import { endRedisAccountSessions, listRedisAccountSessions, RedisOidcAdapter } from '../store/redis-oidc-adapter';
import { RedisRateLimiter } from '../store/redis-rate-limits';
import { RedisSessionStore } from '../store/redis-session-store';
import { DatabaseSessionStore } from '../store/session-store';
import type { KeyStore } from '../tokens/key-store';
import { GATEWAY_DB_FILE, keyStoreFor } from '../tokens/open-key-store';
import { RevokingGrantAdapter } from './grant-adapter';
import { gatewaySecretsFor, type GatewaySecrets } from './secrets';
import type { TokenRevocations } from './token-revocations';

/**
 * Where the gateway keeps its state, chosen by the settings:
 *
 * | state                                   | embedded (default)        | DATABASE_URL            | + REDIS_URL |
 * |-----------------------------------------|---------------------------|-------------------------|-------------|
 * | accounts, sign-ins, grants, feed        | SQLite under the data dir | PostgreSQL              | PostgreSQL  |
 * | oidc sessions, interactions, codes,     | SQLite                    | PostgreSQL              | Redis       |
 * | opaque access tokens, DPoP replay, PAR  |                           |                         |             |
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
  /** What /readyz asks besides the database: Redis, when configured. */
  readonly dependencies: readonly DependencyCheck[];
  /** oidc-provider's storage (its `adapter` setting); `revocations` hears of every grant destroyed. */
  oidcAdapter(revocations: TokenRevocations): AdapterFactory;
  /** Ends every sign-in of an account in every browser (oidc-provider's sessions and page sessions). */
  endAccountSessions(accountId: string, options?: EndSessionsOptions): Promise<number>;
  /** The browsers signed in to an account (oidc-provider's sessions), for the account page. */
  listAccountSessions(accountId: string): Promise<AccountSession[]>;
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
      dependencies: redis ? [redisCheck(redis)] : [],
      oidcAdapter: (revocations) => oidcAdapterFactory(db, revocations, redis),
      async endAccountSessions(accountId, options) {
        if (!redis || !redisSessions) return endAccountSessions(db, accountId, options);
        return (await endRedisAccountSessions(redis, accountId)) + (await redisSessions.endAccountSessions(accountId, options));
      },
      listAccountSessions: (accountId) => (redis ? listRedisAccountSessions(redis, accountId) : listAccountSessions(db, accountId)),
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

/**
 * oidc-provider's models kept in Redis with REDIS_URL: those written or read on every sign-in step
 * that live minutes (an Interaction 30, a code 1, an access token 15) or are rewritten at every
 * sign-in (a Session, 14 days at most; losing one costs a new sign-in, nothing more). Measured on
 * one email sign-in (test/cluster/sign-in-statements.measure.ts): 13 of its 15 statements on
 * oidc_payloads were these.
 *
 * Grants stay in the database (2 statements per sign-in): a grant is the 14-day record behind the
 * `sid` of every token issued under it; logout finds it by that handle (RevokingGrantAdapter) and
 * destroying it publishes the revocation to the feed, which is in the database too. Models not in
 * use here (refresh tokens, dynamic clients, device codes) stay there as well.
 */
const REDIS_OIDC_MODELS = new Set(['Session', 'Interaction', 'AuthorizationCode', 'AccessToken', 'ReplayDetection', 'PushedAuthorizationRequest']);

function oidcAdapterFactory(db: Db, revocations: TokenRevocations, redis: RedisClient | undefined): AdapterFactory {
  // Revoking a grant through the grant adapter (logout) must reach its codes and tokens in Redis.
  const artifactsInRedis = redis ? new RedisOidcAdapter(redis, 'AccessToken') : undefined;
  return (model) => {
    if (model === 'Grant') return new RevokingGrantAdapter(db, revocations, artifactsInRedis);
    return redis && REDIS_OIDC_MODELS.has(model) ? new RedisOidcAdapter(redis, model) : new OidcAdapter(db, model);
  };
}
