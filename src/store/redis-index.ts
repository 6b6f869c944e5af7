import type { ChainableCommander } from 'ioredis';

/**
 * Adds ARGV[1] to the index set KEYS[1] and keeps the set alive as long as its longest-lived
 * member: ARGV[2] is that member's lifetime in milliseconds, 0 for none (then the set stays too).
 * (`PEXPIRE … GT` cannot do this: a new set has no expiry, which GT counts as infinite, so the
 * set would never expire.)
 */
const INDEX = `
local existed = redis.call('EXISTS', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
redis.call('SADD', KEYS[1], ARGV[1])
local wanted = tonumber(ARGV[2])
if wanted == 0 then redis.call('PERSIST', KEYS[1])
elseif existed == 0 or (ttl >= 0 and ttl < wanted) then redis.call('PEXPIRE', KEYS[1], wanted) end
return 1
`;

/**
 * Queues, in `transaction`, the addition of `member` to the set `setKey` that indexes records by
 * something they share (a grant, an account), with the set living as long as its longest-lived
 * member (`lifetimeMs`, 0 for a member without expiry). Members whose record is gone are harmless:
 * readers of the index skip them.
 */
export function addToIndex(transaction: ChainableCommander, setKey: string, member: string, lifetimeMs: number): ChainableCommander {
  return transaction.eval(INDEX, 1, setKey, member, lifetimeMs);
}
