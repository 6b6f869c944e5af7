import { commentsUrl, expectError, getComments, postComment, request, startTestbed, type CommentsTestbed } from './support';

describe('the comment API', () => {
  let bed: CommentsTestbed;
  let base: string;

  beforeAll(async () => {
    bed = await startTestbed();
    base = bed.service.url;
  });
  afterAll(() => bed.stop());

  describe('GET comments', () => {
    it('answers an empty list for a post nobody has commented on yet', async () => {
      const response = await getComments(base, 'demo-blog', 'never-commented');
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ comments: [] });
    });

    it('answers 404 unknown_site for a site that is not in the sites file', async () => {
      expectError(await getComments(base, 'no-such-blog', 'a-post'), 404, 'unknown_site');
    });

    it('answers JSON that a browser will not sniff, frame or cache', async () => {
      const response = await getComments(base, 'demo-blog', 'headers-post');
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('x-powered-by')).toBeNull();
    });
  });

  describe('POST a comment', () => {
    it('answers 201 with the comment, its author taken from the token', async () => {
      const token = await bed.tokens.mint({ sub: 'post-author', name: 'Grace Hopper', picture: 'https://pics.example/grace.png', idp: 'facebook' });
      const response = await postComment(base, 'demo-blog', 'first-post', token, { body: 'Lovely post!' });
      expect(response.status).toBe(201);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      const comment = response.json.comment!;
      expect(comment).toEqual({
        id: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/),
        parentId: null,
        author: { name: 'Grace Hopper', picture: 'https://pics.example/grace.png', idp: 'facebook' },
        body: 'Lovely post!',
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        authorKey: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/),
      });
      expect((await getComments(base, 'demo-blog', 'first-post')).json).toEqual({ comments: [comment] });
    });

    it('gives a commenter without a picture picture: null', async () => {
      const token = await bed.tokens.mint({ sub: 'no-picture', picture: undefined, idp: 'email' });
      const response = await postComment(base, 'demo-blog', 'picture-post', token, { body: 'No avatar here' });
      expect(response.json.comment!.author).toEqual({ name: 'Ada Lovelace', picture: null, idp: 'email' });
    });

    it('keeps the author as the token said at posting time, even after the name changes', async () => {
      const before = await bed.tokens.mint({ sub: 'renamer', name: 'Old Name' });
      await postComment(base, 'demo-blog', 'rename-post', before, { body: 'Under my old name' });
      const after = await bed.tokens.mint({ sub: 'renamer', name: 'New Name' });
      await postComment(base, 'demo-blog', 'rename-post', after, { body: 'Under my new name' });
      const names = (await getComments(base, 'demo-blog', 'rename-post')).json.comments!.map((comment) => comment.author?.name);
      expect(names).toEqual(['Old Name', 'New Name']);
    });

    it('threads replies under their parent and lists everything in creation order', async () => {
      const ada = await bed.tokens.mint({ sub: 'thread-ada', name: 'Ada' });
      const bob = await bed.tokens.mint({ sub: 'thread-bob', name: 'Bob' });
      const first = (await postComment(base, 'demo-blog', 'thread-post', ada, { body: 'First' })).json.comment!;
      const second = (await postComment(base, 'demo-blog', 'thread-post', bob, { body: 'Second', parentId: null })).json.comment!;
      const reply = (await postComment(base, 'demo-blog', 'thread-post', bob, { body: 'Reply to first', parentId: first.id })).json.comment!;
      const nested = (await postComment(base, 'demo-blog', 'thread-post', ada, { body: 'Reply to the reply', parentId: reply.id })).json.comment!;
      expect(reply.parentId).toBe(first.id);
      expect(nested.parentId).toBe(reply.id);

      const listed = (await getComments(base, 'demo-blog', 'thread-post')).json.comments!;
      expect(listed.map((comment) => [comment.body, comment.parentId])).toEqual([
        ['First', null],
        ['Second', null],
        ['Reply to first', first.id],
        ['Reply to the reply', reply.id],
      ]);
      expect(listed.map((comment) => comment.id)).toEqual([first.id, second.id, reply.id, nested.id]);
    });

    it('keeps posts and sites apart', async () => {
      const demo = await bed.tokens.mint({ sub: 'apart' });
      const other = await bed.tokens.mint({ sub: 'apart', client_id: 'other-blog' });
      await postComment(base, 'demo-blog', 'shared-slug', demo, { body: 'On demo-blog' });
      await postComment(base, 'other-blog', 'shared-slug', other, { body: 'On other-blog' });
      await postComment(base, 'demo-blog', 'another-slug', demo, { body: 'On another post' });
      const bodies = async (site: string, post: string) => (await getComments(base, site, post)).json.comments!.map((comment) => comment.body);
      expect(await bodies('demo-blog', 'shared-slug')).toEqual(['On demo-blog']);
      expect(await bodies('other-blog', 'shared-slug')).toEqual(['On other-blog']);
      expect(await bodies('demo-blog', 'another-slug')).toEqual(['On another post']);
    });

    it('accepts post ids made of letters, digits and . _ ~ -', async () => {
      const token = await bed.tokens.mint({ sub: 'slugs' });
      const response = await postComment(base, 'demo-blog', '2024.05_my~post-1', token, { body: 'Slug test' });
      expect(response.status).toBe(201);
      expect((await getComments(base, 'demo-blog', '2024.05_my~post-1')).json.comments).toHaveLength(1);
    });
  });

  describe('comment text', () => {
    it('stores markup as the text it is and sends it back escaped inside JSON, never as HTML', async () => {
      const token = await bed.tokens.mint({ sub: 'markup' });
      const body = '<script>alert("x")</script> & <img src=x onerror=alert(1)>';
      const response = await postComment(base, 'demo-blog', 'markup-post', token, { body });
      expect(response.json.comment!.body).toBe(body);
      const listed = await getComments(base, 'demo-blog', 'markup-post');
      expect(listed.json.comments![0]!.body).toBe(body);
      expect(listed.text).not.toContain('<script>');
      expect(listed.text).toContain('\\u003cscript\\u003e');
      expect(listed.headers.get('x-content-type-options')).toBe('nosniff');
    });

    it('trims the ends, keeps newlines and tabs, and drops control characters', async () => {
      const token = await bed.tokens.mint({ sub: 'controls' });
      const response = await postComment(base, 'demo-blog', 'controls-post', token, { body: '  \r\nline one\r\n\tline\u0000 two\u001b[31m\u0007\u0085 \n  ' });
      expect(response.status).toBe(201);
      expect(response.json.comment!.body).toBe('line one\n\tline two[31m');
    });

    it('normalises to NFC and keeps emoji whole', async () => {
      const token = await bed.tokens.mint({ sub: 'unicode' });
      const response = await postComment(base, 'demo-blog', 'unicode-post', token, { body: 'Cafe\u0301 👩‍💻 \ud83d' });
      expect(response.json.comment!.body).toBe('Caf\u00e9 👩‍💻 \ufffd');
    });

    it('accepts 10,000 characters, counted as code points, even when each takes four bytes', async () => {
      const token = await bed.tokens.mint({ sub: 'long-writer' });
      const ascii = await postComment(base, 'demo-blog', 'long-post', token, { body: 'a'.repeat(10_000) });
      expect(ascii.status).toBe(201);
      const emoji = await postComment(base, 'demo-blog', 'long-post', token, { body: '😀'.repeat(10_000) });
      expect(emoji.status).toBe(201);
      expect([...emoji.json.comment!.body].length).toBe(10_000);
    });
  });

  describe('everything else', () => {
    it('answers GET /health with ok', async () => {
      const response = await request(`${base}/health`);
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ status: 'ok' });
    });

    it('answers 404 not_found as JSON for a path it does not serve', async () => {
      expectError(await request(`${base}/api/nothing-here`), 404, 'not_found');
      expectError(await request(`${base}/widget.jsx`), 404, 'not_found');
    });

    it('answers 405 method_not_allowed with Allow for other methods on the comments path', async () => {
      const response = await request(commentsUrl(base, 'demo-blog', 'a-post'), { method: 'DELETE' });
      expectError(response, 405, 'method_not_allowed');
      expect(response.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS');
    });

  });
});
