import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { COMMENTS_DB_FILE } from '../../src/comments';
import { postComment, startTestbed, type CommentsTestbed } from './support';

/**
 * Another process writes to comments.sqlite while the service takes comments: the moderation
 * commands do, and so would a second instance. A transaction that began by reading and only then
 * wrote could not wait its turn once another connection had committed in between (SQLite answers
 * SQLITE_BUSY at once instead of calling the busy handler), and the commenter got a 503.
 */
describe('comments while another process writes to the same database', () => {
  let bed: CommentsTestbed;
  let writer: ChildProcess | undefined;

  beforeAll(async () => {
    bed = await startTestbed();
  });
  afterAll(async () => {
    writer?.kill();
    await bed.stop();
  });

  /** A separate process committing small writes back to back, as fast as it can, until killed. */
  function startBusyWriter(file: string): Promise<ChildProcess> {
    const script = `
      const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
      const db = new Database(${JSON.stringify(file)});
      db.pragma('busy_timeout = 5000');
      db.exec('create table if not exists busy_writer (n integer)');
      const insert = db.prepare('insert into busy_writer (n) values (?)');
      process.stdout.write('ready\\n');
      for (let n = 0; ; n++) insert.run(n);
    `;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.stdout!.once('data', () => resolve(child));
    });
  }

  it('accepts every comment (none refused with 503) while another process commits continuously', async () => {
    // With an Idempotency-Key (the widget always sends one) the transaction starts by reading it.
    writer = await startBusyWriter(path.join(bed.service.dataDir, COMMENTS_DB_FILE));
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const token = await bed.tokens.mint({ sub: `concurrent-${i}` });
      statuses.push((await postComment(bed.service.url, 'demo-blog', 'busy-post', token, { body: `Comment ${i} while the database is busy` }, { 'idempotency-key': `busy-${i}-${Date.now()}` })).status);
    }
    writer.kill();
    expect(statuses).toEqual(Array.from({ length: 20 }, () => 201));
  });
});
