import { PassThrough } from 'node:stream';
import { runComments } from '../../src/commands/comments';
import { UsageError } from '../../src/commands/usage-error';
import type { ExportedComment } from '../../src/comments/comment-export';
import { openCommentsDatabase } from '../../src/comments/database';
import { postComment, startTestbed, type CommentsTestbed } from './support';

/** `parley comments export <site>` (issue 14, item 3): a site's comments as JSON Lines. */
describe('export from the command line', () => {
  let bed: CommentsTestbed;
  let base: string;

  beforeAll(async () => {
    bed = await startTestbed();
    base = bed.service.url;
  });
  afterAll(() => bed.stop());

  async function parley(...args: string[]): Promise<{ text: string; report: string[] }> {
    const output = new PassThrough();
    const chunks: Buffer[] = [];
    output.on('data', (chunk: Buffer) => chunks.push(chunk));
    const report: string[] = [];
    await runComments(bed.service.settings, args, { output, report: (line) => report.push(line), print: (line) => report.push(line) });
    return { text: Buffer.concat(chunks).toString('utf8'), report };
  }

  const lines = (text: string) => text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as ExportedComment);

  it('writes every comment of the site, threads, states and authors included, and nothing of other sites', async () => {
    const alice = await bed.tokens.mint({ sub: 'export-alice', name: 'Alice "the" <b>Author</b>' });
    const bob = await bed.tokens.mint({ sub: 'export-bob', name: 'Bob' });
    const elsewhere = await bed.tokens.mint({ sub: 'export-alice', client_id: 'other-blog' });
    const top = (await postComment(base, 'demo-blog', 'export-post', alice, { body: 'First line\nsecond line — ünïcode 🎉' })).json.comment!;
    const reply = (await postComment(base, 'demo-blog', 'export-post', bob, { body: 'A reply', parentId: top.id })).json.comment!;
    const hidden = (await postComment(base, 'demo-blog', 'export-other-post', bob, { body: 'Hidden, kept for the owner' })).json.comment!;
    const deleted = (await postComment(base, 'demo-blog', 'export-other-post', alice, { body: 'Deleted text' })).json.comment!;
    await postComment(base, 'other-blog', 'export-post', elsewhere, { body: 'Another site' });
    await runComments(bed.service.settings, ['hide', 'demo-blog', hidden.id], { print: () => undefined });
    await runComments(bed.service.settings, ['delete', 'demo-blog', deleted.id], { print: () => undefined });

    const { text, report } = await parley('export', 'demo-blog');
    const exported = lines(text).filter((line) => line.post.startsWith('export-'));
    expect(exported).toEqual([
      {
        id: top.id,
        site: 'demo-blog',
        post: 'export-post',
        parentId: null,
        author: { sub: 'export-alice', name: 'Alice "the" <b>Author</b>', picture: 'https://pics.example/ada.png', idp: 'twitter' },
        body: 'First line\nsecond line — ünïcode 🎉',
        createdAt: top.createdAt,
        state: 'visible',
        hiddenAt: null,
        deletedAt: null,
      },
      expect.objectContaining({ id: reply.id, parentId: top.id, body: 'A reply', author: expect.objectContaining({ sub: 'export-bob', name: 'Bob' }) }),
      expect.objectContaining({ id: hidden.id, state: 'hidden', body: 'Hidden, kept for the owner', hiddenAt: expect.stringMatching(/^\d{4}-.*Z$/) }),
      expect.objectContaining({ id: deleted.id, state: 'deleted', body: '', author: expect.objectContaining({ name: '' }), deletedAt: expect.stringMatching(/Z$/) }),
    ]);
    expect(text).not.toContain('Another site');
    // One object per line: a newline in a comment is escaped, never a line break of the file.
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n').filter((line) => line !== '')).toHaveLength(lines(text).length);
    expect(report).toEqual([`parley: exported ${lines(text).length} comments of demo-blog`]);
  });

  it('pages through more comments than one read holds, in order, each once', async () => {
    // Written straight into the database (through a second connection, as another process would):
    // 2,345 comments through the API would meet its rate limits.
    const db = await openCommentsDatabase(bed.service.settings);
    const rows = Array.from({ length: 2_345 }, (_, index) => ({
      id: `many${String(index).padStart(6, '0')}`,
      site_id: 'paged-blog-site',
      post_id: 'many',
      parent_id: null,
      author_sub: 'export-many',
      author_name: 'Many',
      author_picture: null,
      author_idp: 'email',
      body: `Comment ${index}`,
      created_at: 1_700_000_000_000 + index,
      hidden_at: null,
      deleted_at: null,
    }));
    try {
      for (let start = 0; start < rows.length; start += 500) await db.insertInto('comments').values(rows.slice(start, start + 500)).execute();
    } finally {
      await db.destroy();
    }
    const settings = { ...bed.service.settings, sites: [...bed.service.settings.sites, { ...bed.service.settings.sites[0]!, id: 'paged-blog-site' }] };
    const output = new PassThrough();
    const chunks: Buffer[] = [];
    output.on('data', (chunk: Buffer) => chunks.push(chunk));
    await runComments(settings, ['export', 'paged-blog-site'], { output, report: () => undefined });
    const exported = lines(Buffer.concat(chunks).toString('utf8'));
    expect(exported.map((line) => line.body)).toEqual(rows.map((row) => row.body));
  });

  it('refuses an unknown site or a missing one, writing nothing', async () => {
    await expect(parley('export', 'no-such-blog')).rejects.toThrow(UsageError);
    await expect(parley('export')).rejects.toThrow(/comments export takes exactly one argument/);
    await expect(parley('export', 'demo-blog', 'extra')).rejects.toThrow(/exactly one argument/);
  });
});
