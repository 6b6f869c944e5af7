import { randomUUID } from 'node:crypto';
import { COMMENTS_DB_FILE } from '../../src/comments';
import { schemaFor } from '../../src/store/database';
import { postComment, startTestbed, type CommentsTestbed } from '../comments/support';
import { testDatabaseUrl, withClient } from '../helpers/postgres';

/**
 * On PostgreSQL a comment write waits only for writes to the same thread (found by
 * concurrent-sign-ins.test.ts, fixed by migration 0004).
 *
 * Until then every statement that changed `comments` raised one counter row for the whole
 * database (comment_changes, migration 0003), and that row stayed locked until the writing
 * transaction ended: comment writes ran one at a time across the whole cluster, and past the
 * statement timeout (src/store/dependency-timeouts.ts) the ones waiting were refused with 503.
 * Seen: 200 comment POSTs sent at once to two services gave 60-64 503s, their inserts waiting on
 * Lock:transactionid; and one comment transaction left open (an instance that lost its network
 * mid-write, ended by PostgreSQL only after idle_in_transaction, 10 s) refused every comment in
 * the cluster meanwhile, which is what this test shows. Now each thread has its own counter.
 */
describe('comment writes on PostgreSQL', () => {
  let bed: CommentsTestbed;

  beforeAll(async () => {
    bed = await startTestbed();
  });

  afterAll(async () => {
    await bed.stop();
  });

  /** Runs `use` while a comment on another post is written and not committed, as an instance that went quiet mid-write leaves it. */
  async function whileAnotherCommentIsHalfWritten(use: () => Promise<void>): Promise<void> {
    const databaseUrl = await testDatabaseUrl(bed.service.dataDir);
    if (databaseUrl === undefined) throw new Error('this test belongs to the cluster suite: npm run test:cluster');
    await withClient(databaseUrl, async (writer) => {
      await writer.query('begin');
      try {
        // The service's own connections work in its schema; the trigger names its table without one.
        await writer.query(`set local search_path to ${schemaFor(COMMENTS_DB_FILE)}`);
        await writer.query(
          `insert into comments (id, site_id, post_id, author_sub, author_name, author_idp, body, created_at)
           values ($1, 'demo-blog', 'first-post', 'someone-else', 'Someone Else', 'email', 'Half way through', $2)`,
          [randomUUID().slice(0, 16), Date.now()],
        );
        await use();
      } finally {
        await writer.query('rollback');
      }
    });
  }

  // Keeps the set-up honest: the half-written comment really is held open.
  it('can hold a comment half-written the way an instance would', async () => {
    await expect(whileAnotherCommentIsHalfWritten(async () => undefined)).resolves.toBeUndefined();
  });

  it('accepts a comment on one post while a comment on another post is being written and not yet committed', async () => {
    const token = await bed.tokens.mint({ sub: 'unrelated-commenter' });
    await whileAnotherCommentIsHalfWritten(async () => {
      const posted = await postComment(bed.service.url, 'demo-blog', 'second-post', token, { body: 'On another post altogether' }, { 'idempotency-key': randomUUID() });
      expect(posted.status).toBe(201);
    });
  });
});
