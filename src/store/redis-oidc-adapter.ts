import type { ChainableCommander, Redis } from 'ioredis';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { alreadyConsumed, GRANT_ARTIFACTS, SINGLE_USE_MODELS } from './oidc-adapter';
import { addToIndex } from './redis-index';
import { accountSessionFrom, type AccountSession } from './account-sessions';

/** Marks a record consumed unless it already was or is gone: 1 consumed now, 0 already, -1 gone. */
const CONSUME = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
return redis.call('HSETNX', KEYS[1], 'consumed', ARGV[1])
`;

/**
 * oidc-provider's storage contract in Redis (REDIS_URL), for its short-lived models: every
 * instance sees a record the moment it is written, and Redis forgets it when it expires.
 *
 * - A record is a hash `oidc:<model>:<id>`: `payload` (the JSON oidc-provider saved), `consumed`
 *   (epoch seconds, once consumed) and, for a Session, `account`. Its key lives `expiresIn`.
 * - `findByUid` and `findByUserCode` go through index keys that live as long as their record; a
 *   record found through one is checked to still carry that uid or user code.
 * - A grant's codes and tokens are indexed in a set per grant (revokeByGrantId), a Session in a
 *   set per account ("sign out everywhere", endRedisAccountSessions). Sets live as long as their
 *   longest-lived member; members whose record is gone are harmless and removed when next read.
 * - consume is one atomic step, so of two instances consuming one authorization code at once,
 *   exactly one succeeds; the other answers `invalid_grant` like a replay, which the gateway
 *   treats as one (single-use-codes.ts revokes the grant's tokens).
 */
export class RedisOidcAdapter implements Adapter {
  constructor(
    private readonly redis: Redis,
    private readonly model: string,
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const lifetimeMs = expiresIn === undefined || !Number.isFinite(expiresIn) ? undefined : Math.round(expiresIn * 1000);
    // oidc-provider saves with the time left; 0 or less means already expired, not "forever".
    if (lifetimeMs !== undefined && lifetimeMs <= 0) return this.destroy(id);
    const key = recordKey(this.model, id);
    const account = this.model === 'Session' && typeof payload.accountId === 'string' ? payload.accountId : undefined;
    const expiring = (command: ChainableCommander, indexKey: string) => (lifetimeMs === undefined ? command : command.pexpire(indexKey, lifetimeMs));

    const sessions = this.model === 'Session';
    const transaction = sessions ? this.redis.multi().hget(key, 'account').del(key) : this.redis.multi().del(key);
    transaction.hset(key, { payload: JSON.stringify(payload), ...(account === undefined ? {} : { account }) });
    expiring(transaction, key);
    if (typeof payload.uid === 'string') expiring(transaction.set(uidKey(this.model, payload.uid), id), uidKey(this.model, payload.uid));
    if (typeof payload.userCode === 'string') expiring(transaction.set(userCodeKey(this.model, payload.userCode), id), userCodeKey(this.model, payload.userCode));
    if (GRANT_ARTIFACTS.includes(this.model) && typeof payload.grantId === 'string') addToIndex(transaction, grantKey(payload.grantId), key, lifetimeMs ?? 0);
    if (account !== undefined) addToIndex(transaction, accountSessionsKey(account), id, lifetimeMs ?? 0);
    const [previousAccount] = await execute(transaction);
    // A session that changed hands leaves the old account's index.
    if (sessions && typeof previousAccount === 'string' && previousAccount !== account) await this.redis.srem(accountSessionsKey(previousAccount), id);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const record = await this.redis.hmget(recordKey(this.model, id), 'payload', 'consumed');
    const [payload, consumed] = record;
    if (payload === null || payload === undefined) return undefined;
    const found = JSON.parse(payload) as AdapterPayload;
    // oidc-provider detects reuse (e.g. a code redeemed twice) by this field.
    if (typeof consumed === 'string') found.consumed = Number(consumed);
    return found;
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const id = await this.redis.get(uidKey(this.model, uid));
    const found = id === null ? undefined : await this.find(id);
    return found?.uid === uid ? found : undefined;
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const id = await this.redis.get(userCodeKey(this.model, userCode));
    const found = id === null ? undefined : await this.find(id);
    return found?.userCode === userCode ? found : undefined;
  }

  async consume(id: string): Promise<void> {
    const outcome = (await this.redis.eval(CONSUME, 1, recordKey(this.model, id), Math.floor(Date.now() / 1000))) as number;
    // Another instance consumed it (or revoked it) since oidc-provider read it as unconsumed.
    if (outcome !== 1 && SINGLE_USE_MODELS.has(this.model)) throw alreadyConsumed(this.model, outcome === 0 ? 'already consumed' : 'not found');
  }

  async destroy(id: string): Promise<void> {
    const key = recordKey(this.model, id);
    if (this.model !== 'Session') {
      await this.redis.del(key);
      return;
    }
    const [account] = await execute(this.redis.multi().hget(key, 'account').del(key));
    if (typeof account === 'string') await this.redis.srem(accountSessionsKey(account), id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    // Only the grant's codes and tokens are in its set: an Interaction also carries a grantId,
    // and deleting it would break the very sign-in that replaced the grant.
    const members = await this.redis.smembers(grantKey(grantId));
    if (members.length === 0) return;
    // Members are removed one by one, not the set: a token saved meanwhile stays indexed.
    await execute(this.redis.multi().del(...members).srem(grantKey(grantId), ...members));
  }
}

/**
 * Ends every oidc-provider Session of `accountId` kept in Redis (the sign-ins that would let the
 * commenter in silently at the next authorization request); answers how many there were. A
 * session is ended only if it still belongs to that account.
 */
export async function endRedisAccountSessions(redis: Redis, accountId: string): Promise<number> {
  const index = accountSessionsKey(accountId);
  const ids = await redis.smembers(index);
  if (ids.length === 0) return 0;
  const owners = await execute(ids.reduce((transaction, id) => transaction.hget(recordKey('Session', id), 'account'), redis.multi()));
  const ended = ids.filter((_id, position) => owners[position] === accountId);
  // Every member read leaves the index: ended, gone already, or another account's by now.
  const transaction = redis.multi().srem(index, ...ids);
  if (ended.length > 0) transaction.del(...ended.map((id) => recordKey('Session', id)));
  await execute(transaction);
  return ended.length;
}

/**
 * The oidc-provider Sessions of `accountId` kept in Redis, newest sign-in first, for the account
 * page (listAccountSessions reads the database's the same way). Each ends when its key expires.
 */
export async function listRedisAccountSessions(redis: Redis, accountId: string, now: number = Date.now()): Promise<AccountSession[]> {
  const ids = await redis.smembers(accountSessionsKey(accountId));
  if (ids.length === 0) return [];
  const replies = await execute(ids.reduce((transaction, id) => transaction.hget(recordKey('Session', id), 'payload').pttl(recordKey('Session', id)), redis.multi()));
  const sessions = ids.flatMap((id, position) => {
    const payload = replies[position * 2];
    const ttlMs = Number(replies[position * 2 + 1]);
    // A member whose record is gone (or never expires, which oidc-provider's sessions always do) is not listed.
    const session = typeof payload === 'string' && ttlMs > 0 ? accountSessionFrom(id, payload, now + ttlMs, accountId, now) : undefined;
    return session ? [session] : [];
  });
  return sessions.sort((a, b) => b.loggedInAt - a.loggedInAt);
}

/** Runs a MULTI/EXEC and answers its replies, throwing the first command error (ioredis only reports them). */
async function execute(transaction: ChainableCommander): Promise<unknown[]> {
  const replies = await transaction.exec();
  if (replies === null) throw new Error('Redis transaction aborted');
  return replies.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}

function recordKey(model: string, id: string): string {
  return `oidc:${model}:${id}`;
}

function uidKey(model: string, uid: string): string {
  return `oidc-uid:${model}:${uid}`;
}

function userCodeKey(model: string, userCode: string): string {
  return `oidc-user-code:${model}:${userCode}`;
}

function grantKey(grantId: string): string {
  return `oidc-grant:${grantId}`;
}

function accountSessionsKey(accountId: string): string {
  return `oidc-account-sessions:${accountId}`;
}
