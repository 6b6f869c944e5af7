import { BACKCHANNEL_PATHS, EXPORT_PAGE_MAX_BYTES, FORMER_COMMENTER_NAME, type ExportedComment } from '../../src/backchannel/protocol';
import type { CommentsDb } from '../../src/comments/database';
import { CommentStore, newCommentId } from '../../src/comments/storage';
import { authorKeyOf, type ApiComment, type ApiThreadEntry } from '../../src/comments/presentation';
import { KEEP_PAGE, REMOVE_PAGE, refusal, startErasureTestbed, type ErasureTestbed } from './commenter-data-support';
import { getComments, request } from './support';

/**
 * The comment service's side of a commenter's export and erasure (docs/erasure.md), through the
 * real back-channel route with requests signed by a real gateway's key.
 */
describe('a commenter\'s export and erasure at the comment service', () => {
  let bed: ErasureTestbed;
  let db: CommentsDb;

  beforeAll(async () => {
    bed = await startErasureTestbed();
    db = await bed.database();
  });
  afterAll(async () => {
    await db.destroy();
    await bed.stop();
  });

  const thread = async (site: string, post: string): Promise<ApiThreadEntry[]> => {
    const answer = await getComments(bed.url, site, post);
    expect(answer.status).toBe(200);
    return answer.json.comments!;
  };
  const byId = (entries: ApiThreadEntry[], id: string) => entries.find((entry) => entry.id === id);

  /**
   * One commenter with comments in every state on both sites, a bystander who replies to them,
   * and what else the service keeps about the commenter (a ban, an Idempotency-Key, rate-limit
   * counters, reply notices both ways, a moderation-log entry as a moderator).
   */
  async function commenterEverywhere(sub: string, bystanderSub: string, first: string, second: string) {
    const keep = await bed.token('keep-blog', sub);
    const remove = await bed.token('remove-blog', sub);
    const bystanderKeep = await bed.token('keep-blog', bystanderSub, { name: 'Bea Bystander' });
    const bystanderRemove = await bed.token('remove-blog', bystanderSub, { name: 'Bea Bystander' });

    const bystanderFirst = await bed.post('keep-blog', first, bystanderKeep, { body: 'Bystander first', notifyReplies: true, pageUrl: KEEP_PAGE });
    const visible = await bed.post('keep-blog', first, keep, { body: 'Visible <b>words</b> & more', notifyReplies: true, pageUrl: KEEP_PAGE }, { 'idempotency-key': `key-${sub}` });
    const replyToBystander = await bed.post('keep-blog', first, keep, { body: 'Replying to Bea', parentId: bystanderFirst, pageUrl: KEEP_PAGE });
    const bystanderReply = await bed.post('keep-blog', first, bystanderKeep, { body: 'Bea replies', parentId: visible });
    const hidden = await bed.post('keep-blog', second, keep, { body: 'Hidden words' });
    await bed.moderate('keep-blog', `/comments/${hidden}/hide`);
    const deleted = await bed.post('keep-blog', second, keep, { body: 'Deleted words' });
    expect((await request(`${bed.url}/api/sites/keep-blog/posts/${second}/comments/${deleted}`, { method: 'DELETE', headers: { authorization: `Bearer ${keep}` } })).status).toBe(204);

    const approved = await bed.post('remove-blog', first, remove, { body: 'Approved words', pageUrl: REMOVE_PAGE });
    await bed.moderate('remove-blog', `/comments/${approved}/approve`);
    const bystanderUnder = await bed.post('remove-blog', first, bystanderRemove, { body: 'Bea under approved', parentId: approved });
    await bed.moderate('remove-blog', `/comments/${bystanderUnder}/approve`);
    const lonely = await bed.post('remove-blog', first, remove, { body: 'Lonely words' });
    await bed.moderate('remove-blog', `/comments/${lonely}/approve`);
    const pending = await bed.post('remove-blog', second, remove, { body: 'Pending words' });
    // As a moderator of remove-blog too: the moderation log names them.
    const asModerator = await bed.tokens.mint({ sub, client_id: 'remove-blog', name: 'Reader as moderator', roles: ['moderator'] });
    const bystanderHeld = await bed.post('remove-blog', second, bystanderRemove, { body: 'Bea held' });
    const moderated = await request(`${bed.url}/api/sites/remove-blog/moderation/comments/${bystanderHeld}/approve`, { method: 'POST', headers: { authorization: `Bearer ${asModerator}` } });
    expect(moderated.status).toBe(200);
    // Banned on keep-blog by the site's moderator.
    await bed.moderate('keep-blog', `/commenters/${encodeURIComponent(sub)}/ban`);

    return { visible, replyToBystander, bystanderFirst, bystanderReply, hidden, deleted, approved, bystanderUnder, lonely, pending, bystanderHeld };
  }

  const subjectsOf = (sub: string) => [
    { site: 'keep-blog', sub },
    { site: 'remove-blog', sub },
  ];

  it('exports every comment of the commenter on both sites, in every state, by site then creation, with links', async () => {
    const ids = await commenterEverywhere('exp_ada', 'exp-bea', 'exp-first', 'exp-second');
    const answer = await bed.exportOf([...subjectsOf('exp_ada'), { site: 'gone-blog', sub: 'exp_ada' }]);
    const expected: Partial<ExportedComment>[] = [
      { site: 'keep-blog', postId: 'exp-first', id: ids.visible, parentId: null, body: 'Visible <b>words</b> & more', state: 'visible', authorName: 'Reader exp_ada', notifyReplies: true, url: `${KEEP_PAGE}#parley-comment-${ids.visible}`, editedAt: null },
      { site: 'keep-blog', id: ids.replyToBystander, parentId: ids.bystanderFirst, body: 'Replying to Bea', state: 'visible', notifyReplies: false, url: `${KEEP_PAGE}#parley-comment-${ids.replyToBystander}` },
      { site: 'keep-blog', postId: 'exp-second', id: ids.hidden, body: 'Hidden words', state: 'hidden', url: null },
      { site: 'keep-blog', postId: 'exp-second', id: ids.deleted, body: '', state: 'deleted', url: null },
      { site: 'remove-blog', id: ids.approved, body: 'Approved words', state: 'visible', url: `${REMOVE_PAGE}#parley-comment-${ids.approved}` },
      { site: 'remove-blog', id: ids.lonely, body: 'Lonely words', state: 'visible' },
      { site: 'remove-blog', postId: 'exp-second', id: ids.pending, body: 'Pending words', state: 'pending' },
    ];
    expect(answer.comments).toEqual(expected.map((comment) => expect.objectContaining(comment)));
    for (const comment of answer.comments) expect(typeof comment.createdAt).toBe('number');
    // Nobody else's comment, whichever site.
    expect(answer.comments.map((comment) => comment.id)).not.toEqual(expect.arrayContaining([ids.bystanderFirst]));
    expect(await bed.exportOf([])).toEqual({ comments: [] });
  });

  it('erases: "a former commenter" everywhere, text kept or removed as each site says, replies by others untouched, and everything keyed by them gone', async () => {
    const ids = await commenterEverywhere('era_ada', 'eraQada', 'era-first', 'era-second');
    // Cached before the erasure: the answer after it must not come from the cache.
    const keepBefore = await thread('keep-blog', 'era-first');
    const removeBefore = await thread('remove-blog', 'era-first');
    const bystanderKeep = keepBefore.find((entry) => entry.id === ids.bystanderReply) as ApiComment;
    expect(byId(removeBefore, ids.approved)).toMatchObject({ body: 'Approved words' });
    const noticesBefore = await db.selectFrom('reply_notices').select(['recipient_sub', 'reply_id']).where('site_id', '=', 'keep-blog').execute();
    expect(noticesBefore).toEqual(expect.arrayContaining([{ recipient_sub: 'era_ada', reply_id: ids.bystanderReply }, { recipient_sub: 'eraQada', reply_id: ids.replyToBystander }]));

    const answer = await bed.erase(subjectsOf('era_ada'));
    expect(answer).toEqual({ anonymisedComments: 7 });

    // keep-blog keeps the text under "a former commenter", no picture, no provider, no mark.
    const keepAfter = await thread('keep-blog', 'era-first');
    const visible = byId(keepAfter, ids.visible) as ApiComment;
    const reply = byId(keepAfter, ids.replyToBystander) as ApiComment;
    for (const comment of [visible, reply]) {
      expect(comment.author).toEqual({ name: FORMER_COMMENTER_NAME, picture: null, idp: 'erased' });
      expect(comment.authorKey).not.toBe(authorKeyOf('keep-blog', 'era_ada'));
    }
    expect(visible.body).toBe('Visible <b>words</b> & more');
    // Nothing links the two any more.
    expect(visible.authorKey).not.toBe(reply.authorKey);
    expect(byId(keepAfter, ids.bystanderReply)).toEqual(bystanderKeep);
    expect(byId(keepAfter, ids.bystanderFirst)).toMatchObject({ body: 'Bystander first', author: { name: 'Bea Bystander', picture: 'https://pics.example/eraQada.png', idp: 'twitter' } });

    // remove-blog removes the text as a deletion does: a placeholder while a reply hangs below, gone otherwise.
    const removeAfter = await thread('remove-blog', 'era-first');
    expect(byId(removeAfter, ids.approved)).toEqual({ id: ids.approved, parentId: null, author: null, body: '', createdAt: expect.any(String), state: 'deleted' });
    expect(byId(removeAfter, ids.bystanderUnder)).toMatchObject({ body: 'Bea under approved', author: { name: 'Bea Bystander' } });
    expect(byId(removeAfter, ids.lonely)).toBeUndefined();
    expect(JSON.stringify(removeAfter)).not.toMatch(/Approved words|Lonely words|Reader era_ada/);

    // Stored: nothing under their subject, no text left on remove-blog, nothing else keyed by them.
    const rows = await db.selectFrom('comments').selectAll().where('id', 'in', [ids.visible, ids.replyToBystander, ids.hidden, ids.deleted, ids.approved, ids.lonely, ids.pending]).execute();
    expect(rows).toHaveLength(7);
    for (const row of rows) {
      expect(row).toMatchObject({ author_name: FORMER_COMMENTER_NAME, author_picture: null, author_idp: 'erased', author_website: null, author_email_hash: null, notify_replies: 0, by_author: 0 });
      expect(row.author_sub).toMatch(/^erased:[A-Za-z0-9_-]{16}$/);
      if (row.site_id === 'remove-blog') expect({ body: row.body, deleted: row.deleted_at !== null }).toEqual({ body: '', deleted: true });
    }
    expect(new Set(rows.map((row) => row.author_sub)).size).toBe(7);
    expect(rows.find((row) => row.id === ids.hidden)).toMatchObject({ body: 'Hidden words' });
    expect(await db.selectFrom('comments').select('id').where('author_sub', '=', 'era_ada').execute()).toEqual([]);
    expect(await db.selectFrom('bans').selectAll().where('sub', '=', 'era_ada').execute()).toEqual([]);
    expect(await db.selectFrom('idempotency_keys').selectAll().where('sub', '=', 'era_ada').execute()).toEqual([]);
    const counters = (await db.selectFrom('rate_limits').select('key').execute()).map((row) => row.key);
    expect(counters.filter((key) => key.endsWith('|era_ada'))).toEqual([]);
    // "_" is no wildcard: the bystander whose subject differs only there keeps their counters.
    expect(counters.filter((key) => key.endsWith('|eraQada')).length).toBeGreaterThan(0);
    const noticesAfter = await db.selectFrom('reply_notices').select(['recipient_sub', 'reply_id']).where('site_id', '=', 'keep-blog').execute();
    expect(noticesAfter.filter((notice) => notice.recipient_sub === 'era_ada' || notice.reply_id === ids.replyToBystander)).toEqual([]);
    const log = await db.selectFrom('moderation_actions').selectAll().execute();
    expect(log.filter((entry) => entry.moderator_sub === 'era_ada' || entry.target === 'era_ada')).toEqual([]);
    expect(log.find((entry) => entry.target === ids.bystanderHeld)).toMatchObject({ action: 'approve', moderator_name: FORMER_COMMENTER_NAME, moderator_sub: expect.stringMatching(/^erased:/) });
    expect(log.find((entry) => entry.site_id === 'keep-blog' && entry.action === 'ban' && entry.target.startsWith('erased:'))).toBeDefined();

    // Their export is empty now, and a repeat finds nothing to do.
    expect(await bed.exportOf(subjectsOf('era_ada'))).toEqual({ comments: [] });
    expect(await bed.erase(subjectsOf('era_ada'))).toEqual({ anonymisedComments: 0 });
    // The bystander's own export is whole.
    expect((await bed.exportOf(subjectsOf('eraQada'))).comments.map((comment) => comment.body)).toEqual(['Bystander first', 'Bea replies', 'Bea under approved', 'Bea held']);
  });

  it('deletes a banned commenter\'s ban row with them', async () => {
    const keep = await bed.token('keep-blog', 'banned-ada');
    await bed.post('keep-blog', 'ban', keep, { body: 'Before the ban' });
    await bed.moderate('keep-blog', '/commenters/banned-ada/ban');
    expect((await db.selectFrom('bans').select('sub').where('site_id', '=', 'keep-blog').where('sub', '=', 'banned-ada').execute()).length).toBe(1);
    expect(await bed.erase([{ site: 'keep-blog', sub: 'banned-ada' }])).toEqual({ anonymisedComments: 1 });
    expect(await db.selectFrom('bans').select('sub').where('sub', '=', 'banned-ada').execute()).toEqual([]);
  });

  it('anonymises, keeping the text, comments on a site no longer in the sites file; the export leaves that site out', async () => {
    const id = newCommentId();
    await new CommentStore(db).insert({ id, siteId: 'gone-blog', postId: 'old', parentId: null, authorSub: 'gone-ada', authorName: 'Gone Ada', authorPicture: 'https://pics.example/gone.png', authorIdp: 'email', body: 'Old words', createdAt: Date.now() });
    expect(await bed.exportOf([{ site: 'gone-blog', sub: 'gone-ada' }])).toEqual({ comments: [] });
    expect(await bed.erase([{ site: 'gone-blog', sub: 'gone-ada' }])).toEqual({ anonymisedComments: 1 });
    const row = await new CommentStore(db).find('gone-blog', id);
    expect(row).toMatchObject({ author_name: FORMER_COMMENTER_NAME, author_picture: null, author_idp: 'erased', body: 'Old words', deleted_at: null });
  });

  it('refuses a body that is not a list of { site, sub } with 400 invalid_request, and erases nothing', async () => {
    const keep = await bed.token('keep-blog', 'bad-body-ada');
    const id = await bed.post('keep-blog', 'bad', keep, { body: 'Still mine' });
    const client = bed.client();
    for (const body of [
      {},
      { subjects: 'bad-body-ada' },
      { subjects: [{ site: 'keep-blog' }] },
      { subjects: [{ site: 'keep-blog', sub: 'bad-body-ada' }, 'keep-blog'] },
      { subjects: [{ site: '', sub: 'bad-body-ada' }] },
      { subjects: [{ site: 'keep-blog', sub: 'x'.repeat(256) }] },
      { subjects: [{ site: 'keep-blog', sub: 42 }] },
      { subjects: Array.from({ length: 1001 }, (_, index) => ({ site: 'keep-blog', sub: `s${index}` })) },
      [{ site: 'keep-blog', sub: 'bad-body-ada' }],
    ]) {
      for (const path of [BACKCHANNEL_PATHS.erase, BACKCHANNEL_PATHS.export]) {
        const refused = await refusal(client.post(path, body));
        expect(refused.status).toBe(400);
        const answer = JSON.parse(refused.message.slice(refused.message.indexOf('{'))) as Record<string, unknown>;
        expect(Object.keys(answer).sort()).toEqual(['error', 'message']);
        expect(answer['error']).toBe('invalid_request');
        expect(answer['message']).toMatch(/\S/);
      }
    }
    expect(byId(await thread('keep-blog', 'bad'), id)).toMatchObject({ body: 'Still mine', author: { name: 'Reader bad-body-ada' } });
  });

  it('refuses an unsigned erase request, or one carrying a commenter\'s access token, and erases nothing', async () => {
    const keep = await bed.token('keep-blog', 'unsigned-ada');
    const id = await bed.post('keep-blog', 'unsigned', keep, { body: 'Not yours to erase' });
    const body = JSON.stringify({ subjects: [{ site: 'keep-blog', sub: 'unsigned-ada' }] });
    const unsigned = await request(`${bed.url}${BACKCHANNEL_PATHS.erase}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(unsigned.status).toBe(401);
    // A commenter's own access token is no back-channel token either.
    const withAccessToken = await request(`${bed.url}${BACKCHANNEL_PATHS.erase}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${keep}` }, body });
    expect(withAccessToken.status).toBe(401);
    expect(byId(await thread('keep-blog', 'unsigned'), id)).toMatchObject({ author: { name: 'Reader unsigned-ada' } });
  });

  it('answers an export past EXPORT_PAGE_MAX_BYTES in pages that together hold every comment once, in order', async () => {
    // 110 comments of 10,000 four-byte characters: 4.4 MB of text, more than the 4 MiB the gateway reads at once.
    const writer = new CommentStore(db);
    const body = '\u{1F600}'.repeat(10_000);
    const written: string[] = [];
    for (let index = 0; index < 110; index += 1) {
      const id = newCommentId();
      written.push(id);
      await writer.insert({ id, siteId: 'keep-blog', postId: 'long', parentId: null, authorSub: 'prolific-ada', authorName: 'Prolific Ada', authorPicture: null, authorIdp: 'email', body, createdAt: Date.now() + index });
    }
    const subjects = [{ site: 'keep-blog', sub: 'prolific-ada' }, { site: 'remove-blog', sub: 'prolific-ada' }];
    const first = await bed.exportPage(subjects);
    expect(first.moreAvailable).toBe(true);
    expect(first.comments.length).toBeGreaterThan(1);
    expect(Buffer.byteLength(JSON.stringify(first.comments))).toBeLessThanOrEqual(EXPORT_PAGE_MAX_BYTES + 1024);
    // The next page starts where the first ended.
    const second = await bed.exportPage(subjects, first.cursor!);
    expect(second.comments[0]!.id).toBe(written[first.comments.length]);
    // All pages together: each comment once, in the order written; the last page says so.
    const everything = await bed.exportOf(subjects);
    expect(everything.comments.map((comment) => comment.id)).toEqual(written);
    // A cursor this service did not write is refused.
    const forged = await refusal(bed.exportPage(subjects, 'not-a-cursor'));
    expect(forged.status).toBe(400);
    expect(forged.message).toContain('"error":"invalid_request"');
    // Erasing them is no problem at any size.
    expect(await bed.erase([{ site: 'keep-blog', sub: 'prolific-ada' }])).toEqual({ anonymisedComments: 110 });
  });
});
