import type { Settings } from '../config/settings';
import { openDatabase, type Db } from '../store/database';
import { DatabaseKeyStore } from './database-key-store';
import { KeyEncryption } from './key-encryption';
import { FileKeyStore, type KeyStore } from './key-store';

/**
 * Seals keys in a development database when PARLEY_KEY_ENCRYPTION_KEY is not set. Production
 * refuses to start without the real one (config/production.ts), and refuses keys made by a
 * development start anyway.
 */
const DEVELOPMENT_KEY_ENCRYPTION_KEY = 'parley-development-only-key-encryption-key';

/**
 * The gateway's signing keys for these settings: in the gateway's database (`db`) with
 * DATABASE_URL, so every instance shares them; else the files under PARLEY_DATA_DIR/keys.
 */
export function keyStoreFor(settings: Pick<Settings, 'dataDir' | 'databaseUrl' | 'keyEncryptionKey'>, db: Db | undefined): KeyStore {
  if (settings.databaseUrl === undefined) return new FileKeyStore(settings.dataDir);
  if (db === undefined) throw new Error('the signing keys are in the database: open it first');
  return new DatabaseKeyStore(db, new KeyEncryption(settings.keyEncryptionKey ?? DEVELOPMENT_KEY_ENCRYPTION_KEY));
}

/** Where the keys are, in words for an operator. */
export function describeKeyStore(settings: Pick<Settings, 'dataDir' | 'databaseUrl'>): string {
  return settings.databaseUrl === undefined ? `${settings.dataDir}/keys` : 'the database (DATABASE_URL)';
}

/** The gateway's database file (SQLite) or schema name's source (PostgreSQL). */
export const GATEWAY_DB_FILE = 'gateway.sqlite';

/**
 * Runs `use` with the key store of these settings, for a command (`parley keys`, `parley tokens`,
 * the gateway's production check): opens the gateway's database when the keys are there, and
 * closes it after.
 */
export async function withKeyStore<T>(settings: Settings, use: (store: KeyStore, db: Db | undefined) => Promise<T>): Promise<T> {
  if (settings.databaseUrl === undefined) return use(keyStoreFor(settings, undefined), undefined);
  const db = await openDatabase({ dataDir: settings.dataDir, fileName: GATEWAY_DB_FILE, databaseUrl: settings.databaseUrl, databasePoolMax: 1 });
  try {
    return await use(keyStoreFor(settings, db), db);
  } finally {
    await db.destroy();
  }
}
