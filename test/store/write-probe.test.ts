import path from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { openDatabase, type Db } from '../../src/store/database';
import { probeWrites, WRITE_PROBE_BUSY_TIMEOUT_MS } from '../../src/store/write-probe';
import { makeDataDir } from '../helpers/data-dir';

describe('probeWrites', () => {
  let dataDir: string;
  let db: Db;

  beforeEach(async () => {
    dataDir = makeDataDir();
    db = await openDatabase({ dataDir, fileName: 'gateway.sqlite' });
  });
  afterEach(() => db.destroy());

  const busyTimeout = async () => (await sql<{ timeout: number }>`pragma busy_timeout`.execute(db)).rows[0]?.timeout;

  it('writes its one row, and only one however often it runs', async () => {
    await probeWrites(db, 1_000);
    await probeWrites(db, 2_000);
    const rows = (await sql<{ id: number; probed_at: number }>`select id, probed_at from write_probe`.execute(db)).rows;
    expect(rows).toEqual([{ id: 1, probed_at: 2_000 }]);
  });

  it('rejects within its own short busy timeout while another connection holds the write lock, then leaves the connection’s own', async () => {
    const before = await busyTimeout();
    expect(before).toBeGreaterThan(WRITE_PROBE_BUSY_TIMEOUT_MS);
    const other = new Database(path.join(dataDir, 'gateway.sqlite'));
    try {
      other.exec('begin exclusive');
      // Twice: the statements are prepared once and cached, and must act on every run.
      for (let run = 0; run < 2; run++) {
        const started = performance.now();
        // better-sqlite3's errors come from another realm, which toThrow does not recognise.
        await expect(probeWrites(db)).rejects.toMatchObject({ message: expect.stringMatching(/database is locked/) });
        expect(performance.now() - started).toBeLessThan(before! / 2);
        expect(await busyTimeout()).toBe(before);
      }
      other.exec('rollback');
      await expect(probeWrites(db)).resolves.toBeUndefined();
    } finally {
      other.close();
    }
  });
});
