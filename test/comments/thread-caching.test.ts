import path from 'node:path';
import Database from 'better-sqlite3';
import { runComments } from '../../src/commands/comments';
import { COMMENTS_DB_FILE, type ApiComment } from '../../src/comments';
import { CommentStore } from '../../src/comments/storage';
import { commentsUrl, DEMO_ORIGIN, type ApiResponse, getComments, postComment, request, startTestbed, type CommentsTestbed } from './support';

/**
 * GET comments served from the per-post cache (thread-cache.ts): the same bytes and ETag while
 * nothing changes, 304 for a client that has them, and never a thread older than a write that
 * finished before the GET, whether the write came over the API or from another connection.
 */
describe('the comment thread cache, over HTTP', () => {
  let bed: CommentsTestbed;
  let base: string;

  beforeAll(async () => {
    bed = await startTestbed();
    base = bed.service.url;
  });
  afterAll(() => bed.stop());

  /** Posts `bodies` on the post, one commenter each, and answers the comments as posted. */
  async function seed(post: string, ...bodies: string[]): Promise<ApiComment[]> {
    const comments: ApiComment[] = [];
    for (const [index, body] of bodies.entries()) {
      const token = await bed.tokens.mint({ sub: `${post}-commenter-${index}` });
      const response = await postComment(base, 'demo-blog', post, token, { body });
      expect(response.status).toBe(201);
      comments.push(response.json.comment!);
    }
    return comments;
  }

  /** Writes straight into comments.sqlite on a connection of its own, as another process would. */
  function writeThroughSecondConnection(statement: string, ...parameters: unknown[]): void {
    const db = new Database(path.join(bed.service.dataDir, COMMENTS_DB_FILE));
    try {
      db.prepare(statement).run(...parameters);
    } finally {
      db.close();
    }
  }

  it('answers a second GET from the cache: the same body and strong ETag, without reading the rows again', async () => {
    await seed('same-twice', 'One', 'Two');
    // The service runs in this process, so its reads of the comments table can be counted.
    const reads = jest.spyOn(CommentStore.prototype, 'thread');
    let first: ApiResponse;
    let second: ApiResponse;
    try {
      first = await getComments(base, 'demo-blog', 'same-twice');
      second = await getComments(base, 'demo-blog', 'same-twice');
      expect(reads.mock.calls.filter(([, post]) => post === 'same-twice')).toHaveLength(1);
    } finally {
      reads.mockRestore();
    }
    expect(first.status).toBe(200);
    expect(first.json.comments!.map((comment) => comment.body)).toEqual(['One', 'Two']);
    expect(first.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(second.status).toBe(200);
    expect(second.text).toBe(first.text);
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
  });

  it('answers 304 with no body to If-None-Match with the current ETag, 200 to a stale one', async () => {
    await seed('not-modified', 'Cached');
    const first = await getComments(base, 'demo-blog', 'not-modified');
    const etag = first.headers.get('etag')!;

    const unchanged = await getComments(base, 'demo-blog', 'not-modified', { 'if-none-match': etag });
    expect(unchanged.status).toBe(304);
    expect(unchanged.text).toBe('');
    expect(unchanged.headers.get('etag')).toBe(etag);
    // fetch() sent `Cache-Control: no-cache` with that If-None-Match (the Fetch standard says so);
    // the 304 must not depend on its absence. Any of a list, a weak form and `*` match as well.
    for (const condition of [`"another", ${etag}`, `W/${etag}`, '*']) {
      expect((await getComments(base, 'demo-blog', 'not-modified', { 'if-none-match': condition })).status).toBe(304);
    }

    const stale = await getComments(base, 'demo-blog', 'not-modified', { 'if-none-match': '"some-older-etag"' });
    expect(stale.status).toBe(200);
    expect(stale.text).toBe(first.text);
  });

  it('keeps the content type, security and CORS headers on cached answers, and answers HEAD without a body', async () => {
    await seed('cached-headers', 'Headers');
    await getComments(base, 'demo-blog', 'cached-headers');
    const cached = await getComments(base, 'demo-blog', 'cached-headers', { origin: DEMO_ORIGIN });
    expect(cached.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(cached.headers.get('content-length')).toBe(String(Buffer.byteLength(cached.text)));
    expect(cached.headers.get('x-content-type-options')).toBe('nosniff');
    expect(cached.headers.get('cache-control')).toBe('no-store');
    expect(cached.headers.get('access-control-allow-origin')).toBe(DEMO_ORIGIN);
    expect(cached.headers.get('vary')).toMatch(/Origin/);

    const head = await request(commentsUrl(base, 'demo-blog', 'cached-headers'), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(head.headers.get('etag')).toBe(cached.headers.get('etag'));
    expect(head.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('lists a POSTed comment in the very next GET, under a new ETag', async () => {
    await seed('post-then-get', 'Before');
    const before = await getComments(base, 'demo-blog', 'post-then-get');
    await getComments(base, 'demo-blog', 'post-then-get');

    const [added] = await seed('post-then-get', 'After');
    const after = await getComments(base, 'demo-blog', 'post-then-get');
    expect(after.json.comments!.map((comment) => comment.body)).toEqual(['Before', 'After']);
    expect(after.json.comments![1]).toEqual(added);
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
    // A client holding the old ETag is not told "not modified".
    expect((await getComments(base, 'demo-blog', 'post-then-get', { 'if-none-match': before.headers.get('etag')! })).status).toBe(200);
  });

  it('shows a comment hidden through a second database connection in the very next GET', async () => {
    const [kept, hidden] = await seed('hidden-elsewhere', 'Stays', 'Hidden by another process');
    const before = await getComments(base, 'demo-blog', 'hidden-elsewhere');
    expect(before.json.comments).toHaveLength(2);

    writeThroughSecondConnection('update comments set hidden_at = ? where id = ?', Date.now(), hidden!.id);
    const after = await getComments(base, 'demo-blog', 'hidden-elsewhere');
    expect(after.json.comments).toEqual([kept]);
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
  });

  it('shows a comment hidden by `parley comments hide` in the very next GET, and unhidden again after', async () => {
    const [parent] = await seed('hidden-by-command', 'Rude parent');
    const replier = await bed.tokens.mint({ sub: 'hidden-by-command-replier' });
    const reply = (await postComment(base, 'demo-blog', 'hidden-by-command', replier, { body: 'Reply', parentId: parent!.id })).json.comment!;
    expect((await getComments(base, 'demo-blog', 'hidden-by-command')).json.comments).toEqual([parent, reply]);

    await runComments(bed.service.settings, ['hide', 'demo-blog', parent!.id], { print: () => undefined });
    expect((await getComments(base, 'demo-blog', 'hidden-by-command')).json.comments).toEqual([
      { id: parent!.id, parentId: null, author: null, body: '', createdAt: parent!.createdAt, state: 'hidden' },
      reply,
    ]);

    await runComments(bed.service.settings, ['unhide', 'demo-blog', parent!.id], { print: () => undefined });
    expect((await getComments(base, 'demo-blog', 'hidden-by-command')).json.comments).toEqual([parent, reply]);
  });
});
