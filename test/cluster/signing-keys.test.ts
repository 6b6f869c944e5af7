import { sql } from 'kysely';
import { openDatabase, type Db } from '../../src/store/database';
import { DatabaseKeyStore } from '../../src/tokens/database-key-store';
import { KeyEncryption } from '../../src/tokens/key-encryption';
import { loadKeyRing, rotateKeys, storedKeyRingVersion, type KeyRing } from '../../src/tokens/keys';
import { makeDataDir } from '../helpers/data-dir';
import { testDatabaseUrl } from '../helpers/postgres';

/** Signing keys in PostgreSQL, as two gateway instances (two pools on one database) see them. */
describe('signing keys shared through PostgreSQL', () => {
  const encryption = new KeyEncryption('a-test-key-encryption-secret-of-enough-length');
  let one: Db;
  let two: Db;

  beforeEach(async () => {
    const dataDir = makeDataDir();
    const databaseUrl = await testDatabaseUrl(dataDir);
    [one, two] = await Promise.all([openDatabase({ dataDir, fileName: 'gateway.sqlite', databaseUrl }), openDatabase({ dataDir, fileName: 'gateway.sqlite', databaseUrl })]);
  });
  afterEach(async () => {
    await one.destroy();
    await two.destroy();
  });

  const publicKeys = (ring: KeyRing) => ring.keys.map(({ jwk: { kty, n, e, kid } }) => ({ kty, n, e, kid }));

  it('makes one first key when two instances start at once, and both sign with it', async () => {
    const [a, b] = await Promise.all([
      loadKeyRing(new DatabaseKeyStore(one, encryption), { createIfMissing: true }),
      loadKeyRing(new DatabaseKeyStore(two, encryption), { createIfMissing: true }),
    ]);
    expect(a!.keys).toHaveLength(1);
    expect(b!.current.kid).toBe(a!.current.kid);
  });

  it('lets every instance see a rotation made through one, and publish the same keys', async () => {
    const storeOne = new DatabaseKeyStore(one, encryption);
    const storeTwo = new DatabaseKeyStore(two, encryption);
    await loadKeyRing(storeOne, { createIfMissing: true });
    const before = await storedKeyRingVersion(storeTwo);
    const rotated = await rotateKeys(storeOne, Date.now(), { activationDelaySeconds: 0 });
    expect(await storedKeyRingVersion(storeTwo)).not.toBe(before);
    const seen = (await loadKeyRing(storeTwo, { createIfMissing: false }))!;
    expect(seen.current.kid).toBe(rotated.current.kid);
    expect(publicKeys(seen)).toEqual(publicKeys(rotated));
  });

  it('keeps the private key encrypted at rest, readable only with the same encryption key', async () => {
    const ring = (await loadKeyRing(new DatabaseKeyStore(one, encryption), { createIfMissing: true }))!;
    const { rows } = await sql<{ private_jwk: string }>`select private_jwk from signing_keys`.execute(one);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.private_jwk).not.toContain(String(ring.current.jwk.d));
    expect(rows[0]!.private_jwk).not.toContain('"kty"');
    await expect(loadKeyRing(new DatabaseKeyStore(two, new KeyEncryption('another-secret-of-enough-length-xxxxxxx')), { createIfMissing: false })).rejects.toThrow(
      /PARLEY_KEY_ENCRYPTION_KEY/,
    );
  });
});
