import { COMMAND_LINE_MODERATOR, runComments } from '../../src/commands/comments';
import { COMMENTS_URL } from '../helpers/gateway';
import { expectError, getComments, postComment, request } from './support';
import { moderatedComments, moderationCall, startModerationTestbed, type ModerationTestbed } from './moderation-support';

/**
 * The moderation API (src/comments/moderation-page/moderation-api.ts) with tokens made as the
 * gateway makes them: a moderator's carries `roles: ["moderator"]` (the gateway's side is in
 * test/flows/moderation.test.ts, with real sign-ins).
 */
describe('the moderation API', () => {
  let bed: ModerationTestbed;
  let base: string;
  let moderator: string;

  beforeAll(async () => {
    bed = await startModerationTestbed();
    base = bed.url;
    moderator = await bed.tokens.mint({ sub: 'mod-sub', name: 'Molly Moderator', roles: ['moderator'], idp: 'email' });
  });
  afterAll(() => bed.stop());

  async function comment(post: string, sub: string, body: string, parentId?: string): Promise<string> {
    const token = await bed.tokens.mint({ sub, name: `Commenter ${sub}` });
    const posted = await postComment(base, 'demo-blog', post, token, parentId ? { body, parentId } : { body });
    expect(posted.status).toBe(201);
    return posted.json.comment!.id;
  }

  describe('who may use it', () => {
    it('refuses a request without a token with 401 invalid_token', async () => {
      const refused = await moderationCall(base, 'demo-blog', '/comments', undefined);
      expectError(refused, 401, 'invalid_token');
      expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
    });

    it('refuses a commenter without the role with 403 not_moderator, on every endpoint', async () => {
      const commenter = await bed.tokens.mint({ sub: 'plain' });
      const id = await comment('who', 'victim', 'Leave me be');
      expectError(await moderationCall(base, 'demo-blog', '/me', commenter), 403, 'not_moderator');
      expectError(await moderationCall(base, 'demo-blog', '/comments', commenter), 403, 'not_moderator');
      expectError(await moderationCall(base, 'demo-blog', '/log', commenter), 403, 'not_moderator');
      expectError(await moderationCall(base, 'demo-blog', `/comments/${id}/hide`, commenter, 'POST'), 403, 'not_moderator');
      expectError(await moderationCall(base, 'demo-blog', '/commenters/victim/ban', commenter, 'POST'), 403, 'not_moderator');
      const visible = (await getComments(base, 'demo-blog', 'who')).json.comments!;
      expect(visible.map((entry) => entry.body)).toEqual(['Leave me be']);
    });

    it('refuses a moderator of another site with 403 wrong_site', async () => {
      const otherModerator = await bed.tokens.mint({ sub: 'other-mod', client_id: 'other-blog', roles: ['moderator'] });
      expectError(await moderationCall(base, 'demo-blog', '/comments', otherModerator), 403, 'wrong_site');
      expectError(await moderationCall(base, 'demo-blog', '/commenters/someone/ban', otherModerator, 'POST'), 403, 'wrong_site');
      expect((await moderationCall(base, 'other-blog', '/comments', otherModerator)).status).toBe(200);
    });

    it('refuses the role on a site whose sites file lists no moderators (the service re-reads its own list)', async () => {
      const claimed = await bed.tokens.mint({ sub: 'claims-it', client_id: 'open-blog', roles: ['moderator'] });
      expectError(await moderationCall(base, 'open-blog', '/comments', claimed), 403, 'not_moderator');
    });

    it('does not take the role from anything but the verified token: a forged one is 401', async () => {
      const genuine = await bed.tokens.mint({ sub: 'plain-2' });
      const [header, , signature] = genuine.split('.');
      const forgedClaims = Buffer.from(JSON.stringify({ ...bed.tokens.claims({ sub: 'plain-2' }), roles: ['moderator'] })).toString('base64url');
      expectError(await moderationCall(base, 'demo-blog', '/comments', `${header}.${forgedClaims}.${signature}`), 401, 'invalid_token');
    });

    it('answers 404 unknown_site for a site the service does not serve', async () => {
      expectError(await moderationCall(base, 'nope-blog', '/comments', moderator), 404, 'unknown_site');
    });

    it('says who is signed in and what the site is', async () => {
      const me = await moderationCall(base, 'demo-blog', '/me', moderator);
      expect(me.status).toBe(200);
      expect(JSON.parse(me.text)).toEqual({ site: { id: 'demo-blog', name: 'Demo Blog', moderation: 'post' }, moderator: { sub: 'mod-sub', name: 'Molly Moderator' } });
    });

    it('sends no CORS headers, so no other origin can read or drive it', async () => {
      const response = await request(`${base}/api/sites/demo-blog/moderation/comments`, { headers: { authorization: `Bearer ${moderator}`, origin: 'http://localhost:4200' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      const preflight = await request(`${base}/api/sites/demo-blog/moderation/commenters/x/ban`, {
        method: 'OPTIONS',
        headers: { origin: 'http://localhost:4200', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('listing', () => {
    it('lists the site\'s comments across posts, newest first, with each author\'s subject, in pages', async () => {
      const first = await comment('list-a', 'lister-1', 'First');
      const second = await comment('list-b', 'lister-2', 'Second');
      const third = await comment('list-a', 'lister-1', 'Third', first);
      const page1 = await moderationCall(base, 'demo-blog', '/comments?limit=2', moderator);
      expect(page1.status).toBe(200);
      const listed = moderatedComments(page1);
      expect(listed.map((entry) => entry.id)).toEqual([third, second]);
      expect(listed[0]).toMatchObject({ postId: 'list-a', parentId: first, body: 'Third', state: 'visible', byAuthor: false, author: { sub: 'lister-1', name: 'Commenter lister-1', banned: false } });
      const next = (JSON.parse(page1.text) as { next: string }).next;
      expect(next).toMatch(/^\d+$/);
      const page2 = moderatedComments(await moderationCall(base, 'demo-blog', `/comments?limit=2&before=${next}`, moderator));
      expect(page2[0]!.id).toBe(first);
    });

    it('filters by post, by commenter and by state', async () => {
      const kept = await comment('filter-post', 'filter-a', 'Kept');
      const hidden = await comment('filter-post', 'filter-b', 'Hidden one');
      await comment('filter-elsewhere', 'filter-a', 'Elsewhere');
      await moderationCall(base, 'demo-blog', `/comments/${hidden}/hide`, moderator, 'POST');

      const byPost = moderatedComments(await moderationCall(base, 'demo-blog', '/comments?post=filter-post', moderator));
      expect(byPost.map((entry) => entry.id)).toEqual([hidden, kept]);
      const byCommenter = moderatedComments(await moderationCall(base, 'demo-blog', '/comments?sub=filter-a', moderator));
      expect(byCommenter.map((entry) => entry.body)).toEqual(['Elsewhere', 'Kept']);
      const hiddenOnes = moderatedComments(await moderationCall(base, 'demo-blog', '/comments?post=filter-post&state=hidden', moderator));
      expect(hiddenOnes.map((entry) => [entry.id, entry.state])).toEqual([[hidden, 'hidden']]);
      const visibleOnes = moderatedComments(await moderationCall(base, 'demo-blog', '/comments?post=filter-post&state=visible', moderator));
      expect(visibleOnes.map((entry) => entry.id)).toEqual([kept]);
    });

    it('refuses filters it cannot read with 400', async () => {
      expectError(await moderationCall(base, 'demo-blog', '/comments?state=spam', moderator), 400, 'invalid_request');
      expectError(await moderationCall(base, 'demo-blog', '/comments?limit=0', moderator), 400, 'invalid_request');
      expectError(await moderationCall(base, 'demo-blog', '/comments?limit=101', moderator), 400, 'invalid_request');
      expectError(await moderationCall(base, 'demo-blog', '/comments?before=abc', moderator), 400, 'invalid_request');
      expectError(await moderationCall(base, 'demo-blog', '/comments?post=a&post=b', moderator), 400, 'invalid_request');
      expectError(await moderationCall(base, 'demo-blog', '/comments?post=%3Cscript%3E', moderator), 400, 'invalid_post_id');
    });

    it('never shows another site\'s comments', async () => {
      const otherToken = await bed.tokens.mint({ sub: 'elsewhere', client_id: 'other-blog' });
      await postComment(base, 'other-blog', 'secret-post', otherToken, { body: 'Other site only' });
      const listed = moderatedComments(await moderationCall(base, 'demo-blog', '/comments?post=secret-post', moderator));
      expect(listed).toEqual([]);
    });
  });

  describe('actions', () => {
    it('hides a comment: the public thread drops it on the very next GET, and unhide brings it back', async () => {
      const id = await comment('act-hide', 'hide-me', 'Spam spam');
      // Cached once, so the test sees the action drop the cached answer.
      expect((await getComments(base, 'demo-blog', 'act-hide')).json.comments).toHaveLength(1);
      const hidden = await moderationCall(base, 'demo-blog', `/comments/${id}/hide`, moderator, 'POST');
      expect(hidden.status).toBe(200);
      expect(JSON.parse(hidden.text)).toMatchObject({ outcome: 'done', comment: { id, state: 'hidden' } });
      expect((await getComments(base, 'demo-blog', 'act-hide')).json.comments).toEqual([]);
      expect(JSON.parse((await moderationCall(base, 'demo-blog', `/comments/${id}/hide`, moderator, 'POST')).text)).toMatchObject({ outcome: 'unchanged' });

      expect(JSON.parse((await moderationCall(base, 'demo-blog', `/comments/${id}/unhide`, moderator, 'POST')).text)).toMatchObject({ outcome: 'done', comment: { state: 'visible' } });
      expect((await getComments(base, 'demo-blog', 'act-hide')).json.comments!.map((entry) => entry.body)).toEqual(['Spam spam']);
    });

    it('deletes a comment for good: text and name erased, and it can be neither shown nor hidden again (409)', async () => {
      const id = await comment('act-delete', 'delete-me', 'Something awful');
      const deleted = await moderationCall(base, 'demo-blog', `/comments/${id}/delete`, moderator, 'POST');
      expect(JSON.parse(deleted.text)).toMatchObject({ outcome: 'done', comment: { id, state: 'deleted', body: '', author: { name: '', sub: 'delete-me' } } });
      expect((await getComments(base, 'demo-blog', 'act-delete')).text).not.toContain('Something awful');
      expectError(await moderationCall(base, 'demo-blog', `/comments/${id}/unhide`, moderator, 'POST'), 409, 'comment_deleted');
      expectError(await moderationCall(base, 'demo-blog', `/comments/${id}/hide`, moderator, 'POST'), 409, 'comment_deleted');
      expect(JSON.parse((await moderationCall(base, 'demo-blog', `/comments/${id}/delete`, moderator, 'POST')).text)).toMatchObject({ outcome: 'unchanged' });
    });

    it('answers 404 for a comment that is not on the site, and never touches another site\'s', async () => {
      const otherToken = await bed.tokens.mint({ sub: 'other-author', client_id: 'other-blog' });
      const otherId = (await postComment(base, 'other-blog', 'theirs', otherToken, { body: 'Not yours to hide' })).json.comment!.id;
      expectError(await moderationCall(base, 'demo-blog', `/comments/${otherId}/hide`, moderator, 'POST'), 404, 'not_found');
      expectError(await moderationCall(base, 'demo-blog', '/comments/no-such-comment/hide', moderator, 'POST'), 404, 'not_found');
      expectError(await moderationCall(base, 'demo-blog', '/comments/bad%20id!/hide', moderator, 'POST'), 404, 'not_found');
      expect((await getComments(base, 'other-blog', 'theirs')).json.comments!.map((entry) => entry.body)).toEqual(['Not yours to hide']);
    });

    it('answers 404 to a GET on an action and to an unknown action', async () => {
      const id = await comment('act-method', 'method-author', 'Still here');
      expect((await moderationCall(base, 'demo-blog', `/comments/${id}/hide`, moderator, 'GET')).status).toBe(404);
      expect((await moderationCall(base, 'demo-blog', `/comments/${id}/destroy`, moderator, 'POST')).status).toBe(404);
      expect((await getComments(base, 'demo-blog', 'act-method')).json.comments).toHaveLength(1);
    });

    it('bans a commenter: a token issued before the ban is refused on its next POST; unban lets it through', async () => {
      const token = await bed.tokens.mint({ sub: 'troll', name: 'Troll' });
      expect((await postComment(base, 'demo-blog', 'act-ban', token, { body: 'Before' })).status).toBe(201);
      const banned = await moderationCall(base, 'demo-blog', '/commenters/troll/ban', moderator, 'POST');
      expect(JSON.parse(banned.text)).toEqual({ outcome: 'done', commenter: { sub: 'troll', banned: true } });
      expectError(await postComment(base, 'demo-blog', 'act-ban', token, { body: 'After' }), 403, 'banned');
      expect(moderatedComments(await moderationCall(base, 'demo-blog', '/comments?sub=troll', moderator))[0]!.author.banned).toBe(true);
      expect(JSON.parse((await moderationCall(base, 'demo-blog', '/commenters/troll/ban', moderator, 'POST')).text)).toMatchObject({ outcome: 'unchanged' });

      expect(JSON.parse((await moderationCall(base, 'demo-blog', '/commenters/troll/unban', moderator, 'POST')).text)).toMatchObject({ outcome: 'done' });
      expect((await postComment(base, 'demo-blog', 'act-ban', token, { body: 'After the unban' })).status).toBe(201);
    });

    it('refuses a subject it would not store with 400', async () => {
      expectError(await moderationCall(base, 'demo-blog', `/commenters/${'x'.repeat(256)}/ban`, moderator, 'POST'), 400, 'invalid_request');
    });
  });

  describe('the log', () => {
    it('records who did what to what and when, newest first, and nothing for an action that changed nothing', async () => {
      const log = await startModerationTestbed();
      try {
        const token = await log.tokens.mint({ sub: 'logged-author' });
        const id = (await postComment(log.url, 'demo-blog', 'logged', token, { body: 'Log me' })).json.comment!.id;
        const before = Date.now();
        const mod = await log.tokens.mint({ sub: 'mod-1', name: 'Molly Moderator', roles: ['moderator'] });
        const other = await log.tokens.mint({ sub: 'mod-2', name: 'Otto Other', roles: ['moderator'] });
        await moderationCall(log.url, 'demo-blog', `/comments/${id}/hide`, mod, 'POST');
        await moderationCall(log.url, 'demo-blog', `/comments/${id}/hide`, other, 'POST');
        await moderationCall(log.url, 'demo-blog', '/commenters/logged-author/ban', other, 'POST');
        await moderationCall(log.url, 'demo-blog', '/commenters/logged-author/unban', mod, 'POST');
        await moderationCall(log.url, 'demo-blog', `/comments/${id}/delete`, mod, 'POST');

        const listed = await moderationCall(log.url, 'demo-blog', '/log', mod);
        expect(listed.status).toBe(200);
        const actions = (JSON.parse(listed.text) as { actions: Array<{ moderator: { sub: string; name: string }; action: string; target: string; at: string }>; next: null }).actions;
        expect(actions.map((entry) => [entry.moderator.name, entry.moderator.sub, entry.action, entry.target])).toEqual([
          ['Molly Moderator', 'mod-1', 'delete', id],
          ['Molly Moderator', 'mod-1', 'unban', 'logged-author'],
          ['Otto Other', 'mod-2', 'ban', 'logged-author'],
          ['Molly Moderator', 'mod-1', 'hide', id],
        ]);
        for (const entry of actions) expect(Date.parse(entry.at)).toBeGreaterThanOrEqual(before - 1000);
        const paged = JSON.parse((await moderationCall(log.url, 'demo-blog', '/log?limit=3', mod)).text) as { actions: unknown[]; next: string };
        expect(paged.actions).toHaveLength(3);
        const rest = JSON.parse((await moderationCall(log.url, 'demo-blog', `/log?before=${paged.next}`, mod)).text) as { actions: Array<{ action: string }> };
        expect(rest.actions.map((entry) => entry.action)).toEqual(['hide']);
        // The operator's `parley comments` actions go into the same log, under the command line's name; a no-op does not.
        const cliTarget = (await postComment(log.url, 'demo-blog', 'logged', token, { body: 'Hide me from the shell' })).json.comment!.id;
        await runComments(log.settings, ['hide', 'demo-blog', cliTarget], { print: () => undefined });
        await runComments(log.settings, ['hide', 'demo-blog', cliTarget], { print: () => undefined });
        await runComments(log.settings, ['ban', 'demo-blog', 'logged-author'], { print: () => undefined });
        const withCli = (JSON.parse((await moderationCall(log.url, 'demo-blog', '/log?limit=2', mod)).text) as { actions: Array<{ moderator: { sub: string; name: string }; action: string; target: string }> }).actions;
        expect(withCli.map((entry) => [entry.moderator.sub, entry.moderator.name, entry.action, entry.target])).toEqual([
          [COMMAND_LINE_MODERATOR.sub, COMMAND_LINE_MODERATOR.name, 'ban', 'logged-author'],
          [COMMAND_LINE_MODERATOR.sub, COMMAND_LINE_MODERATOR.name, 'hide', cliTarget],
        ]);
        // Another site's moderators see only their own log.
        const otherSite = await log.tokens.mint({ sub: 'other-mod', client_id: 'other-blog', roles: ['moderator'] });
        expect((JSON.parse((await moderationCall(log.url, 'other-blog', '/log', otherSite)).text) as { actions: unknown[] }).actions).toEqual([]);
      } finally {
        await log.stop();
      }
    });
  });

  it('is served at the public URL the tokens name as their audience', () => {
    expect(bed.settings.comments.url).toBe(COMMENTS_URL);
  });
});
