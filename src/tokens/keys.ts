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

export interface StoredKey {
  readonly kid: string;
  /** Private JWK; never leaves the key directory except as its public half. */
  readonly jwk: JWK;
  readonly createdAt: number;
  /** When a newer key took over signing; absent for the current signing key. */
  readonly retiredAt?: number;
  /** 'auto' for a key the gateway made on its own at first start (refused in production). */
  readonly origin: 'auto' | 'operator';
}

export interface KeyRing {
  /** Newest first: keys[0] signs, the rest only verify. */
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
    .map((name) => JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as StoredKey)
    .sort((a, b) => signingFirst(a) - signingFirst(b) || b.createdAt - a.createdAt || (a.kid < b.kid ? 1 : -1));
}

/**
 * The key that is not retired sorts first, whatever its createdAt: a rotation in the same
 * millisecond (random kids break the tie) or after the clock stepped back must not leave a
 * retired key signing until it is pruned.
 */
function signingFirst(key: StoredKey): number {
  return key.retiredAt === undefined ? 0 : 1;
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

function ring(keys: StoredKey[]): KeyRing {
  if (keys.length === 0) throw new Error('no signing key');
  return { keys, current: keys[0]! };
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
  return ring(keys);
}

/**
 * Adds a new key that signs from now on; the previous signing key stays published (for
 * verification only) until everything it signed has expired.
 */
export async function rotateKeys(dataDir: string, now = Date.now()): Promise<KeyRing> {
  const keys = prune(dataDir, readKeys(dataDir), now);
  const fresh = await createKey('operator', now);
  for (const key of keys) {
    if (key.retiredAt === undefined) writeKey(dataDir, { ...key, retiredAt: now });
  }
  writeKey(dataDir, fresh);
  return ring(readKeys(dataDir));
}

/** A fingerprint of the key directory, to notice a rotation done by another process. */
export function keyRingVersion(dataDir: string): string {
  const dir = keyDir(dataDir);
  if (!fs.existsSync(dir)) return '';
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => `${name}:${fs.statSync(path.join(dir, name)).mtimeMs}`)
    .sort()
    .join('|');
}
