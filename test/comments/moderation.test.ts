import { runComments } from '../../src/commands/comments';
import { UsageError } from '../../src/commands/usage-error';
import { expectError, getComments, postComment, startTestbed, type CommentsTestbed } from './support';

/** `parley comments ban|unban|hide|unhide|delete|list`, run while a service is serving. */
describe('moderation from the command line', () => {
  let bed: CommentsTestbed;
  let base: string;
  const output: string[] = [];

  beforeAll(async () => {
    bed = await startTestbed();
    base = bed.service.url;
  });
  afterAll(() => bed.stop());

  /** Runs `parley comments <args>` against the running service's data directory. */
  async function parley(...args: string[]): Promise<string> {
    output.length = 0;
    await runComments(bed.service.settings, args, { print: (line) => output.push(line) });
    return output.join('\n');
  }

  describe('ban and unban', () => {
    it('refuses the very next request of a token issued before the ban, and unban lets it through again', async () => {
      const token = await bed.tokens.mint({ sub: 'troll' });
      expect((await postComment(base, 'demo-blog', 'ban-post', token, { body: 'Before the ban' })).status).toBe(201);

      expect(await parley('ban', 'demo-blog', 'troll')).toBe('banned troll on demo-blog');
      const refused = await postComment(base, 'demo-blog', 'ban-post', token, { body: 'After the ban' });
      expectError(refused, 403, 'banned');

      expect(await parley('unban', 'demo-blog', 'troll')).toBe('unbanned troll on demo-blog');
      expect((await postComment(base, 'demo-blog', 'ban-post', token, { body: 'After the unban' })).status).toBe(201);
      const bodies = (await getComments(base, 'demo-blog', 'ban-post')).json.comments!.map((comment) => comment.body);
      expect(bodies).toEqual(['Before the ban', 'After the unban']);
    });

    it('leaves the banned commenter\'s earlier comments readable', async () => {
      const token = await bed.tokens.mint({ sub: 'banned-but-read' });
      await postComment(base, 'demo-blog', 'ban-read', token, { body: 'Still here' });
      await parley('ban', 'demo-blog', 'banned-but-read');
      expect((await getComments(base, 'demo-blog', 'ban-read')).json.comments!.map((comment) => comment.body)).toEqual(['Still here']);
    });

    it('bans on one site only', async () => {
      await parley('ban', 'demo-blog', 'two-sites');
      const elsewhere = await bed.tokens.mint({ sub: 'two-sites', client_id: 'other-blog' });
      expect((await postComment(base, 'other-blog', 'ban-other', elsewhere, { body: 'Fine here' })).status).toBe(201);
    });

    it('refuses a banned commenter before looking at the request body', async () => {
      await parley('ban', 'demo-blog', 'banned-garbage');
      const token = await bed.tokens.mint({ sub: 'banned-garbage' });
      expectError(await postComment(base, 'demo-blog', 'ban-post', token, '{not json'), 403, 'banned');
    });

    it('says so when the commenter was already banned, or was not banned', async () => {
      await parley('ban', 'demo-blog', 'twice');
      expect(await parley('ban', 'demo-blog', 'twice')).toBe('twice was already banned on demo-blog');
      expect(await parley('unban', 'demo-blog', 'never-banned')).toBe('never-banned was not banned on demo-blog');
    });
  });

  describe('hide and unhide', () => {
    it('keeps a hidden comment with replies as a placeholder, its replies readable and threaded', async () => {
      const author = await bed.tokens.mint({ sub: 'hidden-author', name: 'Spammer' });
      const replier = await bed.tokens.mint({ sub: 'hide-replier', name: 'Replier' });
      const parent = (await postComment(base, 'demo-blog', 'hide-post', author, { body: 'Buy pills' })).json.comment!;
      const reply = (await postComment(base, 'demo-blog', 'hide-post', replier, { body: 'This is spam', parentId: parent.id })).json.comment!;
      const nested = (await postComment(base, 'demo-blog', 'hide-post', author, { body: 'No it is not', parentId: reply.id })).json.comment!;

      expect(await parley('hide', 'demo-blog', parent.id)).toBe(`hid comment ${parent.id}`);
      const listed = (await getComments(base, 'demo-blog', 'hide-post')).json.comments!;
      expect(listed).toEqual([
        { id: parent.id, parentId: null, author: null, body: '', createdAt: parent.createdAt, state: 'hidden' },
        reply,
        nested,
      ]);
      expect(JSON.stringify(listed)).not.toContain('Buy pills');
    });

    it('leaves out a hidden comment that has no visible reply, and unhide brings it back as it was', async () => {
      const token = await bed.tokens.mint({ sub: 'hide-leaf' });
      const comment = (await postComment(base, 'demo-blog', 'hide-leaf', token, { body: 'Rude words' })).json.comment!;
      await parley('hide', 'demo-blog', comment.id);
      expect((await getComments(base, 'demo-blog', 'hide-leaf')).json.comments).toEqual([]);

      expect(await parley('unhide', 'demo-blog', comment.id)).toBe(`comment ${comment.id} is shown again`);
      expect((await getComments(base, 'demo-blog', 'hide-leaf')).json.comments).toEqual([comment]);
    });

    it('refuses replies to a hidden comment with 422 parent_not_found', async () => {
      const token = await bed.tokens.mint({ sub: 'hide-target' });
      const comment = (await postComment(base, 'demo-blog', 'hide-reply', token, { body: 'Hidden soon' })).json.comment!;
      await parley('hide', 'demo-blog', comment.id);
      expectError(await postComment(base, 'demo-blog', 'hide-reply', token, { body: 'Reply', parentId: comment.id }), 422, 'parent_not_found');
    });

    it('says so when the comment was already hidden or not hidden', async () => {
      const token = await bed.tokens.mint({ sub: 'hide-twice' });
      const comment = (await postComment(base, 'demo-blog', 'hide-twice', token, { body: 'Twice' })).json.comment!;
      expect(await parley('unhide', 'demo-blog', comment.id)).toBe(`comment ${comment.id} was not hidden`);
      await parley('hide', 'demo-blog', comment.id);
      expect(await parley('hide', 'demo-blog', comment.id)).toBe(`comment ${comment.id} was already hidden`);
    });
  });

  describe('delete', () => {
    it('erases the text and author for good, keeping a placeholder while replies hang under it', async () => {
      const author = await bed.tokens.mint({ sub: 'deleted-author', name: 'Oversharer' });
      const replier = await bed.tokens.mint({ sub: 'delete-replier' });
      const parent = (await postComment(base, 'demo-blog', 'delete-post', author, { body: 'My phone number is 555-0100' })).json.comment!;
      const reply = (await postComment(base, 'demo-blog', 'delete-post', replier, { body: 'You should not share that', parentId: parent.id })).json.comment!;

      expect(await parley('delete', 'demo-blog', parent.id)).toBe(`deleted comment ${parent.id} (its text and author are erased)`);
      expect((await getComments(base, 'demo-blog', 'delete-post')).json.comments).toEqual([
        { id: parent.id, parentId: null, author: null, body: '', createdAt: parent.createdAt, state: 'deleted' },
        reply,
      ]);
      const listing = await parley('list', 'demo-blog', 'delete-post');
      expect(listing).not.toContain('555-0100');
      expect(listing).not.toContain('Oversharer');
      await expect(parley('unhide', 'demo-blog', parent.id)).rejects.toThrow(/was deleted/);
      expect(await parley('delete', 'demo-blog', parent.id)).toBe(`comment ${parent.id} was already deleted`);
    });

    it('drops a deleted comment without replies from the list', async () => {
      const token = await bed.tokens.mint({ sub: 'delete-leaf' });
      const comment = (await postComment(base, 'demo-blog', 'delete-leaf', token, { body: 'Gone soon' })).json.comment!;
      await parley('delete', 'demo-blog', comment.id);
      expect((await getComments(base, 'demo-blog', 'delete-leaf')).json.comments).toEqual([]);
    });
  });

  describe('list', () => {
    it('shows each comment with its id, state and author subject, which is what ban takes', async () => {
      const token = await bed.tokens.mint({ sub: 'listed-sub', name: 'Listed' });
      const comment = (await postComment(base, 'demo-blog', 'list-post', token, { body: 'Line one\nline two' })).json.comment!;
      const listing = await parley('list', 'demo-blog', 'list-post');
      expect(listing).toContain(comment.id);
      expect(listing).toContain('visible');
      expect(listing).toContain('sub=listed-sub');
      expect(listing).toContain('"Line one line two"');
      expect(await parley('list', 'demo-blog', 'empty-post')).toBe('no comments on demo-blog/empty-post');
    });
  });

  describe('mistakes on the command line', () => {
    it.each([
      [['ban', 'no-such-blog', 'someone'], /unknown site "no-such-blog"/],
      [['frobnicate', 'demo-blog', 'x'], /unknown comments action "frobnicate"/],
      [['ban', 'demo-blog'], /takes exactly two arguments/],
      [['ban', 'demo-blog', 'a', 'b'], /takes exactly two arguments/],
      [['hide', 'demo-blog', 'not a comment id!'], /is not a comment id/],
      [['hide', 'demo-blog', 'AAAAAAAAAAAAAAAA'], /does not exist/],
      [['hide', 'other-blog', 'AAAAAAAAAAAAAAAA'], /does not exist/],
      [['list', 'demo-blog', 'bad post'], /is not a valid post id/],
      [['constructor', 'demo-blog', 'x'], /unknown comments action "constructor"/],
    ])('refuses `parley comments %j` with a UsageError', async (args, message) => {
      const failure = parley(...args);
      await expect(failure).rejects.toBeInstanceOf(UsageError);
      await expect(failure).rejects.toThrow(message);
    });

    it('cannot hide a comment through another site', async () => {
      const token = await bed.tokens.mint({ sub: 'cross-site' });
      const comment = (await postComment(base, 'demo-blog', 'cross-site', token, { body: 'Mine' })).json.comment!;
      await expect(parley('hide', 'other-blog', comment.id)).rejects.toThrow(/does not exist/);
      expect((await getComments(base, 'demo-blog', 'cross-site')).json.comments).toEqual([comment]);
    });

    it('prints the usage for help', async () => {
      expect(await parley('help')).toMatch(/^usage: parley comments/);
    });
  });
});
