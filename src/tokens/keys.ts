import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

/**
 * The algorithm every Parley token is signed with. RS256: verification (done on every comment
 * POST, by every blog backend) is several times cheaper than ECDSA's and every JWT library in
 * every language supports it; signing (once per sign-in) is the slower side, which we can afford.
 */
export const SIGNING_ALGORITHM = 'RS256';
const RSA_MODULUS_BITS = 2048;

/**
 * How long a replaced key stays published. Longer than the life of anything it signed (access
 * and ID tokens live at most 15 minutes), so no live token ever loses its key.
 */
export const RETIRED_KEY_PUBLISHED_SECONDS = 60 * 60;

/**
 * A rotated-in key is published this long before it signs anything. Verifiers refetch the JWKS
 * for an unknown `kid` at most every few seconds (ours: 5), so one that fetched just before the
 * rotation would otherwise refuse the first tokens of the new key; by the time it signs, every
 * verifier that looks again already has it.
 */
export const KEY_ACTIVATION_DELAY_SECONDS = 30;

export interface StoredKey {
  readonly kid: string;
  /** Private JWK; never leaves the key directory except as its public half. */
  readonly jwk: JWK;
  readonly createdAt: number;
  /** When it starts signing (published before that); absent means from its creation. */
  readonly activatesAt?: number;
  /** When a newer key took over signing; absent while no successor is scheduled. */
  readonly retiredAt?: number;
  /** 'auto' for a key the gateway made on its own at first start (refused in production). */
  readonly origin: 'auto' | 'operator';
}

export interface KeyRing {
  /** keys[0] is the current signing key; the rest (pending or retired) are published to verify. */
  readonly keys: readonly StoredKey[];
  readonly current: StoredKey;
}

function keyDir(dataDir: string): string {
  return path.join(dataDir, 'keys');
}

function readKeys(dataDir: string): StoredKey[] {
  const dir = keyDir(dataDir);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as StoredKey);
}

function activation(key: StoredKey): number {
  return key.activatesAt ?? key.createdAt;
}

/**
 * The key that signs at `now`: active (its activation time has come) and not retired, the most
 * recently activated of those. Decided by the explicit times, never by creation order alone, so a
 * rotation in the same millisecond or after the clock stepped back cannot leave a retired key
 * signing.
 */
function currentKey(keys: readonly StoredKey[], now: number): StoredKey | undefined {
  const signing = keys.filter((key) => activation(key) <= now && (key.retiredAt === undefined || key.retiredAt > now));
  const byNewest = (a: StoredKey, b: StoredKey) => activation(b) - activation(a) || b.createdAt - a.createdAt || (a.kid < b.kid ? 1 : -1);
  return [...signing].sort(byNewest)[0] ?? [...keys].sort(byNewest)[0];
}

/** Writes a key file readable by the owner only, atomically (temp file, then rename). */
function writeKey(dataDir: string, key: StoredKey): void {
  const dir = keyDir(dataDir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const file = path.join(dir, `${key.kid}.json`);
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(key, null, 2), { mode: 0o600 });
  fs.renameSync(temp, file);
}

async function createKey(origin: StoredKey['origin'], now: number): Promise<StoredKey> {
  const { privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { modulusLength: RSA_MODULUS_BITS, extractable: true });
  const kid = `${new Date(now).toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALGORITHM, use: 'sig' };
  return { kid, jwk, createdAt: now, origin };
}

function ring(keys: StoredKey[], now: number): KeyRing {
  const current = currentKey(keys, now);
  if (!current) throw new Error('no signing key');
  // Current first (oidc-provider signs ID tokens with the first key of the algorithm), then the
  // pending ones, then the retired, newest first.
  const rest = keys.filter((key) => key !== current).sort((a, b) => activation(b) - activation(a) || b.createdAt - a.createdAt);
  return { keys: [current, ...rest], current };
}

/** Drops keys retired long enough ago that nothing they signed is still valid. */
function prune(dataDir: string, keys: StoredKey[], now: number): StoredKey[] {
  return keys.filter((key) => {
    const expired = key.retiredAt !== undefined && key.retiredAt + RETIRED_KEY_PUBLISHED_SECONDS * 1000 <= now;
    if (expired) fs.rmSync(path.join(keyDir(dataDir), `${key.kid}.json`), { force: true });
    return !expired;
  });
}

/**
 * The gateway's signing keys, loaded from PARLEY_DATA_DIR/keys. When there are none and
 * `createIfMissing` allows it (development), one is made and persisted, so a restart never
 * changes keys.
 */
export async function loadKeyRing(dataDir: string, options: { createIfMissing: boolean; now?: number }): Promise<KeyRing | undefined> {
  const now = options.now ?? Date.now();
  let keys = prune(dataDir, readKeys(dataDir), now);
  if (keys.length === 0) {
    if (!options.createIfMissing) return undefined;
    const key = await createKey('auto', now);
    writeKey(dataDir, key);
    keys = [key];
  }
  return ring(keys, now);
}

/**
 * Adds a new key: published at once, signing after KEY_ACTIVATION_DELAY_SECONDS (at once when
 * nothing signs yet). The key it replaces stays published, for verification only, until
 * everything it signed has expired.
 */
export async function rotateKeys(dataDir: string, now = Date.now(), options: { activationDelaySeconds?: number } = {}): Promise<KeyRing> {
  const keys = prune(dataDir, readKeys(dataDir), now);
  const delayMs = keys.length === 0 ? 0 : (options.activationDelaySeconds ?? KEY_ACTIVATION_DELAY_SECONDS) * 1000;
  const fresh = { ...(await createKey('operator', now)), activatesAt: now + delayMs };
  for (const key of keys) {
    if (key.retiredAt === undefined || key.retiredAt > fresh.activatesAt) writeKey(dataDir, { ...key, retiredAt: fresh.activatesAt });
  }
  writeKey(dataDir, fresh);
  return ring(readKeys(dataDir), now);
}

/**
 * A fingerprint of the key ring at `now`: changes when another process rotates keys and when a
 * published key's activation time comes, so a running gateway knows to reload.
 */
export function keyRingVersion(dataDir: string, now = Date.now()): string {
  const dir = keyDir(dataDir);
  if (!fs.existsSync(dir)) return '';
  const files = fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => `${name}:${fs.statSync(path.join(dir, name)).mtimeMs}`)
    .sort()
    .join('|');
  return `${files}|current:${currentKey(readKeys(dataDir), now)?.kid ?? ''}`;
}
