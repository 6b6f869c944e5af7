import path from 'node:path';
import Database from 'better-sqlite3';
import { COMMENTS_DB_FILE, openCommentsDatabase, type CommentsDb } from '../../src/comments';
import { checkSqliteOutsideWrites } from '../../src/comments/outside-writes';
import { CommentStore, newCommentId } from '../../src/comments/storage';
import { makeDataDir } from '../helpers/data-dir';

/** SQLite's change signal (PRAGMA data_version) on the service's connection, on a real file. */
describe('noticing writes by other connections', () => {
  let dataDir: string;
  let db: CommentsDb;
  let noticed: number;
  let check: () => Promise<void>;

  beforeEach(async () => {
    dataDir = makeDataDir();
    db = await openCommentsDatabase({ dataDir, databaseUrl: undefined });
    noticed = 0;
    check = checkSqliteOutsideWrites(db, () => {
      noticed += 1;
    });
  });
  afterEach(() => db.destroy());

  function insertThroughOwnConnection(): Promise<unknown> {
    return new CommentStore(db).insert({
      id: newCommentId(),
      siteId: 'demo-blog',
      postId: 'own',
      parentId: null,
      authorSub: 'own-writer',
      authorName: 'Own',
      authorPicture: null,
      authorIdp: 'email',
      body: 'Written by the service itself',
      createdAt: Date.now(),
    });
  }

  function banThroughSecondConnection(sub: string): void {
    const other = new Database(path.join(dataDir, COMMENTS_DB_FILE));
    try {
      other.prepare('insert into bans (site_id, sub, created_at) values (?, ?, ?)').run('demo-blog', sub, Date.now());
    } finally {
      other.close();
    }
  }

  it('reports a change on the first check, when it cannot know what happened before', async () => {
    await check();
    expect(noticed).toBe(1);
  });

  it('stays quiet while nobody writes, and about the connection\'s own writes', async () => {
    await check();
    await check();
    await insertThroughOwnConnection();
    await check();
    expect(noticed).toBe(1);
  });

  it('reports every commit by another connection, once', async () => {
    await check();
    banThroughSecondConnection('first');
    await check();
    expect(noticed).toBe(2);
    await check();
    expect(noticed).toBe(2);
    banThroughSecondConnection('second');
    await check();
    expect(noticed).toBe(3);
  });
});
