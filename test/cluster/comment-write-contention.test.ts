import { randomUUID } from 'node:crypto';
import { COMMENTS_DB_FILE } from '../../src/comments';
import { schemaFor } from '../../src/store/database';
import { postComment, startTestbed, type CommentsTestbed } from '../comments/support';
import { testDatabaseUrl, withClient } from '../helpers/postgres';

/**
 * A known bug, found by concurrent-sign-ins.test.ts, kept here as `it.failing` until it is fixed
 * (then turn it into `it`): on PostgreSQL every comment write, on any post, from any instance,
 * waits for every other one still under way.
 *
 * Every statement that changes `comments` raises one counter row (comment_changes, migration
 * 0003, read by outside-writes.ts), and that row stays locked until the writing transaction ends.
 * Comment writes therefore run one at a time across the whole cluster, however many instances
 * there are; past the statement timeout (1.2 s, src/store/dependency-timeouts.ts) the ones
 * waiting are refused with 503. Seen: 200 comment POSTs sent at once to two services gave 60-64
 * 503s ("canceling statement due to statement timeout"), their inserts waiting on
 * Lock:transactionid in pg_stat_activity. And one comment transaction left open (an instance
 * that lost its network mid-write; PostgreSQL ends it only after idle_in_transaction, 10 s)
 * refuses every comment in the cluster meanwhile, which is what this test shows.
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

  // The failing test below passes on any error; this one keeps its set-up honest.
  it('can hold a comment half-written the way an instance would', async () => {
    await expect(whileAnotherCommentIsHalfWritten(async () => undefined)).resolves.toBeUndefined();
  });

  it.failing('accept a comment on one post while a comment on another post is being written and not yet committed', async () => {
    const token = await bed.tokens.mint({ sub: 'unrelated-commenter' });
    await whileAnotherCommentIsHalfWritten(async () => {
      const posted = await postComment(bed.service.url, 'demo-blog', 'second-post', token, { body: 'On another post altogether' }, { 'idempotency-key': randomUUID() });
      expect(posted.status).toBe(201);
    });
  });
});
