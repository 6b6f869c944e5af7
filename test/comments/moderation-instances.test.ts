import { getComments, postComment } from './support';
import { moderationCall, startModerationTestbed, type ModerationTestbed } from './moderation-support';

/**
 * "Effective on the next request everywhere": two instances of the comment service on one
 * database (one SQLite file here; one PostgreSQL database in the cluster suite). An action taken
 * through one instance's moderation API shows on the other's very next answer, though the other
 * had the thread cached.
 */
describe('moderation across instances', () => {
  let bed: ModerationTestbed;
  let other: { url: string; stop(): Promise<void> };
  let moderator: string;

  beforeAll(async () => {
    bed = await startModerationTestbed();
    other = await bed.anotherInstance();
    moderator = await bed.tokens.mint({ sub: 'mod-sub', name: 'Molly Moderator', roles: ['moderator'] });
  });
  afterAll(async () => {
    await other.stop();
    await bed.stop();
  });

  it('hides through one instance, and the other\'s next GET no longer lists the comment', async () => {
    const token = await bed.tokens.mint({ sub: 'two-instance-author' });
    const id = (await postComment(bed.url, 'demo-blog', 'two-instances', token, { body: 'Seen everywhere' })).json.comment!.id;
    // Cached by the other instance.
    expect((await getComments(other.url, 'demo-blog', 'two-instances')).json.comments).toHaveLength(1);
    expect((await getComments(other.url, 'demo-blog', 'two-instances')).json.comments).toHaveLength(1);

    expect((await moderationCall(bed.url, 'demo-blog', `/comments/${id}/hide`, moderator, 'POST')).status).toBe(200);
    expect((await getComments(other.url, 'demo-blog', 'two-instances')).json.comments).toEqual([]);
    expect((await moderationCall(other.url, 'demo-blog', `/comments/${id}/unhide`, moderator, 'POST')).status).toBe(200);
    expect((await getComments(bed.url, 'demo-blog', 'two-instances')).json.comments!.map((comment) => comment.body)).toEqual(['Seen everywhere']);
  });

  it('bans through one instance, and the other refuses the commenter\'s earlier token on its next POST', async () => {
    const token = await bed.tokens.mint({ sub: 'two-instance-troll' });
    expect((await postComment(other.url, 'demo-blog', 'two-instances-ban', token, { body: 'Before' })).status).toBe(201);
    await moderationCall(bed.url, 'demo-blog', '/commenters/two-instance-troll/ban', moderator, 'POST');
    expect((await postComment(other.url, 'demo-blog', 'two-instances-ban', token, { body: 'After' })).status).toBe(403);
  });

  it('approves through one instance what the other then shows', async () => {
    const held = await bed.tokens.mint({ sub: 'two-instance-held', client_id: 'held-blog' });
    const heldModerator = await bed.tokens.mint({ sub: 'held-mod', client_id: 'held-blog', roles: ['moderator'] });
    const id = (await postComment(bed.url, 'held-blog', 'two-instances-held', held, { body: 'Approve me' })).json.comment!.id;
    expect((await getComments(other.url, 'held-blog', 'two-instances-held')).json.comments).toEqual([]);
    await moderationCall(other.url, 'held-blog', `/comments/${id}/approve`, heldModerator, 'POST');
    expect((await getComments(bed.url, 'held-blog', 'two-instances-held')).json.comments!.map((comment) => comment.body)).toEqual(['Approve me']);
  });
});
