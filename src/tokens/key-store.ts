import fs from 'node:fs';
import path from 'node:path';
import type { StoredKey } from './keys';

/**
 * Where the gateway's signing keys live: files under PARLEY_DATA_DIR/keys (one instance, the
 * embedded default) or the database (DATABASE_URL: every instance reads the same keys, see
 * database-key-store.ts). keys.ts decides which key signs; a store only keeps them.
 */
export interface KeyStore {
  read(): Promise<StoredKey[]>;
  /** Adds or replaces these keys, all together where the store can. */
  write(keys: readonly StoredKey[]): Promise<void>;
  remove(kids: readonly string[]): Promise<void>;
  /** Stores `key` only when there is no key at all; answers the keys there are afterwards. */
  writeFirst(key: StoredKey): Promise<StoredKey[]>;
  /** Changes whenever a key is added, changed or removed, by this process or another. */
  fingerprint(): Promise<string>;
}

/** One JSON file per key, owner-only, written atomically (temp file, then rename). */
export class FileKeyStore implements KeyStore {
  readonly #dir: string;

  constructor(dataDir: string) {
    this.#dir = path.join(dataDir, 'keys');
  }

  #files(): string[] {
    if (!fs.existsSync(this.#dir)) return [];
    return fs.readdirSync(this.#dir).filter((name) => name.endsWith('.json'));
  }

  async read(): Promise<StoredKey[]> {
    return this.readNow();
  }

  readNow(): StoredKey[] {
    return this.#files().map((name) => JSON.parse(fs.readFileSync(path.join(this.#dir, name), 'utf8')) as StoredKey);
  }

  async write(keys: readonly StoredKey[]): Promise<void> {
    fs.mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(this.#dir, 0o700);
    for (const key of keys) {
      const file = path.join(this.#dir, `${key.kid}.json`);
      const temp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(temp, JSON.stringify(key, null, 2), { mode: 0o600 });
      fs.renameSync(temp, file);
    }
  }

  async remove(kids: readonly string[]): Promise<void> {
    for (const kid of kids) fs.rmSync(path.join(this.#dir, `${kid}.json`), { force: true });
  }

  async writeFirst(key: StoredKey): Promise<StoredKey[]> {
    const existing = await this.read();
    if (existing.length > 0) return existing;
    await this.write([key]);
    return [key];
  }

  async fingerprint(): Promise<string> {
    return this.fingerprintNow();
  }

  fingerprintNow(): string {
    return this.#files()
      .map((name) => `${name}:${fs.statSync(path.join(this.#dir, name)).mtimeMs}`)
      .sort()
      .join('|');
  }
}
