import { sql } from 'kysely';
import { FORMER_COMMENTER_NAME } from '../../src/backchannel/protocol';
import type { CommentsDb } from '../../src/comments/database';
import type { ApiComment } from '../../src/comments/presentation';
import { KEEP_PAGE, startErasureTestbed, type ErasureTestbed } from '../comments/commenter-data-support';
import { getComments } from '../comments/support';

/**
 * A commenter's erasure on PostgreSQL with two instances of the comment service, as behind a
 * load balancer: the gateway's request lands on one, readers on the other.
 */
describe('erasing a commenter with two comment-service instances on one PostgreSQL database', () => {
  let bed: ErasureTestbed;
  let b: { readonly url: string; stop(): Promise<void> };
  let db: CommentsDb;

  beforeAll(async () => {
    bed = await startErasureTestbed();
    b = await bed.anotherInstance();
    db = await bed.database();
  });
  afterAll(async () => {
    await db.destroy();
    await b.stop();
    await bed.stop();
  });

  const entries = async (url: string, site: string, post: string) => (await getComments(url, site, post)).json.comments!;
  const version = async (site: string, post: string) =>
    Number((await sql<{ version: number }>`select version from thread_versions where site_id = ${site} and post_id = ${post}`.execute(db)).rows[0]?.version ?? 0);

  it('runs on PostgreSQL', () => {
    expect(bed.settings.databaseUrl).toMatch(/^postgres:\/\//);
  });

  it('anonymises at A what B had cached, on B\'s very next answer; the export at B is empty and a repeat at B finds nothing', async () => {
    const ada = await bed.token('keep-blog', 'pg-ada');
    const adaRemove = await bed.token('remove-blog', 'pg-ada');
    const bea = await bed.token('remove-blog', 'pg-bea', { name: 'Bea Bystander' });
    const kept = await bed.post('keep-blog', 'pg-keep', ada, { body: 'Kept words', pageUrl: KEEP_PAGE });
    const removed = await bed.post('remove-blog', 'pg-remove', adaRemove, { body: 'Removed words' });
    await bed.moderate('remove-blog', `/comments/${removed}/approve`);
    const reply = await bed.post('remove-blog', 'pg-remove', bea, { body: 'Bea stays', parentId: removed });
    await bed.moderate('remove-blog', `/comments/${reply}/approve`);

    // B reads both threads (and caches them) before the erasure.
    expect((await entries(b.url, 'keep-blog', 'pg-keep'))[0]).toMatchObject({ author: { name: 'Reader pg-ada' } });
    expect((await entries(b.url, 'remove-blog', 'pg-remove')).map((entry) => entry.body)).toEqual(['Removed words', 'Bea stays']);
    const versionsBefore = [await version('keep-blog', 'pg-keep'), await version('remove-blog', 'pg-remove')];

    const subjects = [
      { site: 'keep-blog', sub: 'pg-ada' },
      { site: 'remove-blog', sub: 'pg-ada' },
    ];
    expect(await bed.erase(subjects)).toEqual({ anonymisedComments: 2 });

    const versionsAfter = [await version('keep-blog', 'pg-keep'), await version('remove-blog', 'pg-remove')];
    expect(versionsAfter[0]).toBeGreaterThan(versionsBefore[0]!);
    expect(versionsAfter[1]).toBeGreaterThan(versionsBefore[1]!);
    const keptNow = (await entries(b.url, 'keep-blog', 'pg-keep'))[0] as ApiComment;
    expect(keptNow).toMatchObject({ id: kept, body: 'Kept words', author: { name: FORMER_COMMENTER_NAME, picture: null, idp: 'erased' } });
    expect(await entries(b.url, 'remove-blog', 'pg-remove')).toEqual([
      { id: removed, parentId: null, author: null, body: '', createdAt: expect.any(String), state: 'deleted' },
      expect.objectContaining({ id: reply, body: 'Bea stays', author: expect.objectContaining({ name: 'Bea Bystander' }) }),
    ]);
    expect(await bed.exportOf(subjects, b.url)).toEqual({ comments: [] });
    expect(await bed.erase(subjects, b.url)).toEqual({ anonymisedComments: 0 });
  });

  it('erases each comment once when the gateway\'s retry reaches the other instance while the first request is still running', async () => {
    const token = await bed.token('keep-blog', 'pg-twice');
    for (const body of ['One', 'Two', 'Three']) await bed.post('keep-blog', 'pg-twice', token, { body });
    const subjects = [{ site: 'keep-blog', sub: 'pg-twice' }];
    const answers = await Promise.all([bed.erase(subjects), bed.erase(subjects, b.url)]);
    expect(answers.map((answer) => answer.anonymisedComments).sort()).toEqual([0, 3]);
    const comments = (await entries(b.url, 'keep-blog', 'pg-twice')) as ApiComment[];
    expect(comments.map((comment) => comment.author.name)).toEqual(Array(3).fill(FORMER_COMMENTER_NAME));
    expect(new Set(comments.map((comment) => comment.authorKey)).size).toBe(3);
  });
});
