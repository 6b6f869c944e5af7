import { gzipSync } from 'node:zlib';
import { commentsUrl, expectError, getComments, postComment, request, rowCounts, startTestbed, type CommentsTestbed } from './support';

/**
 * Hostile or broken requests from a signed-in commenter: each gets the right 4xx with a clear
 * message, never a 500, and leaves nothing in the database.
 */
describe('the comment API refuses bad input cleanly and writes nothing', () => {
  let bed: CommentsTestbed;
  let base: string;
  let token: string;
  let otherSiteToken: string;
  const post = 'input-post';

  beforeAll(async () => {
    bed = await startTestbed();
    base = bed.service.url;
    token = await bed.tokens.mint({ sub: 'careless' });
    otherSiteToken = await bed.tokens.mint({ sub: 'careless', client_id: 'other-blog' });
  });
  afterAll(() => bed.stop());

  const raw = (body: string | Buffer, headers: Record<string, string> = {}) =>
    request(commentsUrl(base, 'demo-blog', post), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });

  describe('the body is not JSON we read', () => {
    it.each([
      ['a JSON syntax error', '{"body": "unterminated'],
      ['a trailing comma', '{"body": "x",}'],
      ['a bare string (only objects and arrays are parsed)', '"just a string"'],
      ['a bare number', '42'],
      ['null', 'null'],
    ])('answers 400 invalid_json for %s', async (_case, body) => {
      expectError(await raw(body), 400, 'invalid_json');
    });

    it.each([
      ['text/plain', { 'content-type': 'text/plain' }],
      ['a form', { 'content-type': 'application/x-www-form-urlencoded' }],
      ['multipart', { 'content-type': 'multipart/form-data; boundary=x' }],
      ['a JSON look-alike type', { 'content-type': 'application/json-patch+json' }],
      ['another charset', { 'content-type': 'application/json; charset=latin1' }],
    ])('answers 415 unsupported_media_type for %s', async (_case, headers) => {
      expectError(await raw('{"body":"hello"}', headers), 415, 'unsupported_media_type');
    });

    it('answers 415 unsupported_media_type when there is no Content-Type at all', async () => {
      const response = await request(commentsUrl(base, 'demo-blog', post), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: new Uint8Array(Buffer.from('{"body":"hello"}')),
      });
      expectError(response, 415, 'unsupported_media_type');
    });

    it('answers 415 unsupported_media_type for a compressed body instead of inflating it', async () => {
      expectError(await raw(gzipSync('{"body":"hello"}'), { 'content-encoding': 'gzip' }), 415, 'unsupported_media_type');
    });

    it('accepts application/json with charset=utf-8 and any letter case', async () => {
      const response = await raw('{"body":"Charset spelled out"}', { 'content-type': 'Application/JSON; charset=UTF-8' });
      expect(response.status).toBe(201);
    });
  });

  describe('the JSON does not have the right shape', () => {
    it.each([
      ['an array', [], 'invalid_body'],
      ['an empty object', {}, 'missing_field'],
      ['a body that is a number', { body: 42 }, 'invalid_field_type'],
      ['a body that is null', { body: null }, 'invalid_field_type'],
      ['a body that is an array', { body: ['a'] }, 'invalid_field_type'],
      ['a body that is an object', { body: { text: 'a' } }, 'invalid_field_type'],
      ['a parentId that is a number', { body: 'x', parentId: 7 }, 'invalid_field_type'],
      ['a parentId that is an object', { body: 'x', parentId: { id: 'a' } }, 'invalid_field_type'],
      ['a parentId that is true', { body: 'x', parentId: true }, 'invalid_field_type'],
      ['an unknown field', { body: 'x', author: 'Admin' }, 'unknown_field'],
      ['a misspelt field', { body: 'x', parent_id: 'abc' }, 'unknown_field'],
    ])('answers 400 for %s', async (_case, payload, code) => {
      expectError(await postComment(base, 'demo-blog', post, token, payload), 400, code);
    });

    it.each(['__proto__', 'constructor', 'prototype'])('answers 400 forbidden_field for a "%s" key and pollutes nothing', async (key) => {
      const response = await raw(`{"body":"x","${key}":{"polluted":true,"isAdmin":true}}`);
      expectError(response, 400, 'forbidden_field');
      expect(response.json.message).toContain(key);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    });

    it('names the unknown field in the message, shortened when it is long', async () => {
      const response = await postComment(base, 'demo-blog', post, token, { body: 'x', ['k'.repeat(500)]: 1 });
      expectError(response, 400, 'unknown_field');
      expect(response.json.message!.length).toBeLessThan(120);
    });
  });

  describe('the comment itself is not acceptable', () => {
    it.each([
      ['an empty body', ''],
      ['only spaces and newlines', ' \n\t \r\n '],
      ['only control characters', '\u0000\u0001\u001b\u007f'],
    ])('answers 422 comment_empty for %s', async (_case, body) => {
      expectError(await postComment(base, 'demo-blog', post, token, { body }), 422, 'comment_empty');
    });

    it('answers 422 comment_too_long for 10,001 characters, both numbers written with a thousands separator', async () => {
      const response = await postComment(base, 'demo-blog', post, token, { body: 'a'.repeat(10_001) });
      expectError(response, 422, 'comment_too_long');
      expect(response.json.message).toBe('The comment has 10,001 characters; at most 10,000 are allowed.');
    });

    it('answers 413 payload_too_large for a request body over 64 KiB, saying so', async () => {
      const response = await postComment(base, 'demo-blog', post, token, { body: 'a'.repeat(100_000) });
      expectError(response, 413, 'payload_too_large');
      expect(response.json.message).toBe('The request body is larger than 64 KiB.');
    });

    it('answers 413 payload_too_large for a huge body without reading it all', async () => {
      const response = await raw(Buffer.alloc(5 * 1024 * 1024, 0x61));
      expectError(response, 413, 'payload_too_large');
    });
  });

  describe('the reply has no valid parent here', () => {
    let otherPostComment: string;
    let otherSiteComment: string;

    beforeAll(async () => {
      otherPostComment = (await postComment(base, 'demo-blog', 'elsewhere', token, { body: 'On another post' })).json.comment!.id;
      otherSiteComment = (await postComment(base, 'other-blog', post, otherSiteToken, { body: 'On another site' })).json.comment!.id;
    });

    it('answers 422 parent_not_found for a parent on another post of the site', async () => {
      const response = await postComment(base, 'demo-blog', post, token, { body: 'Reply', parentId: otherPostComment });
      expectError(response, 422, 'parent_not_found');
      expect(response.json.message).toContain('another post');
    });

    it('answers 422 parent_not_found for a parent on another site with the same post id', async () => {
      expectError(await postComment(base, 'demo-blog', post, token, { body: 'Reply', parentId: otherSiteComment }), 422, 'parent_not_found');
    });

    it.each([
      ['that does not exist', 'AAAAAAAAAAAAAAAA'],
      ['that could never be a comment id', '../../etc/passwd'],
      ['that is empty', ''],
    ])('answers 422 parent_not_found for a parent id %s', async (_case, parentId) => {
      expectError(await postComment(base, 'demo-blog', post, token, { body: 'Reply', parentId }), 422, 'parent_not_found');
    });
  });

  describe('the URL or headers are wrong', () => {
    it.each([
      ['with a space', 'a%20b'],
      ['with an encoded slash', 'a%2Fb'],
      ['with non-ASCII letters', 'caf%C3%A9'],
      ['of 201 characters', 'p'.repeat(201)],
    ])('answers 400 invalid_post_id for a post id %s, on GET and POST', async (_case, badPost) => {
      expectError(await getComments(base, 'demo-blog', badPost), 400, 'invalid_post_id');
      expectError(await postComment(base, 'demo-blog', badPost, token, { body: 'x' }), 400, 'invalid_post_id');
    });

    it('answers 400 invalid_request for a broken percent-escape in the URL', async () => {
      expectError(await request(`${base}/api/sites/demo-blog/posts/%E0%A4%A/comments`), 400, 'invalid_request');
    });

    it('answers 404 unknown_site when posting to a site that does not exist', async () => {
      expectError(await postComment(base, 'no-such-blog', post, token, { body: 'x' }), 404, 'unknown_site');
    });

    it.each([
      ['too long', 'k'.repeat(256)],
      ['containing a space', 'my key'],
      ['empty', ''],
    ])('answers 400 invalid_idempotency_key for an Idempotency-Key %s', async (_case, key) => {
      expectError(await postComment(base, 'demo-blog', post, token, { body: 'x' }, { 'idempotency-key': key }), 400, 'invalid_idempotency_key');
    });
  });

  it('wrote only the comments that were accepted', async () => {
    const listed = (await getComments(base, 'demo-blog', post)).json.comments!;
    expect(listed.map((comment) => comment.body)).toEqual(['Charset spelled out']);
    const counts = await rowCounts(bed.service.dataDir);
    // The one above and the two parents (on another post, on another site); a counter for each
    // of the two rate-limit rules of each of the two commenters (demo-blog's and other-blog's).
    expect(counts).toEqual({ comments: 3, bans: 0, idempotency_keys: 0, rate_limits: 4 });
  });
});
