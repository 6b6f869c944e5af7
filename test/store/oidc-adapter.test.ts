import { sql } from 'kysely';
import { openDatabase, type Db } from '../../src/store/database';
import { OidcAdapter, sweepExpiredOidcPayloads } from '../../src/store/oidc-adapter';
import { isPostgres } from '../../src/store/postgres';
import { makeDataDir } from '../helpers/data-dir';
import { testDatabaseUrl } from '../helpers/postgres';

/** oidc-provider's storage contract on a real SQLite file, and on PostgreSQL in the cluster suite. */
describe('OidcAdapter', () => {
  let db: Db;
  let now = 1_700_000_000_000;
  const adapter = (model: string) => new OidcAdapter(db, model, () => now);

  beforeAll(async () => {
    const dataDir = makeDataDir();
    db = await openDatabase({ dataDir, fileName: 'gateway.sqlite', databaseUrl: await testDatabaseUrl(dataDir) });
  });

  afterAll(async () => {
    await db.destroy();
  });

  it('finds a saved model by id and by uid, and replaces it on a second save', async () => {
    const sessions = adapter('Session');
    await sessions.upsert('s1', { uid: 'u1', accountId: 'a1' }, 60);
    await sessions.upsert('s1', { uid: 'u1', accountId: 'a2' }, 60);
    expect(await sessions.find('s1')).toEqual({ uid: 'u1', accountId: 'a2' });
    expect(await sessions.findByUid('u1')).toEqual({ uid: 'u1', accountId: 'a2' });
    expect(await adapter('Grant').find('s1')).toBeUndefined();
  });

  it('hides a model once it expired and sweeps it later', async () => {
    const codes = adapter('AuthorizationCode');
    await codes.upsert('c-expiring', { grantId: 'g0' }, 10);
    now += 10_000;
    expect(await codes.find('c-expiring')).toBeUndefined();
    expect(await sweepExpiredOidcPayloads(db, now)).toBeGreaterThanOrEqual(1);
    expect(await db.selectFrom('oidc_payloads').select('id').where('id', '=', 'c-expiring').execute()).toEqual([]);
  });

  it('treats a save with no time left as expired, not as a row without expiry', async () => {
    const interactions = adapter('Interaction');
    await interactions.upsert('i-late', { uid: 'i-late' }, 0);
    expect(await interactions.find('i-late')).toBeUndefined();
    expect(await sweepExpiredOidcPayloads(db, now)).toBeGreaterThanOrEqual(1);
  });

  it('marks a consumed model so oidc-provider can detect a code used twice', async () => {
    const codes = adapter('AuthorizationCode');
    await codes.upsert('c1', { grantId: 'g1' }, 60);
    await codes.consume('c1');
    expect((await codes.find('c1'))?.consumed).toBe(Math.floor(now / 1000));
  });

  it('lets exactly one of two consumptions of one code succeed, as between two instances, and refuses the other as a replay', async () => {
    const codes = adapter('AuthorizationCode');
    await codes.upsert('c-race', { grantId: 'g-race' }, 60);
    const outcomes = await Promise.allSettled([codes.consume('c-race'), codes.consume('c-race')]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ error: 'invalid_grant' });
    // Access tokens are not single-use: consuming one twice is not an error.
    await adapter('AccessToken').upsert('t-twice', { grantId: 'g-race' }, 60);
    await adapter('AccessToken').consume('t-twice');
    await expect(adapter('AccessToken').consume('t-twice')).resolves.toBeUndefined();
  });

  it('revokes a grant\'s codes and tokens but not an interaction that carries the same grant id', async () => {
    await adapter('AuthorizationCode').upsert('c2', { grantId: 'g2' }, 60);
    await adapter('AccessToken').upsert('t2', { grantId: 'g2' }, 60);
    await adapter('Interaction').upsert('i2', { uid: 'i2', grantId: 'g2' }, 60);
    await adapter('AuthorizationCode').revokeByGrantId('g2');
    expect(await adapter('AuthorizationCode').find('c2')).toBeUndefined();
    expect(await adapter('AccessToken').find('t2')).toBeUndefined();
    expect(await adapter('Interaction').find('i2')).toEqual({ uid: 'i2', grantId: 'g2' });
  });

  it('looks up by uid and by grant id through indexes that hold only the rows that have one', async () => {
    if (isPostgres(db)) {
      const definition = async (index: string) =>
        (await sql<{ indexdef: string }>`select indexdef from pg_indexes where indexname = ${index}`.execute(db)).rows[0]?.indexdef;
      expect(await definition('oidc_payloads_uid')).toMatch(/\(model, uid\) WHERE \(uid IS NOT NULL\)/);
      expect(await definition('oidc_payloads_grant')).toMatch(/\(grant_id\) WHERE \(grant_id IS NOT NULL\)/);
      return;
    }
    const plan = async (query: string) => JSON.stringify((await sql.raw(`explain query plan ${query.replace(/\?/g, "'x'")}`).execute(db)).rows);
    expect(await plan('select * from oidc_payloads where model = ? and uid = ?')).toContain('oidc_payloads_uid');
    expect(await plan('select * from oidc_payloads where grant_id = ? and model in (?)')).toContain('oidc_payloads_grant');
    const definition = async (index: string) => (await sql<{ sql: string }>`select sql from sqlite_master where name = ${index}`.execute(db)).rows[0]!.sql;
    expect(await definition('oidc_payloads_uid')).toMatch(/where "uid" is not null/i);
    expect(await definition('oidc_payloads_grant')).toMatch(/where "grant_id" is not null/i);
  });
});
