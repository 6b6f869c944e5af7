import { BackchannelClient, BackchannelError } from '../../src/backchannel/gateway-client';
import { BACKCHANNEL_PATHS, contentDigest, type RepliesPage, type ReplyNotice } from '../../src/backchannel/protocol';
import { openCommentsDatabase } from '../../src/comments';
import { signCompactJws } from '../../src/tokens/compact-jws';
import { loadKeyRing, type StoredKey } from '../../src/tokens/keys';
import { makeDataDir } from '../helpers/data-dir';
import { COMMENTS_URL } from '../helpers/gateway';
import { testDatabaseUrl } from '../helpers/postgres';
import { expectError, postComment, request } from './support';
import { moderationCall, startModerationTestbed, type ModeratedTestSite, type ModerationTestbed } from './moderation-support';

/**
 * The comment service's reply outbox (src/comments/backchannel/reply-notices.ts), read as the
 * gateway reads it: with the real BackchannelClient signing with the real gateway's key.
 */

const OPEN_ORIGIN = 'http://localhost:4200';
const SITES: Array<ModeratedTestSite & { guests?: boolean }> = [
  { id: 'demo-blog', name: 'Demo Blog', origins: [OPEN_ORIGIN, 'https://blog.example'], moderators: ['mod@example.com'] },
  { id: 'held-blog', name: 'Held Blog', origins: ['http://localhost:4202'], moderators: ['mod@example.com'], moderation: 'pre' },
  { id: 'guest-blog', name: 'Guest Blog', origins: ['http://localhost:4203'], moderators: ['mod@example.com'], guests: true },
];

describe('reply notices over the back-channel', () => {
  let bed: ModerationTestbed;
  let gatewayKey: StoredKey;
  let client: BackchannelClient;

  beforeAll(async () => {
    bed = await startModerationTestbed(SITES);
    const ring = await loadKeyRing(bed.gateway.gateway.keyStore, { createIfMissing: false });
    gatewayKey = ring!.current;
    client = new BackchannelClient({ baseUrl: bed.url, audience: COMMENTS_URL, issuer: bed.gateway.issuer, signingKey: () => gatewayKey });
  });
  afterAll(() => bed.stop());

  const token = (sub: string, site = 'demo-blog', extra: Record<string, unknown> = {}) => bed.tokens.mint({ sub, name: `Reader ${sub}`, client_id: site, ...extra });
  const moderator = (site: string) => bed.tokens.mint({ sub: `mod-${site}`, name: 'Molly Moderator', client_id: site, roles: ['moderator'] });

  async function post(sub: string, post: string, payload: Record<string, unknown>, site = 'demo-blog'): Promise<string> {
    const posted = await postComment(bed.url, site, post, await token(sub, site), payload);
    expect(posted.status).toBe(201);
    return posted.json.comment!.id;
  }

  /** Every notice the outbox gives, from the start, following the cursor. */
  async function allNotices(): Promise<ReplyNotice[]> {
    const notices: ReplyNotice[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page: RepliesPage = await client.get(BACKCHANNEL_PATHS.replies, cursor === undefined ? {} : { after: cursor });
      notices.push(...page.replies);
      if (!page.moreAvailable) return notices;
      cursor = page.cursor;
    }
  }
  const noticeFor = async (replyId: string) => (await allNotices()).filter((notice) => notice.reply.id === replyId);

  async function noticeRows(): Promise<number> {
    const db = await openCommentsDatabase({ dataDir: bed.settings.dataDir, databaseUrl: await testDatabaseUrl(bed.settings.dataDir) });
    try {
      return Number((await db.selectFrom('reply_notices').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    } finally {
      await db.destroy();
    }
  }

  async function storedChoices(commentId: string): Promise<[number, string | null]> {
    const db = await openCommentsDatabase({ dataDir: bed.settings.dataDir, databaseUrl: await testDatabaseUrl(bed.settings.dataDir) });
    try {
      const row = await db.selectFrom('comments').select(['notify_replies', 'page_url']).where('id', '=', commentId).executeTakeFirstOrThrow();
      return [Number(row.notify_replies), row.page_url];
    } finally {
      await db.destroy();
    }
  }

  describe('which replies are announced', () => {
    it('announces a reply to a comment whose author opted in, with the reply, an excerpt and the thread link', async () => {
      const parentText = `${'The engine weaves algebraic patterns. '.repeat(8)}End.`;
      const parent = await post('ada', 'engine', { body: parentText, notifyReplies: true, pageUrl: `${OPEN_ORIGIN}/2026/engine?ref=x#comments` });
      const reply = await post('grace', 'engine', { body: 'It needs a debugger.', parentId: parent, pageUrl: `${OPEN_ORIGIN}/2026/engine?ref=y` });
      const [notice, ...more] = await noticeFor(reply);
      expect(more).toEqual([]);
      expect(notice).toEqual({
        id: expect.stringMatching(/^\d+$/),
        recipient: { site: 'demo-blog', sub: 'ada' },
        postId: 'engine',
        parent: { id: parent, createdAt: expect.any(Number), excerpt: parentText.slice(0, 200) },
        reply: { id: reply, authorName: 'Reader grace', body: 'It needs a debugger.', createdAt: expect.any(Number) },
        threadUrl: `${OPEN_ORIGIN}/2026/engine?ref=y#parley-comment-${reply}`,
      });
    });

    it('links to the parent\'s page when the reply names none of the site\'s pages, and to nothing when neither does', async () => {
      const parent = await post('links-ada', 'links', { body: 'Links here', notifyReplies: true, pageUrl: 'https://blog.example/links#top' });
      const elsewhere = await post('links-grace', 'links', { body: 'From a mirror', parentId: parent, pageUrl: 'https://mirror.example/links' });
      expect((await noticeFor(elsewhere))[0]!.threadUrl).toBe(`https://blog.example/links#parley-comment-${elsewhere}`);

      for (const pageUrl of ['javascript:alert(1)//http://localhost:4200', 'http://user:pw@localhost:4200/x', 'not a url', `${OPEN_ORIGIN}/${'x'.repeat(2100)}`, 'http://localhost:4200.evil.example/']) {
        const unlinked = await post(`nolink-ada-${pageUrl.length}`, `nolink-${pageUrl.length}`, { body: `No page ${pageUrl.length}`, notifyReplies: true, pageUrl });
        const answer = await post(`nolink-grace-${pageUrl.length}`, `nolink-${pageUrl.length}`, { body: 'Reply', parentId: unlinked, pageUrl });
        expect({ pageUrl, threadUrl: (await noticeFor(answer))[0]!.threadUrl }).toEqual({ pageUrl, threadUrl: null });
      }
    });

    it('announces nothing when the author did not opt in, or replies to themselves', async () => {
      const quiet = await post('quiet-ada', 'quiet', { body: 'No mail please' });
      const toQuiet = await post('quiet-grace', 'quiet', { body: 'Hello', parentId: quiet });
      const loud = await post('quiet-ada', 'quiet', { body: 'Mail me', notifyReplies: true });
      const self = await post('quiet-ada', 'quiet', { body: 'Replying to myself', parentId: loud });
      const topLevel = await post('quiet-grace', 'quiet', { body: 'Top level', notifyReplies: true });
      for (const id of [toQuiet, self, topLevel]) expect(await noticeFor(id)).toEqual([]);
    });

    it('refuses notifyReplies and pageUrl of the wrong type, like any field', async () => {
      const ada = await token('types-ada');
      expectError(await postComment(bed.url, 'demo-blog', 'types', ada, { body: 'x', notifyReplies: 'yes' }), 400, 'invalid_field_type');
      expectError(await postComment(bed.url, 'demo-blog', 'types', ada, { body: 'x', notifyReplies: null }), 400, 'invalid_field_type');
      expectError(await postComment(bed.url, 'demo-blog', 'types', ada, { body: 'x', pageUrl: 42 }), 400, 'invalid_field_type');
      expectError(await postComment(bed.url, 'demo-blog', 'types', ada, { body: 'x', notify: true }), 400, 'unknown_field');
    });

    it('binds an Idempotency-Key to the comment, not to notifyReplies and pageUrl: a retry gets the first answer, whose choices stand', async () => {
      const ada = await token('idem-ada');
      const headers = { 'idempotency-key': 'notify-key-1' };
      const first = await postComment(bed.url, 'demo-blog', 'idem', ada, { body: 'Once', notifyReplies: true, pageUrl: `${OPEN_ORIGIN}/idem` }, headers);
      expect(first.status).toBe(201);
      for (const retry of [{ body: 'Once', notifyReplies: true }, { body: 'Once', notifyReplies: false }, { body: 'Once' }]) {
        const replay = await postComment(bed.url, 'demo-blog', 'idem', ada, retry, headers);
        expect([replay.status, replay.headers.get('idempotent-replayed'), replay.json.comment?.id]).toEqual([201, 'true', first.json.comment!.id]);
      }
      expect(await storedChoices(first.json.comment!.id)).toEqual([1, `${OPEN_ORIGIN}/idem`]);
      // Another text under the same key is another comment, refused as ever.
      expectError(await postComment(bed.url, 'demo-blog', 'idem', ada, { body: 'Twice', notifyReplies: true }, headers), 422, 'idempotency_key_reused');
    });

    it('leaves out, when read, replies and parents hidden or deleted since, and replies by commenters banned since', async () => {
      const mod = await moderator('demo-blog');
      const parent = await post('later-ada', 'later', { body: 'Watch this space', notifyReplies: true });
      const hiddenReply = await post('later-grace', 'later', { body: 'Rude words', parentId: parent });
      const deletedReply = await post('alan', 'later', { body: 'Spam', parentId: parent });
      const bannedReply = await post('troll', 'later', { body: 'Trolling', parentId: parent });
      const fine = await post('linus', 'later', { body: 'Fine words', parentId: parent });
      expect((await noticeFor(hiddenReply)).length + (await noticeFor(deletedReply)).length + (await noticeFor(bannedReply)).length).toBe(3);

      expect((await moderationCall(bed.url, 'demo-blog', `/comments/${hiddenReply}/hide`, mod, 'POST')).status).toBe(200);
      expect((await moderationCall(bed.url, 'demo-blog', `/comments/${deletedReply}/delete`, mod, 'POST')).status).toBe(200);
      expect((await moderationCall(bed.url, 'demo-blog', '/commenters/troll/ban', mod, 'POST')).status).toBe(200);
      for (const id of [hiddenReply, deletedReply, bannedReply]) expect(await noticeFor(id)).toEqual([]);
      expect(await noticeFor(fine)).toHaveLength(1);

      expect((await moderationCall(bed.url, 'demo-blog', `/comments/${parent}/hide`, mod, 'POST')).status).toBe(200);
      expect(await noticeFor(fine)).toEqual([]);
      // A replier unbanned again is announced again: the rule is read, not written.
      expect((await moderationCall(bed.url, 'demo-blog', '/commenters/troll/unban', mod, 'POST')).status).toBe(200);
      expect((await moderationCall(bed.url, 'demo-blog', `/comments/${parent}/unhide`, mod, 'POST')).status).toBe(200);
      expect(await noticeFor(bannedReply)).toHaveLength(1);
    });

    it('announces a pre-moderated reply only once a moderator approves it, and once however often it is approved', async () => {
      const mod = await moderator('held-blog');
      const shown = await postComment(bed.url, 'held-blog', 'held', mod, { body: 'A moderator\'s comment is shown at once', notifyReplies: true });
      const parent = shown.json.comment!.id;
      const reply = await post('held-reader', 'held', { body: 'Held reply', parentId: parent }, 'held-blog');
      expect(await noticeFor(reply)).toEqual([]);
      const before = await noticeRows();
      const first = await moderationCall(bed.url, 'held-blog', `/comments/${reply}/approve`, mod, 'POST');
      const second = await moderationCall(bed.url, 'held-blog', `/comments/${reply}/approve`, mod, 'POST');
      expect([JSON.parse(first.text).outcome, JSON.parse(second.text).outcome]).toEqual(['done', 'unchanged']);
      expect(await noticeFor(reply)).toEqual([expect.objectContaining({ recipient: { site: 'held-blog', sub: 'mod-held-blog' }, reply: expect.objectContaining({ body: 'Held reply' }) })]);
      expect(await noticeRows()).toBe(before + 1);
    });

    it('announces a reply approved by two moderators at once, on two instances, once', async () => {
      const mod = await moderator('held-blog');
      const other = await bed.anotherInstance();
      try {
        const parent = (await postComment(bed.url, 'held-blog', 'held-twice', mod, { body: 'Shown at once', notifyReplies: true })).json.comment!.id;
        const reply = await post('held-racer', 'held-twice', { body: 'Approved twice at once', parentId: parent }, 'held-blog');
        const before = await noticeRows();
        const outcomes = await Promise.all([bed.url, other.url].map(async (base) => JSON.parse((await moderationCall(base, 'held-blog', `/comments/${reply}/approve`, mod, 'POST')).text).outcome as string));
        // 'done' and 'unchanged'; on PostgreSQL both may say 'done' (each read it pending): either way, one notice.
        expect(outcomes).toContain('done');
        expect(await noticeRows()).toBe(before + 1);
        expect(await noticeFor(reply)).toHaveLength(1);
      } finally {
        await other.stop();
      }
    });

    it('never lets a guest opt in, and announces an approved guest\'s reply to a signed-in commenter', async () => {
      const mod = await moderator('guest-blog');
      const guest = { name: 'Gus Guest', email: 'gus@example.net' };
      const guestPosted = await postComment(bed.url, 'guest-blog', 'guests', undefined, { body: 'As a guest', notifyReplies: true, guest });
      expect(guestPosted.status).toBe(201);
      const guestComment = guestPosted.json.comment!.id;
      expect((await moderationCall(bed.url, 'guest-blog', `/comments/${guestComment}/approve`, mod, 'POST')).status).toBe(200);
      const toGuest = await post('reader', 'guests', { body: 'Welcome, guest', parentId: guestComment }, 'guest-blog');
      expect(await noticeFor(toGuest)).toEqual([]);

      const signedIn = await post('reader', 'guests', { body: 'Signed in and listening', notifyReplies: true }, 'guest-blog');
      const guestReply = await postComment(bed.url, 'guest-blog', 'guests', undefined, { body: 'A guest answers', parentId: signedIn, guest });
      expect(await noticeFor(guestReply.json.comment!.id)).toEqual([]);
      expect((await moderationCall(bed.url, 'guest-blog', `/comments/${guestReply.json.comment!.id}/approve`, mod, 'POST')).status).toBe(200);
      expect(await noticeFor(guestReply.json.comment!.id)).toEqual([expect.objectContaining({ recipient: { site: 'guest-blog', sub: 'reader' }, reply: expect.objectContaining({ authorName: 'Gus Guest' }) })]);
    });
  });

  describe('paging', () => {
    it('gives at most 100 a page, oldest first, and a cursor that moves past them', async () => {
      const parent = await post('pager', 'paging', { body: 'Reply here, everyone', notifyReplies: true });
      const start: RepliesPage = await client.get(BACKCHANNEL_PATHS.replies, {});
      let cursor = start.cursor;
      while ((await client.get<RepliesPage>(BACKCHANNEL_PATHS.replies, { after: cursor })).moreAvailable) {
        cursor = (await client.get<RepliesPage>(BACKCHANNEL_PATHS.replies, { after: cursor })).cursor;
      }
      cursor = (await client.get<RepliesPage>(BACKCHANNEL_PATHS.replies, { after: cursor })).cursor;
      const replies: string[] = [];
      for (let index = 0; index < 105; index += 1) replies.push(await post(`replier-${index % 25}`, 'paging', { body: `Reply number ${index}`, parentId: parent }));

      const first: RepliesPage = await client.get(BACKCHANNEL_PATHS.replies, { after: cursor });
      expect([first.replies.length, first.moreAvailable]).toEqual([100, true]);
      expect(first.replies.map((notice) => notice.reply.id)).toEqual(replies.slice(0, 100));
      const second: RepliesPage = await client.get(BACKCHANNEL_PATHS.replies, { after: first.cursor });
      expect([second.replies.map((notice) => notice.reply.id), second.moreAvailable]).toEqual([replies.slice(100), false]);
      const ids = [...first.replies, ...second.replies].map((notice) => Number(notice.id));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      const empty: RepliesPage = await client.get(BACKCHANNEL_PATHS.replies, { after: second.cursor });
      expect(empty).toEqual({ replies: [], cursor: second.cursor, moreAvailable: false });
    });

    it('answers 400 for a cursor it never gave', async () => {
      for (const after of ['abc', '-1', '1.5', '01', '99999999999999999999']) {
        await expect(client.get(BACKCHANNEL_PATHS.replies, { after })).rejects.toMatchObject({ name: 'BackchannelError', status: 400 });
      }
      const twice = new URLSearchParams([['after', '1'], ['after', '2']]);
      // Signed for exactly this query string, so only the repetition is wrong.
      await expect(signedGet(`?${twice.toString()}`)).resolves.toMatchObject({ status: 400 });
    });
  });

  /** A GET of the outbox with a token the real client would sign for `query`, sent as `sendQuery`. */
  async function signedGet(query: string, sendQuery = query, key: StoredKey = gatewayKey): Promise<{ status: number; headers: Headers; text: string }> {
    const now = Math.floor(Date.now() / 1000);
    const jwt = signCompactJws(key, 'backchannel+jwt', {
      iss: bed.gateway.issuer,
      aud: COMMENTS_URL,
      iat: now,
      exp: now + 60,
      jti: `jti-${Math.random()}`,
      htm: 'GET',
      htp: BACKCHANNEL_PATHS.replies,
      bh: contentDigest(query.replace(/^\?/, '')),
    });
    return request(`${bed.url}${BACKCHANNEL_PATHS.replies}${sendQuery}`, { headers: { authorization: `Bearer ${jwt}` } });
  }

  describe('who may read it', () => {
    const refused = (response: { status: number; headers: Headers }) => {
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    };

    it('refuses a request without a token, or with a commenter\'s access token', async () => {
      refused(await request(`${bed.url}${BACKCHANNEL_PATHS.replies}`));
      refused(await request(`${bed.url}${BACKCHANNEL_PATHS.replies}`, { headers: { authorization: `Bearer ${await token('ada')}` } }));
      refused(await request(`${bed.url}${BACKCHANNEL_PATHS.replies}`, { headers: { authorization: `Bearer ${await moderator('demo-blog')}` } }));
    });

    it('refuses a token made for another path, method or query', async () => {
      refused(await signedGet('?after=1', '?after=2'));
      refused(await signedGet('', '?after=0'));
      const now = Math.floor(Date.now() / 1000);
      for (const [htm, htp] of [['POST', BACKCHANNEL_PATHS.replies], ['GET', BACKCHANNEL_PATHS.export], ['GET', '/backchannel/replies/']]) {
        const jwt = signCompactJws(gatewayKey, 'backchannel+jwt', { iss: bed.gateway.issuer, aud: COMMENTS_URL, iat: now, exp: now + 60, jti: `${htm}${htp}`, htm, htp, bh: contentDigest('') });
        refused(await request(`${bed.url}${BACKCHANNEL_PATHS.replies}`, { headers: { authorization: `Bearer ${jwt}` } }));
      }
    });

    it('refuses a token used twice', async () => {
      const now = Math.floor(Date.now() / 1000);
      const jwt = signCompactJws(gatewayKey, 'backchannel+jwt', { iss: bed.gateway.issuer, aud: COMMENTS_URL, iat: now, exp: now + 60, jti: 'once-only', htm: 'GET', htp: BACKCHANNEL_PATHS.replies, bh: contentDigest('') });
      const first = await request(`${bed.url}${BACKCHANNEL_PATHS.replies}`, { headers: { authorization: `Bearer ${jwt}` } });
      expect(first.status).toBe(200);
      refused(await request(`${bed.url}${BACKCHANNEL_PATHS.replies}`, { headers: { authorization: `Bearer ${jwt}` } }));
    });

    it('refuses a token that expired, by the gateway\'s clock', async () => {
      const late = new BackchannelClient({ baseUrl: bed.url, audience: COMMENTS_URL, issuer: bed.gateway.issuer, signingKey: () => gatewayKey, clock: () => Date.now() - 5 * 60 * 1000 });
      await expect(late.get(BACKCHANNEL_PATHS.replies)).rejects.toMatchObject({ status: 401 });
      const early = new BackchannelClient({ baseUrl: bed.url, audience: COMMENTS_URL, issuer: bed.gateway.issuer, signingKey: () => gatewayKey, clock: () => Date.now() + 5 * 60 * 1000 });
      await expect(early.get(BACKCHANNEL_PATHS.replies)).rejects.toMatchObject({ status: 401 });
    });

    it('refuses a token signed by a key the gateway does not publish, under its own kid or the gateway\'s', async () => {
      const stranger = (await loadKeyRing(makeDataDir(), { createIfMissing: true }))!.current;
      for (const key of [stranger, { ...stranger, kid: gatewayKey.kid }]) {
        const forged = new BackchannelClient({ baseUrl: bed.url, audience: COMMENTS_URL, issuer: bed.gateway.issuer, signingKey: () => key });
        const error = await forged.get(BACKCHANNEL_PATHS.replies).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(BackchannelError);
        expect((error as BackchannelError).status).toBe(401);
      }
    });

    it('refuses a token for another comment service', async () => {
      const elsewhere = new BackchannelClient({ baseUrl: bed.url, audience: 'http://comments.elsewhere.example', issuer: bed.gateway.issuer, signingKey: () => gatewayKey });
      await expect(elsewhere.get(BACKCHANNEL_PATHS.replies)).rejects.toMatchObject({ status: 401 });
    });

    it('never answers with CORS headers, to a site\'s origin or any other, preflight or not', async () => {
      for (const origin of [OPEN_ORIGIN, 'https://evil.example']) {
        const get = await request(`${bed.url}${BACKCHANNEL_PATHS.replies}`, { headers: { origin } });
        const preflight = await request(`${bed.url}${BACKCHANNEL_PATHS.replies}`, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
        });
        const viaClient = await fetch(`${bed.url}${BACKCHANNEL_PATHS.export}`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
        for (const response of [get, preflight, viaClient]) {
          const names: string[] = [];
          response.headers.forEach((_value, name) => names.push(name));
          expect(names.filter((name) => name.startsWith('access-control-'))).toEqual([]);
        }
      }
    });
  });
});
