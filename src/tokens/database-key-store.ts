import type { JWK } from 'jose';
import type { Db } from '../store/database';
import type { Database } from '../store/schema';
import { lockForTransaction } from '../store/postgres';
import type { KeyEncryption } from './key-encryption';
import type { KeyStore } from './key-store';
import type { StoredKey } from './keys';

/**
 * The signing keys in the gateway's database (table `signing_keys`, migration 0006), for every
 * instance at once: a rotation through any instance or `parley keys rotate` is seen by all at their
 * next look (the gateway looks every few seconds), and all publish the same JWKS. The private JWK
 * is stored encrypted (key-encryption.ts); the public half in the clear.
 */
export class DatabaseKeyStore implements KeyStore {
  constructor(
    private readonly db: Db,
    private readonly encryption: KeyEncryption,
  ) {}

  async read(): Promise<StoredKey[]> {
    const rows = await this.db.selectFrom('signing_keys').selectAll().orderBy('kid').execute();
    return rows.map((row) => ({
      kid: row.kid,
      jwk: JSON.parse(this.encryption.decrypt(row.private_jwk, row.kid)) as JWK,
      createdAt: row.created_at,
      ...(row.activates_at === null ? {} : { activatesAt: row.activates_at }),
      ...(row.retired_at === null ? {} : { retiredAt: row.retired_at }),
      origin: row.origin === 'auto' ? 'auto' : 'operator',
    }));
  }

  async write(keys: readonly StoredKey[]): Promise<void> {
    await this.db.transaction().execute((trx) => this.#upsert(trx, keys));
  }

  async #upsert(trx: Db, keys: readonly StoredKey[]): Promise<void> {
    for (const key of keys) {
      const values = {
        private_jwk: this.encryption.encrypt(JSON.stringify(key.jwk), key.kid),
        created_at: key.createdAt,
        activates_at: key.activatesAt ?? null,
        retired_at: key.retiredAt ?? null,
        origin: key.origin,
      };
      await trx
        .insertInto('signing_keys')
        .values({ kid: key.kid, ...values })
        .onConflict((oc) => oc.column('kid').doUpdateSet(values))
        .execute();
    }
  }

  async remove(kids: readonly string[]): Promise<void> {
    if (kids.length > 0) await this.db.deleteFrom('signing_keys').where('kid', 'in', kids).execute();
  }

  async writeFirst(key: StoredKey): Promise<StoredKey[]> {
    // Instances starting together on an empty database must agree on one first key.
    await this.db.transaction().execute(async (trx) => {
      await lockForTransaction<Database>(trx, 'parley:signing-keys');
      const existing = await trx.selectFrom('signing_keys').select('kid').limit(1).executeTakeFirst();
      if (existing !== undefined) return;
      await this.#upsert(trx, [key]);
    });
    return this.read();
  }

  async fingerprint(): Promise<string> {
    const rows = await this.db.selectFrom('signing_keys').select(['kid', 'activates_at', 'retired_at']).orderBy('kid').execute();
    return rows.map((row) => `${row.kid}:${row.activates_at ?? ''}:${row.retired_at ?? ''}`).join('|');
  }
}
