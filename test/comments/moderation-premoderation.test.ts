import { PassThrough } from 'node:stream';
import { runComments } from '../../src/commands/comments';
import { COMMENTS_URL } from '../helpers/gateway';
import { expectError, getComments, postComment } from './support';
import { moderatedComments, moderationCall, startModerationTestbed, type ModerationTestbed } from './moderation-support';

/**
 * Pre-moderation (sites file `moderation: "pre"`: held-blog in the testbed) and the post author's
 * mark ("bypostauthor": the sites file's `authors`, the token's `author` role).
 */
describe('pre-moderation', () => {
  let bed: ModerationTestbed;
  let base: string;
  let moderator: string;

  beforeAll(async () => {
    bed = await startModerationTestbed();
    base = bed.url;
    moderator = await bed.tokens.mint({ sub: 'held-mod', name: 'Molly Moderator', client_id: 'held-blog', roles: ['moderator'] });
  });
  afterAll(() => bed.stop());

  const token = (sub: string) => bed.tokens.mint({ sub, name: `Reader ${sub}`, client_id: 'held-blog' });
  const bodies = (comments: Array<{ body: string }> | undefined) => (comments ?? []).map((comment) => comment.body);

  it('holds a new comment: the author is told it is pending, and nobody else sees it until a moderator approves it', async () => {
    const author = await token('held-author');
    const posted = await postComment(base, 'held-blog', 'held-post', author, { body: 'First, and held' });
    expect(posted.status).toBe(201);
    expect(posted.json.comment).toMatchObject({ body: 'First, and held', state: 'pending' });
    const id = posted.json.comment!.id;

    expect(bodies((await getComments(base, 'held-blog', 'held-post')).json.comments)).toEqual([]);
    const stranger = await token('held-stranger');
    expect(bodies((await getComments(base, 'held-blog', 'held-post', { authorization: `Bearer ${stranger}` })).json.comments)).toEqual([]);
    const own = await getComments(base, 'held-blog', 'held-post', { authorization: `Bearer ${author}` });
    expect(own.json.comments).toEqual([posted.json.comment]);
    expect(own.headers.get('vary')).toMatch(/Authorization/i);
    expect(bodies((await getComments(base, 'held-blog', 'held-post', { authorization: `Bearer ${moderator}` })).json.comments)).toEqual(['First, and held']);
    // What the author saw was made for them alone: the public answer after it still lists nothing.
    expect(bodies((await getComments(base, 'held-blog', 'held-post')).json.comments)).toEqual([]);

    const pending = moderatedComments(await moderationCall(base, 'held-blog', '/comments?state=pending', moderator));
    expect(pending.map((comment) => [comment.id, comment.state])).toEqual([[id, 'pending']]);
    const approved = await moderationCall(base, 'held-blog', `/comments/${id}/approve`, moderator, 'POST');
    expect(JSON.parse(approved.text)).toMatchObject({ outcome: 'done', comment: { id, state: 'visible' } });
    const listed = (await getComments(base, 'held-blog', 'held-post')).json.comments!;
    expect(listed.map((comment) => [comment.body, 'state' in comment])).toEqual([['First, and held', false]]);
    expect(JSON.parse((await moderationCall(base, 'held-blog', `/comments/${id}/approve`, moderator, 'POST')).text)).toMatchObject({ outcome: 'unchanged' });

    const log = JSON.parse((await moderationCall(base, 'held-blog', '/log', moderator)).text) as { actions: Array<{ action: string; target: string }> };
    expect(log.actions[0]).toMatchObject({ action: 'approve', target: id });
  });

  it('refuses a reply to a held comment (422), since nobody else can see it', async () => {
    const held = (await postComment(base, 'held-blog', 'held-reply', await token('held-parent'), { body: 'Hold me' })).json.comment!;
    expectError(await postComment(base, 'held-blog', 'held-reply', await token('held-child'), { body: 'Replying', parentId: held.id }), 422, 'parent_not_found');
  });

  it('lets a moderator reject a held comment by deleting it', async () => {
    const held = (await postComment(base, 'held-blog', 'held-reject', await token('held-spammer'), { body: 'Spam to reject' })).json.comment!;
    expect((await moderationCall(base, 'held-blog', `/comments/${held.id}/delete`, moderator, 'POST')).status).toBe(200);
    expectError(await moderationCall(base, 'held-blog', `/comments/${held.id}/approve`, moderator, 'POST'), 409, 'comment_deleted');
    expect(bodies((await getComments(base, 'held-blog', 'held-reject', { authorization: `Bearer ${moderator}` })).json.comments)).toEqual([]);
  });

  it('does not hold a moderator\'s own comment', async () => {
    const posted = await postComment(base, 'held-blog', 'held-mod-post', moderator, { body: 'From the moderator' });
    expect(posted.json.comment).not.toHaveProperty('state');
    expect(bodies((await getComments(base, 'held-blog', 'held-mod-post')).json.comments)).toEqual(['From the moderator']);
  });

  it('answers a GET whose token does not verify with the public thread, not an error', async () => {
    await postComment(base, 'held-blog', 'held-bad-token', await token('held-someone'), { body: 'Pending here' });
    for (const authorization of ['Bearer not-a-token', `Bearer ${await bed.tokens.mint({ sub: 'held-someone', client_id: 'other-blog' })}`, 'Basic abc']) {
      const answer = await getComments(base, 'held-blog', 'held-bad-token', { authorization });
      expect({ authorization, status: answer.status, bodies: bodies(answer.json.comments) }).toEqual({ authorization, status: 200, bodies: [] });
    }
  });

  it('lists held comments as pending in `parley comments list` and in the export', async () => {
    await postComment(base, 'held-blog', 'held-cli', await token('held-cli-author'), { body: 'Held for the CLI' });
    const lines: string[] = [];
    await runComments(bed.settings, ['list', 'held-blog', 'held-cli'], { print: (line) => lines.push(line) });
    expect(lines.join('\n')).toMatch(/ pending {2}sub=held-cli-author /);

    const exported: Buffer[] = [];
    const output = new PassThrough();
    output.on('data', (chunk: Buffer) => exported.push(chunk));
    await runComments(bed.settings, ['export', 'held-blog'], { output, report: () => undefined });
    const line = Buffer.concat(exported).toString('utf8').split('\n').find((text) => text.includes('Held for the CLI'));
    expect(JSON.parse(line!)).toMatchObject({ post: 'held-cli', state: 'pending' });
  });

  it('does not hold comments on a site without pre-moderation', async () => {
    const posted = await postComment(base, 'demo-blog', 'open-post', await bed.tokens.mint({ sub: 'open-reader' }), { body: 'Straight in' });
    expect(posted.json.comment).not.toHaveProperty('state');
    expect(bodies((await getComments(base, 'demo-blog', 'open-post')).json.comments)).toEqual(['Straight in']);
  });
});

describe('the post author\'s mark', () => {
  let bed: ModerationTestbed;

  beforeAll(async () => {
    bed = await startModerationTestbed();
  });
  afterAll(() => bed.stop());

  it('marks comments by a token with the author role byAuthor, and no one else\'s', async () => {
    const author = await bed.tokens.mint({ sub: 'the-author', name: 'Ada Author', roles: ['author'] });
    const reader = await bed.tokens.mint({ sub: 'a-reader', name: 'Rhea Reader' });
    const question = (await postComment(bed.url, 'demo-blog', 'marked', reader, { body: 'Who wrote this?' })).json.comment!;
    const answer = await postComment(bed.url, 'demo-blog', 'marked', author, { body: 'I did.', parentId: question.id });
    expect(answer.json.comment).toMatchObject({ byAuthor: true });
    const listed = (await getComments(bed.url, 'demo-blog', 'marked')).json.comments!;
    expect(listed.map((comment) => [comment.body, (comment as { byAuthor?: boolean }).byAuthor])).toEqual([
      ['Who wrote this?', undefined],
      ['I did.', true],
    ]);
    const moderator = await bed.tokens.mint({ sub: 'mark-mod', roles: ['moderator'] });
    expect(moderatedComments(await moderationCall(bed.url, 'demo-blog', '/comments?post=marked', moderator)).map((comment) => comment.byAuthor)).toEqual([true, false]);
  });

  it('is the service\'s audience that the tokens name', () => {
    expect(bed.settings.comments.url).toBe(COMMENTS_URL);
  });
});
