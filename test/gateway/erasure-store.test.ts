import { openDatabase, type Db } from '../../src/store/database';
import { ErasureStore, type ClaimedErasure } from '../../src/gateway/account-data/erasure-store';
import { DEFAULT_ERASURE_TIMINGS, retryDelayMs } from '../../src/gateway/account-data/erasure-worker';
import { makeDataDir } from '../helpers/data-dir';
import { testDatabaseUrl } from '../helpers/postgres';

/**
 * The erasures table as several gateway instances share it: two stores, each on a connection of
 * its own to one database, claim due erasures with a lease and never the same one.
 */
describe('erasure store', () => {
  const dataDir = makeDataDir();
  let first: Db;
  let second: Db;
  let now = 1_000_000;
  const clock = () => now;

  beforeAll(async () => {
    const databaseUrl = await testDatabaseUrl(dataDir);
    first = await openDatabase({ dataDir, fileName: 'gateway.db', databaseUrl });
    second = await openDatabase({ dataDir, fileName: 'gateway.db', databaseUrl });
  });
  afterAll(async () => {
    await first.destroy();
    await second.destroy();
  });

  const LEASE_MS = 60_000;
  const subjects = (n: number) => [{ site: 'demo-blog', sub: `sub-${n}` }];

  it('lets two instances claim due erasures without ever both taking one, and not again while leased', async () => {
    const a = new ErasureStore(first, clock);
    const b = new ErasureStore(second, clock);
    const created: ClaimedErasure[] = [];
    // Created with an instant lease, as if the first attempt had already run out of time.
    for (let n = 0; n < 6; n++) created.push(await a.create(subjects(n), 0));
    now += 1;
    const [claimedByA, claimedByB] = await Promise.all([a.claimDue(LEASE_MS, 6), b.claimDue(LEASE_MS, 6)]);
    const ids = [...claimedByA, ...claimedByB].map((erasure) => erasure.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(created.map((erasure) => erasure.id).sort());
    expect(claimedByA.find((erasure) => erasure.id === created[0]!.id)?.subjects ?? claimedByB.find((erasure) => erasure.id === created[0]!.id)?.subjects).toEqual(subjects(0));

    expect(await a.claimDue(LEASE_MS, 6)).toEqual([]);
    // A lease that ran out (an instance that died mid-attempt) frees the erasure for another.
    now += LEASE_MS;
    expect((await b.claimDue(LEASE_MS, 6)).length).toBe(6);
    for (const erasure of created) await a.markDone(erasure.id);
  });

  it('waits out the backoff after a failure, and keeps nothing but a receipt once done', async () => {
    const store = new ErasureStore(first, clock);
    const erasure = await store.create(subjects(9), LEASE_MS);
    expect(await store.status(erasure.id)).toBe('in_progress');
    await store.markFailed(erasure.id, 1, now + 30_000, 'comment service unreachable');
    now += 29_999;
    expect(await store.claimDue(LEASE_MS, 10)).toEqual([]);
    now += 1;
    const [again] = await store.claimDue(LEASE_MS, 10);
    expect(again).toEqual({ id: erasure.id, subjects: subjects(9), attempts: 1, createdAt: erasure.createdAt });

    await store.markDone(erasure.id);
    expect(await store.status(erasure.id)).toBe('done');
    const row = await first.selectFrom('erasures').selectAll().where('id', '=', erasure.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ subjects: '[]', lease_until: null, last_error: null });
    now += 24 * 60 * 60 * 1000;
    expect(await store.claimDue(LEASE_MS, 10)).toEqual([]);
  });

  it('says done at the first confirmation, yet keeps the subjects for the follow-up pass, and then only the receipt', async () => {
    const store = new ErasureStore(first, clock);
    const erasure = await store.create(subjects(11), LEASE_MS);
    const confirmedAt = now;
    await store.markConfirmedPendingFollowUp(erasure.id, erasure.createdAt + 15_000);
    expect(await store.status(erasure.id)).toBe('done');
    now += 14_999;
    expect(await store.claimDue(LEASE_MS, 10)).toEqual([]);
    now += 1;
    const [followUp] = await store.claimDue(LEASE_MS, 10);
    expect(followUp).toMatchObject({ id: erasure.id, subjects: subjects(11), attempts: 0 });
    // A failed follow-up is retried like any attempt; the page still says done.
    await store.markFailed(erasure.id, 1, now + 30_000, 'comment service unreachable');
    expect(await store.status(erasure.id)).toBe('done');
    now += 30_000;
    expect(await store.claimDue(LEASE_MS, 10)).toHaveLength(1);
    await store.markDone(erasure.id);
    const row = await first.selectFrom('erasures').selectAll().where('id', '=', erasure.id).executeTakeFirstOrThrow();
    // Done since the first confirmation, and nothing kept but the receipt.
    expect(row).toMatchObject({ subjects: '[]', done_at: confirmedAt, lease_until: null, last_error: null });
    now += 24 * 60 * 60 * 1000;
    expect(await store.claimDue(LEASE_MS, 10)).toEqual([]);
  });

  it('knows nothing of ids it never made', async () => {
    const store = new ErasureStore(first, clock);
    for (const id of ['', 'AAAAAAAAAAAAAAAAAAAAAAAA', "x' or '1'='1", 'a'.repeat(500)]) expect(await store.status(id)).toBeUndefined();
  });

  it('backs off from 30 seconds, doubling, to at most an hour', () => {
    const delays = [1, 2, 3, 4, 7, 8, 100, 10_000].map((failures) => retryDelayMs(failures, DEFAULT_ERASURE_TIMINGS));
    expect(delays).toEqual([30_000, 60_000, 120_000, 240_000, 1_920_000, 3_600_000, 3_600_000, 3_600_000]);
  });
});
