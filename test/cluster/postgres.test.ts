import { runComments } from '../../src/commands/comments';
import { openCommentsDatabase } from '../../src/comments';
import { CommentStore } from '../../src/comments/storage';
import { openDatabase } from '../../src/store/database';
import { RevocationStore } from '../../src/store/revocations';
import { makeDataDir } from '../helpers/data-dir';
import { startTestGateway, type RunningTestGateway } from '../helpers/gateway';
import { testDatabaseUrl, withClient } from '../helpers/postgres';
import { GatewayTokens, getComments, postComment, startCommentService, type RunningCommentService } from '../comments/support';

/**
 * PostgreSQL as several instances use it: each comment service below is a separate instance
 * (its own process state: caches, pools) on one shared database, as behind a load balancer.
 */
describe('comment services sharing one PostgreSQL database', () => {
  let gateway: RunningTestGateway;
  let tokens: GatewayTokens;
  let dataDir: string;
  let a: RunningCommentService;
  let b: RunningCommentService;

  beforeAll(async () => {
    gateway = await startTestGateway();
    tokens = await GatewayTokens.of(gateway);
    dataDir = makeDataDir();
    // Both at once, on a database nobody has migrated yet.
    [a, b] = await Promise.all([startCommentService(gateway.issuer, { dataDir }), startCommentService(gateway.issuer, { dataDir })]);
  });
  afterAll(async () => {
    await a.stop();
    await b.stop();
    await gateway.stop();
  });

  const bodies = async (service: RunningCommentService, post: string) => (await getComments(service.url, 'demo-blog', post)).json.comments!.map((comment) => comment.body);

  it('runs on PostgreSQL, its tables in a schema of their own', async () => {
    expect(a.settings.databaseUrl).toMatch(/^postgres:\/\//);
    const tables = await withClient(a.settings.databaseUrl!, async (client) =>
      (await client.query<{ table_name: string }>("select table_name from information_schema.tables where table_schema = 'parley_comments' order by 1")).rows.map((row) => row.table_name),
    );
    expect(tables).toEqual(expect.arrayContaining(['bans', 'comments', 'idempotency_keys', 'kysely_migration', 'rate_limits', 'thread_versions', 'write_probe']));
    // Migration 0004 replaced the one counter for the whole database by one per thread.
    expect(tables).not.toContain('comment_changes');
  });

  it('shows a comment posted through A in the thread B had cached, on the very next request', async () => {
    const token = await tokens.mint({ sub: 'fresh-thread' });
    expect((await postComment(a.url, 'demo-blog', 'fresh', token, { body: 'One' })).status).toBe(201);
    expect(await bodies(b, 'fresh')).toEqual(['One']);
    expect(await bodies(b, 'fresh')).toEqual(['One']); // now served from B's cache
    expect((await postComment(a.url, 'demo-blog', 'fresh', token, { body: 'Two' })).status).toBe(201);
    expect(await bodies(b, 'fresh')).toEqual(['One', 'Two']);
  });

  it('holds a moderator\'s hide and ban, made from the command line, on the next request to either instance', async () => {
    const token = await tokens.mint({ sub: 'troublemaker' });
    const posted = (await postComment(a.url, 'demo-blog', 'moderated', token, { body: 'Spam' })).json.comment!;
    expect(await bodies(a, 'moderated')).toEqual(['Spam']);
    expect(await bodies(b, 'moderated')).toEqual(['Spam']);
    await runComments(a.settings, ['hide', 'demo-blog', posted.id], { print: () => undefined });
    expect(await bodies(a, 'moderated')).toEqual([]);
    expect(await bodies(b, 'moderated')).toEqual([]);
    await runComments(a.settings, ['ban', 'demo-blog', 'troublemaker'], { print: () => undefined });
    expect((await postComment(b.url, 'demo-blog', 'moderated', token, { body: 'More spam' })).status).toBe(403);
  });

  it('writes one comment when one Idempotency-Key races in through both instances at once', async () => {
    const token = await tokens.mint({ sub: 'double-clicker' });
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, index) => postComment(index % 2 === 0 ? a.url : b.url, 'demo-blog', 'raced', token, { body: 'Once' }, { 'idempotency-key': 'race-key' })),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(8).fill(201));
    expect(new Set(responses.map((response) => response.json.comment!.id)).size).toBe(1);
    expect(await bodies(b, 'raced')).toEqual(['Once']);
  });

  it('counts one commenter\'s rate limit across instances', async () => {
    const token = await tokens.mint({ sub: 'fast-typist' });
    const statuses: number[] = [];
    for (let index = 0; index < 12; index += 1) {
      statuses.push((await postComment(index % 2 === 0 ? a.url : b.url, 'demo-blog', `limits-${index}`, token, { body: `Comment ${index}` })).status);
    }
    // The default short-window limit is 5 comments a minute per commenter (src/comments/rate-limits.ts).
    expect(statuses.filter((status) => status === 201)).toHaveLength(5);
    expect(statuses.slice(5).every((status) => status === 429)).toBe(true);
  });

  it('answers /readyz 503 while the database cannot take a write, and 200 again after', async () => {
    expect((await fetch(`${b.url}/readyz`)).status).toBe(200);
    await withClient(b.settings.databaseUrl!, async (client) => {
      await client.query('begin');
      await client.query('lock table parley_comments.write_probe in access exclusive mode');
      try {
        const answer = await fetch(`${b.url}/readyz`);
        expect(answer.status).toBe(503);
      } finally {
        await client.query('rollback');
      }
    });
    expect((await fetch(`${b.url}/readyz`)).status).toBe(200);
  });
});

describe('the stores on PostgreSQL', () => {
  it('give back bigint columns as numbers, as SQLite does', async () => {
    const dataDir = makeDataDir();
    const databaseUrl = await testDatabaseUrl(dataDir);
    const comments = await openCommentsDatabase({ dataDir, databaseUrl });
    const gateway = await openDatabase({ dataDir, fileName: 'gateway.sqlite', databaseUrl });
    try {
      const store = new CommentStore(comments);
      const row = await store.insert({
        id: 'c1',
        siteId: 'demo-blog',
        postId: 'p',
        parentId: null,
        authorSub: 's',
        authorName: 'N',
        authorPicture: null,
        authorIdp: 'email',
        body: 'Text',
        createdAt: 1_764_000_000_123,
      });
      expect(row).toMatchObject({ seq: 1, created_at: 1_764_000_000_123 });
      const [again] = await store.thread('demo-blog', 'p');
      expect(typeof again!.seq).toBe('number');
      expect(typeof again!.created_at).toBe('number');

      const revocations = new RevocationStore(gateway);
      await revocations.add({ jti: 'j1', jwt: 'x.y.z', expiresAt: Date.now() + 60_000 });
      expect(await revocations.listAfter(0, 10)).toEqual([{ seq: 1, jti: 'j1', jwt: 'x.y.z' }]);
    } finally {
      await comments.destroy();
      await gateway.destroy();
    }
  });
});
