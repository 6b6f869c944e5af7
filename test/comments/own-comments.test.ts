import { randomUUID } from 'node:crypto';
import { openCommentsDatabase } from '../../src/comments';
import { Moderation } from '../../src/comments/moderation';
import { authorKeyOf } from '../../src/comments/presentation';
import { makeProof, dpopKey } from '../../packages/verify/test/helpers/dpop';
import { COMMENTS_URL } from '../helpers/gateway';
import { testDatabaseUrl } from '../helpers/postgres';
import { startModerationTestbed, type ModerationTestbed } from './moderation-support';
import { commentsUrl, DEMO_ORIGIN, expectError, getComments, OTHER_ORIGIN, postComment, request, startTestbed, TestClock, type ApiResponse, type CommentsTestbed } from './support';

/**
 * A commenter's own comments (src/comments/own-comments.ts): PATCH within 15 minutes and DELETE
 * at any time, by the author only, over real HTTP with tokens made as the gateway makes them; the
 * service's clock is the test's, so "after 15 minutes" takes no time.
 */
describe('editing and deleting one\'s own comment', () => {
  const clock = new TestClock();
  let bed: CommentsTestbed;
  let base: string;

  beforeAll(async () => {
    bed = await startTestbed({ clock: clock.now, rateLimits: [{ limit: 1000, windowSeconds: 60 }] });
    base = bed.service.url;
  });
  afterAll(() => bed.stop());

  const commentUrl = (post: string, id: string) => `${commentsUrl(base, 'demo-blog', post)}/${id}`;

  function patch(post: string, id: string, token: string | undefined, payload: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
    return request(commentUrl(post, id), {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...headers },
      body: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
  }

  function remove(post: string, id: string, token: string | undefined, headers: Record<string, string> = {}): Promise<ApiResponse> {
    return request(commentUrl(post, id), { method: 'DELETE', headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...headers } });
  }

  async function post(postId: string, token: string, body: string, parentId?: string): Promise<string> {
    const posted = await postComment(base, 'demo-blog', postId, token, parentId === undefined ? { body } : { body, parentId });
    expect(posted.status).toBe(201);
    return posted.json.comment!.id;
  }

  const thread = async (postId: string) => (await getComments(base, 'demo-blog', postId)).json.comments!;

  /** Another connection to the service's database, as `parley comments hide` opens one. */
  async function asTheModerationCommand<T>(act: (moderation: Moderation) => Promise<T>): Promise<T> {
    const db = await openCommentsDatabase({ dataDir: bed.service.dataDir, databaseUrl: await testDatabaseUrl(bed.service.dataDir) });
    try {
      return await act(new Moderation(db));
    } finally {
      await db.destroy();
    }
  }

  describe('PATCH', () => {
    it('lets the author change the text: 200 with the comment and editedAt, and the thread shows it at once', async () => {
      const ada = await bed.tokens.mint({ sub: 'edit-ada' });
      const id = await post('edit-post', ada, 'Teh engine');
      expect((await thread('edit-post'))[0]).not.toHaveProperty('editedAt');
      clock.advanceSeconds(60);
      const edited = await patch('edit-post', id, ada, { body: 'The engine' });
      expect(edited.status).toBe(200);
      expect(edited.json.comment).toMatchObject({ id, body: 'The engine', editedAt: new Date(clock.nowMs).toISOString(), authorKey: authorKeyOf('demo-blog', 'edit-ada') });
      const [listed] = await thread('edit-post');
      expect(listed).toEqual(edited.json.comment);
    });

    it('does not mark a comment edited when the text sent is the text it has', async () => {
      const ada = await bed.tokens.mint({ sub: 'same-text' });
      const id = await post('same-post', ada, 'Unchanged');
      const answer = await patch('same-post', id, ada, { body: '  Unchanged  ' });
      expect(answer.status).toBe(200);
      expect(answer.json.comment).not.toHaveProperty('editedAt');
    });

    it('refuses another commenter, and a moderator, with 403 not_author, and changes nothing', async () => {
      const ada = await bed.tokens.mint({ sub: 'victim-ada' });
      const id = await post('not-mine', ada, 'My words');
      expectError(await patch('not-mine', id, await bed.tokens.mint({ sub: 'mallory' }), { body: 'Your words' }), 403, 'not_author');
      expectError(await patch('not-mine', id, await bed.tokens.mint({ sub: 'a-moderator', roles: ['moderator'] }), { body: 'Moderated' }), 403, 'not_author');
      expectError(await remove('not-mine', id, await bed.tokens.mint({ sub: 'mallory' })), 403, 'not_author');
      expect((await thread('not-mine')).map((entry) => entry.body)).toEqual(['My words']);
    });

    it('refuses the same sub on another site with 403 wrong_site (pairwise subjects mean nothing elsewhere)', async () => {
      const ada = await bed.tokens.mint({ sub: 'two-sites' });
      const id = await post('site-post', ada, 'On demo-blog');
      expectError(await patch('site-post', id, await bed.tokens.mint({ sub: 'two-sites', client_id: 'other-blog' }), { body: 'x' }), 403, 'wrong_site');
    });

    it('closes after 15 minutes with 403 edit_window_closed', async () => {
      const ada = await bed.tokens.mint({ sub: 'late-ada' });
      const id = await post('late-post', ada, 'Written in haste');
      clock.advanceSeconds(15 * 60);
      expect((await patch('late-post', id, ada, { body: 'Still in time' })).status).toBe(200);
      clock.advanceSeconds(1);
      expectError(await patch('late-post', id, ada, { body: 'Too late' }), 403, 'edit_window_closed');
      expect((await thread('late-post'))[0]!.body).toBe('Still in time');
      // Deleting has no window.
      expect((await remove('late-post', id, ada)).status).toBe(204);
    });

    it('refuses a hidden comment with 409 comment_hidden and a deleted one with 409 comment_deleted', async () => {
      const ada = await bed.tokens.mint({ sub: 'removed-ada' });
      const hidden = await post('removed-post', ada, 'To be hidden');
      const deleted = await post('removed-post', ada, 'To be deleted');
      await asTheModerationCommand(async (moderation) => {
        await moderation.hide('demo-blog', hidden);
        await moderation.delete('demo-blog', deleted);
      });
      expectError(await patch('removed-post', hidden, ada, { body: 'Bringing it back' }), 409, 'comment_hidden');
      expectError(await patch('removed-post', deleted, ada, { body: 'Bringing it back' }), 409, 'comment_deleted');
      expect(await thread('removed-post')).toEqual([]);
    });

    it('answers 404 comment_not_found for an unknown id, a malformed one, and a comment of another post', async () => {
      const ada = await bed.tokens.mint({ sub: 'lost-ada' });
      const id = await post('where-post', ada, 'Here');
      expectError(await patch('where-post', 'AAAAAAAAAAAAAAAA', ada, { body: 'x' }), 404, 'comment_not_found');
      expectError(await patch('where-post', 'no%20such', ada, { body: 'x' }), 404, 'comment_not_found');
      expectError(await patch('elsewhere-post', id, ada, { body: 'x' }), 404, 'comment_not_found');
      expectError(await remove('elsewhere-post', id, ada), 404, 'comment_not_found');
    });

    it('validates like a POST: no token 401, bad JSON 400, parentId 400, empty 422, too long 422, too large 413, banned 403', async () => {
      const ada = await bed.tokens.mint({ sub: 'valid-ada' });
      const id = await post('valid-post', ada, 'Valid');
      expectError(await patch('valid-post', id, undefined, { body: 'x' }), 401, 'invalid_token');
      expectError(await patch('valid-post', id, ada, '{"body":'), 400, 'invalid_json');
      expectError(await patch('valid-post', id, ada, { body: 'x', parentId: null }), 400, 'unknown_field');
      expectError(await patch('valid-post', id, ada, { body: 7 }), 400, 'invalid_field_type');
      expectError(await patch('valid-post', id, ada, { body: '   ' }), 422, 'comment_empty');
      expectError(await patch('valid-post', id, ada, { body: 'x'.repeat(10_001) }), 422, 'comment_too_long');
      expectError(await patch('valid-post', id, ada, { body: 'x'.repeat(70_000) }), 413, 'payload_too_large');
      expectError(await patch('valid-post', id, ada, { body: 'x' }, { 'content-type': 'text/plain' }), 415, 'unsupported_media_type');
      await asTheModerationCommand((moderation) => moderation.ban('demo-blog', 'valid-ada'));
      expectError(await patch('valid-post', id, ada, { body: 'Let me in' }), 403, 'banned');
      expect((await thread('valid-post'))[0]!.body).toBe('Valid');
    });

    it('replays the first answer to a retry with the same Idempotency-Key, and refuses the key for anything else', async () => {
      const ada = await bed.tokens.mint({ sub: 'retry-ada' });
      const id = await post('retry-post', ada, 'First draft');
      const key = randomUUID();
      const first = await patch('retry-post', id, ada, { body: 'Second draft' }, { 'idempotency-key': key });
      expect(first.status).toBe(200);
      clock.advanceSeconds(5);
      // Meanwhile, from another tab, a third draft.
      expect((await patch('retry-post', id, ada, { body: 'Third draft' })).status).toBe(200);
      const replay = await patch('retry-post', id, ada, { body: 'Second draft' }, { 'idempotency-key': key });
      expect(replay.status).toBe(200);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.json).toEqual(first.json);
      // The replay wrote nothing: the third draft stands.
      expect((await thread('retry-post'))[0]!.body).toBe('Third draft');
      // A retry that comes after the 15 minutes still gets its first answer, and writes nothing.
      clock.advanceSeconds(16 * 60);
      const late = await patch('retry-post', id, ada, { body: 'Second draft' }, { 'idempotency-key': key });
      expect({ status: late.status, replayed: late.headers.get('idempotent-replayed') }).toEqual({ status: 200, replayed: 'true' });
      expect((await thread('retry-post'))[0]!.body).toBe('Third draft');
      expectError(await patch('retry-post', id, ada, { body: 'Fourth draft' }, { 'idempotency-key': key }), 422, 'idempotency_key_reused');
      expectError(await postComment(base, 'demo-blog', 'retry-post', ada, { body: 'Second draft' }, { 'idempotency-key': key }), 422, 'idempotency_key_reused');
    });

    it('drops the cached thread: a GET that was served from the cache sees the edit and the deletion next', async () => {
      const ada = await bed.tokens.mint({ sub: 'cache-ada' });
      const id = await post('cache-post', ada, 'Cached');
      const before = await getComments(base, 'demo-blog', 'cache-post');
      await getComments(base, 'demo-blog', 'cache-post');
      await patch('cache-post', id, ada, { body: 'Fresh' });
      const after = await getComments(base, 'demo-blog', 'cache-post', { 'if-none-match': before.headers.get('etag')! });
      expect(after.status).toBe(200);
      expect(after.json.comments![0]!.body).toBe('Fresh');
      await remove('cache-post', id, ada);
      expect(await thread('cache-post')).toEqual([]);
    });
  });

  describe('DELETE', () => {
    it('leaves a "deleted" placeholder while a reply hangs under it, as a moderator\'s deletion does', async () => {
      const ada = await bed.tokens.mint({ sub: 'del-ada' });
      const bob = await bed.tokens.mint({ sub: 'del-bob', name: 'Bob' });
      const id = await post('del-post', ada, 'Regrettable');
      const reply = await post('del-post', bob, 'Indeed', id);
      const deleted = await remove('del-post', id, ada);
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');
      expect(await thread('del-post')).toEqual([
        { id, parentId: null, author: null, body: '', createdAt: expect.any(String), state: 'deleted' },
        expect.objectContaining({ id: reply, body: 'Indeed' }),
      ]);
      // Once the reply goes too, nothing is left.
      expect((await remove('del-post', reply, bob)).status).toBe(204);
      expect(await thread('del-post')).toEqual([]);
    });

    it('is idempotent: deleting again answers 204 again; editing it is 409 comment_deleted', async () => {
      const ada = await bed.tokens.mint({ sub: 'twice-ada' });
      const id = await post('twice-post', ada, 'Going');
      expect((await remove('twice-post', id, ada)).status).toBe(204);
      expect((await remove('twice-post', id, ada)).status).toBe(204);
      expectError(await patch('twice-post', id, ada, { body: 'Back' }), 409, 'comment_deleted');
    });

    it('lets the author delete a comment a moderator hid, and a banned author delete theirs', async () => {
      const ada = await bed.tokens.mint({ sub: 'hidden-del-ada' });
      const hidden = await post('hidden-del', ada, 'Hidden one');
      const other = await post('hidden-del', ada, 'Other one');
      await asTheModerationCommand(async (moderation) => {
        await moderation.hide('demo-blog', hidden);
        await moderation.ban('demo-blog', 'hidden-del-ada');
      });
      expect((await remove('hidden-del', hidden, ada)).status).toBe(204);
      expect((await remove('hidden-del', other, ada)).status).toBe(204);
      const rows = await asTheModerationCommand((moderation) => moderation.list('demo-blog', 'hidden-del'));
      expect(rows.map((row) => [row.body, row.author_name, row.deleted_at !== null])).toEqual([
        ['', '', true],
        ['', '', true],
      ]);
    });

    it('refuses a request without a token with 401', async () => {
      const ada = await bed.tokens.mint({ sub: 'anon-del' });
      const id = await post('anon-del', ada, 'Stay');
      expectError(await remove('anon-del', id, undefined), 401, 'invalid_token');
    });
  });

  describe('from the browser', () => {
    it('allows PATCH and DELETE in preflights from the site\'s origins, with the headers a widget sends', async () => {
      const preflight = await request(commentUrl('cors-post', 'AAAAAAAAAAAAAAAA'), {
        method: 'OPTIONS',
        headers: { origin: DEMO_ORIGIN, 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'authorization, dpop, content-type, idempotency-key' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(DEMO_ORIGIN);
      expect(preflight.headers.get('access-control-allow-methods')).toBe('PATCH, DELETE');
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization, DPoP, Content-Type, Idempotency-Key/);
      const foreign = await request(commentUrl('cors-post', 'AAAAAAAAAAAAAAAA'), { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'DELETE' } });
      expectError(foreign, 403, 'origin_not_allowed');
    });

    it('refuses a PATCH or DELETE from an origin the site did not register, before looking at the token', async () => {
      const ada = await bed.tokens.mint({ sub: 'origin-ada' });
      const id = await post('origin-post', ada, 'Mine');
      expectError(await patch('origin-post', id, ada, { body: 'x' }, { origin: OTHER_ORIGIN }), 403, 'origin_not_allowed');
      expectError(await remove('origin-post', id, ada, { origin: 'https://evil.example' }), 403, 'origin_not_allowed');
      const allowed = await patch('origin-post', id, ada, { body: 'From my blog' }, { origin: DEMO_ORIGIN });
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(DEMO_ORIGIN);
    });

    it('takes a DPoP-bound token only with a proof made for this method and URL', async () => {
      const key = dpopKey();
      const bound = await bed.tokens.mint({ sub: 'dpop-ada', cnf: { jkt: key.thumbprint } });
      const id = await post('dpop-post', await bed.tokens.mint({ sub: 'dpop-ada' }), 'Bound');
      const htu = `${COMMENTS_URL}/api/sites/demo-blog/posts/dpop-post/comments/${id}`;
      const withProof = (htm: string, proofHtu = htu) => ({ authorization: `DPoP ${bound}`, dpop: makeProof(key, { htm, htu: proofHtu, token: bound }) });
      const patchWith = (headers: Record<string, string>) =>
        request(commentUrl('dpop-post', id), { method: 'PATCH', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ body: 'Edited with a proof' }) });

      expectError(await patchWith(withProof('POST')), 401, 'invalid_dpop_proof');
      expectError(await patchWith(withProof('PATCH', `${COMMENTS_URL}/api/sites/demo-blog/posts/dpop-post/comments`)), 401, 'invalid_dpop_proof');
      expectError(await patchWith({ authorization: `Bearer ${bound}` }), 401, 'invalid_token');
      expect((await patchWith(withProof('PATCH'))).status).toBe(200);
      const replayedProof = withProof('DELETE');
      expectError(await remove('dpop-post', id, undefined, withProof('PATCH')), 401, 'invalid_dpop_proof');
      expect((await remove('dpop-post', id, undefined, replayedProof)).status).toBe(204);
      expectError(await remove('dpop-post', id, undefined, replayedProof), 401, 'invalid_dpop_proof');
    });

    it('answers 405 with Allow for other methods on a comment', async () => {
      const answer = await request(commentUrl('allow-post', 'AAAAAAAAAAAAAAAA'), { method: 'PUT' });
      expectError(answer, 405, 'method_not_allowed');
      expect(answer.headers.get('allow')).toBe('PATCH, DELETE, OPTIONS');
    });
  });
});

/** Two instances on one database: an edit or deletion at one is what the other serves next. */
describe('own comments across instances', () => {
  let bed: ModerationTestbed;
  let other: { readonly url: string; stop(): Promise<void> };

  beforeAll(async () => {
    bed = await startModerationTestbed();
    other = await bed.anotherInstance();
  });
  afterAll(async () => {
    await other.stop();
    await bed.stop();
  });

  it('drops the thread the other instance cached', async () => {
    const ada = await bed.tokens.mint({ sub: 'cluster-ada' });
    const posted = await postComment(bed.url, 'demo-blog', 'cluster-post', ada, { body: 'Before' });
    const id = posted.json.comment!.id;
    const listed = async () => (await getComments(other.url, 'demo-blog', 'cluster-post')).json.comments!.map((entry) => entry.body);
    // Read twice there, so the second answer comes from its cache.
    expect(await listed()).toEqual(['Before']);
    expect(await listed()).toEqual(['Before']);
    const url = `${commentsUrl(bed.url, 'demo-blog', 'cluster-post')}/${id}`;
    const edited = await request(url, { method: 'PATCH', headers: { 'content-type': 'application/json', authorization: `Bearer ${ada}` }, body: JSON.stringify({ body: 'After' }) });
    expect(edited.status).toBe(200);
    expect(await listed()).toEqual(['After']);
    expect((await request(url, { method: 'DELETE', headers: { authorization: `Bearer ${ada}` } })).status).toBe(204);
    expect(await listed()).toEqual([]);
  });
});
