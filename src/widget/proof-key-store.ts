import type { ProofKey, PublicJwk } from './proof-key';

/**
 * Where proof keys outlive a reload: IndexedDB, which keeps a CryptoKey as it is (structured
 * clone), still non-extractable. sessionStorage, where the token lives, holds only strings, and a
 * key turned into a string could be read out. A key is found by its thumbprint, which the token
 * it is bound to names (`cnf.jkt`): token and key are looked up together, and a token whose key is
 * gone is useless (the reader logs in again).
 *
 * IndexedDB is shared by every tab of the blog's origin while the token is the tab's own, so each
 * key carries its token's expiry and is deleted after it (or with the token, at Log Out). Where
 * IndexedDB is unavailable (disabled, some private modes and sandboxed frames), keys are kept in
 * memory instead: the token stays bound, and after a reload the reader logs in again.
 */

const DATABASE_NAME = 'parley-dpop';
const DATABASE_VERSION = 1;
const STORE_NAME = 'keys';

/** One stored key; `thumbprint` is the record's key. */
interface KeyRecord {
  readonly thumbprint: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: PublicJwk;
  /** The bound token's expiry (ms since the epoch): after it, the key is of no use. */
  readonly expiresAt: number;
}

const memory = new Map<string, KeyRecord>();

function request<T>(operation: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    operation.onsuccess = () => resolve(operation.result);
    operation.onerror = () => reject(operation.error ?? new Error('IndexedDB request failed'));
  });
}

let opening: Promise<IDBDatabase | undefined> | undefined;

/** The database, or undefined where IndexedDB cannot be used (then memory stands in). */
function database(): Promise<IDBDatabase | undefined> {
  opening ??= new Promise<IDBDatabase | undefined>((resolve) => {
    try {
      const open = indexedDB.open(DATABASE_NAME, DATABASE_VERSION);
      open.onupgradeneeded = () => open.result.createObjectStore(STORE_NAME, { keyPath: 'thumbprint' });
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => resolve(undefined);
      open.onblocked = () => resolve(undefined);
    } catch {
      resolve(undefined);
    }
  });
  return opening;
}

async function keys(mode: IDBTransactionMode): Promise<IDBObjectStore | undefined> {
  const db = await database();
  try {
    return db?.transaction(STORE_NAME, mode).objectStore(STORE_NAME);
  } catch {
    return undefined; // the database was closed or deleted under us
  }
}

/** Keeps the key until `expiresAt` (the expiry of the token bound to it). */
export async function saveProofKey(key: ProofKey, expiresAt: number): Promise<void> {
  const record: KeyRecord = { thumbprint: key.thumbprint, privateKey: key.privateKey, publicJwk: key.publicJwk, expiresAt };
  const store = await keys('readwrite');
  if (store) {
    try {
      await request(store.put(record));
      return;
    } catch {
      // Quota, or a browser that cannot store CryptoKeys: keep it for this page's life.
    }
  }
  memory.set(key.thumbprint, record);
}

/** The key with this thumbprint, if it is still kept. */
export async function loadProofKey(thumbprint: string): Promise<ProofKey | undefined> {
  let record = memory.get(thumbprint);
  if (!record) {
    const store = await keys('readonly');
    record = store ? ((await request(store.get(thumbprint)).catch(() => undefined)) as KeyRecord | undefined) : undefined;
  }
  if (!record || !(record.privateKey instanceof CryptoKey)) return undefined;
  return { privateKey: record.privateKey, publicJwk: record.publicJwk, thumbprint: record.thumbprint };
}

export async function deleteProofKey(thumbprint: string): Promise<void> {
  memory.delete(thumbprint);
  const store = await keys('readwrite');
  if (store) await request(store.delete(thumbprint)).catch(() => undefined);
}

/** Deletes the keys whose tokens have run out (those of tabs closed without logging out). */
export async function deleteExpiredProofKeys(now: number): Promise<void> {
  memory.forEach((record, thumbprint) => {
    if (record.expiresAt <= now) memory.delete(thumbprint);
  });
  const store = await keys('readwrite');
  if (!store) return;
  // A cursor, deleting from its own callback: the transaction stays active between steps.
  await new Promise<void>((resolve) => {
    const cursor = store.openCursor();
    cursor.onsuccess = () => {
      const at = cursor.result;
      if (!at) return resolve();
      if (!((at.value as KeyRecord).expiresAt > now)) at.delete();
      at.continue();
    };
    cursor.onerror = () => resolve();
  });
}
