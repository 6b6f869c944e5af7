import { DEFAULT_COMMENT_RATE_LIMITS } from '../../src/comments';
import { expectError, getComments, postComment, startTestbed, TestClock, type CommentsTestbed } from './support';

describe('the per-commenter rate limit', () => {
  describe('with limits injected for the test (2 a minute)', () => {
    let bed: CommentsTestbed;
    let base: string;
    const clock = new TestClock();

    beforeAll(async () => {
      bed = await startTestbed({ clock: clock.now, rateLimits: [{ limit: 2, windowSeconds: 60 }] });
      base = bed.service.url;
    });
    afterAll(() => bed.stop());

    it('answers 429 rate_limited with Retry-After once the limit is reached, and writes nothing', async () => {
      const token = await bed.tokens.mint({ sub: 'flooder' });
      expect((await postComment(base, 'demo-blog', 'flood-post', token, { body: 'one' })).status).toBe(201);
      expect((await postComment(base, 'demo-blog', 'flood-post', token, { body: 'two' })).status).toBe(201);
      const refused = await postComment(base, 'demo-blog', 'flood-post', token, { body: 'three' });
      expectError(refused, 429, 'rate_limited');
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(refused.json.message).toContain(String(retryAfter));
      expect((await getComments(base, 'demo-blog', 'flood-post')).json.comments!.map((comment) => comment.body)).toEqual(['one', 'two']);
    });

    it('counts per commenter and site, across posts', async () => {
      const token = await bed.tokens.mint({ sub: 'hopper' });
      await postComment(base, 'demo-blog', 'hop-1', token, { body: 'a' });
      await postComment(base, 'demo-blog', 'hop-2', token, { body: 'b' });
      expectError(await postComment(base, 'demo-blog', 'hop-3', token, { body: 'c' }), 429, 'rate_limited');
      const someoneElse = await bed.tokens.mint({ sub: 'bystander' });
      expect((await postComment(base, 'demo-blog', 'hop-3', someoneElse, { body: 'c' })).status).toBe(201);
      const sameSubOtherSite = await bed.tokens.mint({ sub: 'hopper', client_id: 'other-blog' });
      expect((await postComment(base, 'other-blog', 'hop-3', sameSubOtherSite, { body: 'c' })).status).toBe(201);
    });

    it('lets the commenter post again once the window has passed', async () => {
      const token = await bed.tokens.mint({ sub: 'waiter' });
      await postComment(base, 'demo-blog', 'wait-post', token, { body: 'a' });
      await postComment(base, 'demo-blog', 'wait-post', token, { body: 'b' });
      const refused = await postComment(base, 'demo-blog', 'wait-post', token, { body: 'c' });
      clock.advanceSeconds(Number(refused.headers.get('retry-after')));
      expect((await postComment(base, 'demo-blog', 'wait-post', token, { body: 'c' })).status).toBe(201);
    });

    it('does not count refused comments (bad input, duplicates) against the commenter', async () => {
      const token = await bed.tokens.mint({ sub: 'clumsy' });
      await postComment(base, 'demo-blog', 'clumsy-post', token, { body: 'once' });
      expectError(await postComment(base, 'demo-blog', 'clumsy-post', token, { body: 'once' }), 409, 'duplicate_comment');
      expectError(await postComment(base, 'demo-blog', 'clumsy-post', token, { body: 'x', parentId: 'AAAAAAAAAAAAAAAA' }), 422, 'parent_not_found');
      expectError(await postComment(base, 'demo-blog', 'clumsy-post', token, { body: '' }), 422, 'comment_empty');
      expect((await postComment(base, 'demo-blog', 'clumsy-post', token, { body: 'twice' })).status).toBe(201);
    });
  });

  describe('with the default limits', () => {
    let bed: CommentsTestbed;
    let base: string;
    const clock = new TestClock();

    beforeAll(async () => {
      bed = await startTestbed({ clock: clock.now });
      base = bed.service.url;
    });
    afterAll(() => bed.stop());

    it('are 5 comments a minute and 30 an hour', () => {
      expect(DEFAULT_COMMENT_RATE_LIMITS).toEqual([
        { limit: 5, windowSeconds: 60 },
        { limit: 30, windowSeconds: 3600 },
      ]);
    });

    it('allow 5 comments in a minute and refuse the 6th, then 30 in an hour and refuse the 31st', async () => {
      const token = await bed.tokens.mint({ sub: 'chatty' });
      let written = 0;
      const post = () => postComment(base, 'demo-blog', 'default-limits', token, { body: `comment ${written + 1}` });
      for (let minute = 0; minute < 6; minute += 1) {
        if (minute > 0) clock.advanceSeconds(61);
        for (let i = 0; i < 5; i += 1) {
          expect((await post()).status).toBe(201);
          written += 1;
        }
        if (written === 30) break;
        const sixth = await post();
        expectError(sixth, 429, 'rate_limited');
        expect(Number(sixth.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      }
      expect(written).toBe(30);
      const refused = await post();
      expectError(refused, 429, 'rate_limited');
      // The hour that began with the first comment still has about 54 minutes to run.
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(50 * 60);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60 * 60);
      // Numbers read one way in every message: "3,240", never "3240".
      expect(refused.json.message).toBe(`You are commenting too fast; try again in ${Number(refused.headers.get('retry-after')).toLocaleString('en-US')} seconds.`);
      expect(refused.json.message).toMatch(/ \d,\d{3} seconds\.$/);
    });
  });
});

describe('duplicate-content suppression', () => {
  let bed: CommentsTestbed;
  let base: string;
  const clock = new TestClock();

  beforeAll(async () => {
    bed = await startTestbed({ clock: clock.now });
    base = bed.service.url;
  });
  afterAll(() => bed.stop());

  it('answers 409 duplicate_comment for the same text by the same commenter on the same post', async () => {
    const token = await bed.tokens.mint({ sub: 'repeater' });
    expect((await postComment(base, 'demo-blog', 'dup-post', token, { body: 'Great post!' })).status).toBe(201);
    expectError(await postComment(base, 'demo-blog', 'dup-post', token, { body: 'Great post!' }), 409, 'duplicate_comment');
    expect((await getComments(base, 'demo-blog', 'dup-post')).json.comments).toHaveLength(1);
  });

  it('sees through spacing, line endings and Unicode normalisation', async () => {
    const token = await bed.tokens.mint({ sub: 'sneaky' });
    await postComment(base, 'demo-blog', 'dup-sneaky', token, { body: 'Café\nis nice' });
    expectError(await postComment(base, 'demo-blog', 'dup-sneaky', token, { body: '  Cafe\u0301\r\nis nice \u0000 ' }), 409, 'duplicate_comment');
  });

  it('counts replies too: the same text as a second reply to the same comment is a duplicate', async () => {
    const token = await bed.tokens.mint({ sub: 'replier' });
    const parent = (await postComment(base, 'demo-blog', 'dup-reply', token, { body: 'Top' })).json.comment!;
    expect((await postComment(base, 'demo-blog', 'dup-reply', token, { body: 'Agreed', parentId: parent.id })).status).toBe(201);
    expectError(await postComment(base, 'demo-blog', 'dup-reply', token, { body: 'Agreed', parentId: parent.id }), 409, 'duplicate_comment');
  });

  it('allows the same short reply to two different comments, and at the top level', async () => {
    const author = await bed.tokens.mint({ sub: 'thankful' });
    const first = (await postComment(base, 'demo-blog', 'dup-thanks', await bed.tokens.mint({ sub: 'reader-1' }), { body: 'Nice!' })).json.comment!;
    const second = (await postComment(base, 'demo-blog', 'dup-thanks', await bed.tokens.mint({ sub: 'reader-2' }), { body: 'Lovely!' })).json.comment!;
    expect((await postComment(base, 'demo-blog', 'dup-thanks', author, { body: 'Thanks!', parentId: first.id })).status).toBe(201);
    expect((await postComment(base, 'demo-blog', 'dup-thanks', author, { body: 'Thanks!', parentId: second.id })).status).toBe(201);
    expect((await postComment(base, 'demo-blog', 'dup-thanks', author, { body: 'Thanks!' })).status).toBe(201);
    expectError(await postComment(base, 'demo-blog', 'dup-thanks', author, { body: 'Thanks!' }), 409, 'duplicate_comment');
  });

  it('allows the same text on another post, or by another commenter', async () => {
    const token = await bed.tokens.mint({ sub: 'echo' });
    await postComment(base, 'demo-blog', 'dup-a', token, { body: 'Same words' });
    expect((await postComment(base, 'demo-blog', 'dup-b', token, { body: 'Same words' })).status).toBe(201);
    expect((await postComment(base, 'demo-blog', 'dup-a', await bed.tokens.mint({ sub: 'echo-2' }), { body: 'Same words' })).status).toBe(201);
  });

  it('allows the same text again after ten minutes', async () => {
    const token = await bed.tokens.mint({ sub: 'later' });
    await postComment(base, 'demo-blog', 'dup-later', token, { body: 'Again' });
    clock.advanceSeconds(10 * 60 + 1);
    expect((await postComment(base, 'demo-blog', 'dup-later', token, { body: 'Again' })).status).toBe(201);
  });
});
