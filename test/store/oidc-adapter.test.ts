import path from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase, type Db } from '../../src/store/database';
import { OidcAdapter, sweepExpiredOidcPayloads } from '../../src/store/oidc-adapter';
import { makeDataDir } from '../helpers/data-dir';

/** oidc-provider's storage contract on a real SQLite file. */
describe('OidcAdapter', () => {
  let dataDir: string;
  let db: Db;
  let raw: Database.Database;
  let now = 1_700_000_000_000;
  const adapter = (model: string) => new OidcAdapter(db, model, () => now);

  beforeAll(async () => {
    dataDir = makeDataDir();
    db = await openDatabase({ dataDir, fileName: 'gateway.sqlite' });
    raw = new Database(path.join(dataDir, 'gateway.sqlite'));
  });

  afterAll(async () => {
    raw.close();
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
    expect(raw.prepare('select count(*) n from oidc_payloads where id = ?').get('c-expiring')).toEqual({ n: 0 });
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

  it('revokes a grant\'s codes and tokens but not an interaction that carries the same grant id', async () => {
    await adapter('AuthorizationCode').upsert('c2', { grantId: 'g2' }, 60);
    await adapter('AccessToken').upsert('t2', { grantId: 'g2' }, 60);
    await adapter('Interaction').upsert('i2', { uid: 'i2', grantId: 'g2' }, 60);
    await adapter('AuthorizationCode').revokeByGrantId('g2');
    expect(await adapter('AuthorizationCode').find('c2')).toBeUndefined();
    expect(await adapter('AccessToken').find('t2')).toBeUndefined();
    expect(await adapter('Interaction').find('i2')).toEqual({ uid: 'i2', grantId: 'g2' });
  });

  it('looks up by uid and by grant id through indexes that hold only the rows that have one', () => {
    const plan = (sql: string) => JSON.stringify(raw.prepare(`explain query plan ${sql}`).all('x', 'y'));
    expect(plan('select * from oidc_payloads where model = ? and uid = ?')).toContain('oidc_payloads_uid');
    expect(plan('select * from oidc_payloads where grant_id = ? and model in (?)')).toContain('oidc_payloads_grant');
    const definition = (index: string) => (raw.prepare('select sql from sqlite_master where name = ?').get(index) as { sql: string }).sql;
    expect(definition('oidc_payloads_uid')).toMatch(/where "uid" is not null/i);
    expect(definition('oidc_payloads_grant')).toMatch(/where "grant_id" is not null/i);
  });
});
