import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { FileKeyStore, type KeyStore } from './key-store';

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
  /** Private JWK; never leaves its store except as its public half (encrypted in a database). */
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

/**
 * Where the keys are: a KeyStore, or a data directory (its `keys` folder, the embedded default).
 */
export type KeySource = string | KeyStore;

function storeOf(source: KeySource): KeyStore {
  return typeof source === 'string' ? new FileKeyStore(source) : source;
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

/** The keys, less those retired long enough ago that nothing they signed is still valid (dropped). */
async function readLive(store: KeyStore, now: number): Promise<StoredKey[]> {
  const keys = await store.read();
  const expired = (key: StoredKey) => key.retiredAt !== undefined && key.retiredAt + RETIRED_KEY_PUBLISHED_SECONDS * 1000 <= now;
  await store.remove(keys.filter(expired).map((key) => key.kid));
  return keys.filter((key) => !expired(key));
}

/**
 * The gateway's signing keys, loaded from `source`. When there are none and `createIfMissing`
 * allows it (development), one is made and persisted, so a restart never changes keys.
 */
export async function loadKeyRing(source: KeySource, options: { createIfMissing: boolean; now?: number }): Promise<KeyRing | undefined> {
  const store = storeOf(source);
  const now = options.now ?? Date.now();
  let keys = await readLive(store, now);
  if (keys.length === 0) {
    if (!options.createIfMissing) return undefined;
    keys = await store.writeFirst(await createKey('auto', now));
  }
  return ring(keys, now);
}

/**
 * Adds a new key: published at once, signing after KEY_ACTIVATION_DELAY_SECONDS (at once when
 * nothing signs yet). The key it replaces stays published, for verification only, until
 * everything it signed has expired.
 */
export async function rotateKeys(source: KeySource, now = Date.now(), options: { activationDelaySeconds?: number } = {}): Promise<KeyRing> {
  const store = storeOf(source);
  const keys = await readLive(store, now);
  const delayMs = keys.length === 0 ? 0 : (options.activationDelaySeconds ?? KEY_ACTIVATION_DELAY_SECONDS) * 1000;
  const fresh = { ...(await createKey('operator', now)), activatesAt: now + delayMs };
  const retiring = keys.filter((key) => key.retiredAt === undefined || key.retiredAt > fresh.activatesAt).map((key) => ({ ...key, retiredAt: fresh.activatesAt }));
  await store.write([...retiring, fresh]);
  return ring(await store.read(), now);
}

/**
 * A fingerprint of the key ring at `now`: changes when another process rotates keys and when a
 * published key's activation time comes, so a running gateway knows to reload.
 */
export async function storedKeyRingVersion(source: KeySource, now = Date.now()): Promise<string> {
  const store = storeOf(source);
  const fingerprint = await store.fingerprint();
  if (fingerprint === '') return '';
  return `${fingerprint}|current:${currentKey(await store.read(), now)?.kid ?? ''}`;
}

/** storedKeyRingVersion of the files under `dataDir`, synchronously (for callers not yet async). */
export function keyRingVersion(dataDir: string, now = Date.now()): string {
  const store = new FileKeyStore(dataDir);
  const fingerprint = store.fingerprintNow();
  if (fingerprint === '') return '';
  return `${fingerprint}|current:${currentKey(store.readNow(), now)?.kid ?? ''}`;
}
