import { expectError, getComments, postComment, rowCounts, startTestbed, TestClock, type CommentsTestbed } from './support';

describe('Idempotency-Key on a POST', () => {
  let bed: CommentsTestbed;
  let base: string;
  const clock = new TestClock();

  beforeAll(async () => {
    bed = await startTestbed({ clock: clock.now, rateLimits: [{ limit: 3, windowSeconds: 60 }] });
    base = bed.service.url;
  });
  afterAll(() => bed.stop());

  it('answers a retry with the first result instead of writing a second comment', async () => {
    const token = await bed.tokens.mint({ sub: 'retrier' });
    const first = await postComment(base, 'demo-blog', 'retry-post', token, { body: 'Posted once' }, { 'idempotency-key': 'key-1' });
    const retry = await postComment(base, 'demo-blog', 'retry-post', token, { body: 'Posted once' }, { 'idempotency-key': 'key-1' });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.json).toEqual(first.json);
    expect((await getComments(base, 'demo-blog', 'retry-post')).json.comments).toHaveLength(1);
  });

  it('replays with a fresh token of the same commenter', async () => {
    const first = await postComment(base, 'demo-blog', 'fresh-token-post', await bed.tokens.mint({ sub: 'refresher' }), { body: 'Hi' }, { 'idempotency-key': 'k' });
    const retry = await postComment(base, 'demo-blog', 'fresh-token-post', await bed.tokens.mint({ sub: 'refresher' }), { body: 'Hi' }, { 'idempotency-key': 'k' });
    expect(retry.json.comment!.id).toBe(first.json.comment!.id);
  });

  it('writes exactly one comment when the same request races in five times at once', async () => {
    const token = await bed.tokens.mint({ sub: 'racer' });
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => postComment(base, 'demo-blog', 'race-post', token, { body: 'Double click' }, { 'idempotency-key': 'race' })),
    );
    expect(responses.map((response) => response.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(responses.map((response) => response.json.comment!.id)).size).toBe(1);
    expect((await getComments(base, 'demo-blog', 'race-post')).json.comments).toHaveLength(1);
  });

  it('refuses the same key with a different body with 422 idempotency_key_reused', async () => {
    const token = await bed.tokens.mint({ sub: 'reuser' });
    await postComment(base, 'demo-blog', 'reuse-post', token, { body: 'The first' }, { 'idempotency-key': 'reused' });
    const response = await postComment(base, 'demo-blog', 'reuse-post', token, { body: 'The second' }, { 'idempotency-key': 'reused' });
    expectError(response, 422, 'idempotency_key_reused');
    expect((await getComments(base, 'demo-blog', 'reuse-post')).json.comments!.map((comment) => comment.body)).toEqual(['The first']);
  });

  it('refuses the same key for another post or another parent with 422 idempotency_key_reused', async () => {
    const token = await bed.tokens.mint({ sub: 'mover' });
    const first = await postComment(base, 'demo-blog', 'move-post', token, { body: 'Same words' }, { 'idempotency-key': 'moved' });
    expectError(await postComment(base, 'demo-blog', 'move-elsewhere', token, { body: 'Same words' }, { 'idempotency-key': 'moved' }), 422, 'idempotency_key_reused');
    expectError(
      await postComment(base, 'demo-blog', 'move-post', token, { body: 'Same words', parentId: first.json.comment!.id }, { 'idempotency-key': 'moved' }),
      422,
      'idempotency_key_reused',
    );
  });

  it('keeps keys per commenter: two commenters may use the same key', async () => {
    const one = await postComment(base, 'demo-blog', 'shared-key-post', await bed.tokens.mint({ sub: 'one' }), { body: 'Mine' }, { 'idempotency-key': 'shared' });
    const two = await postComment(base, 'demo-blog', 'shared-key-post', await bed.tokens.mint({ sub: 'two' }), { body: 'Mine' }, { 'idempotency-key': 'shared' });
    expect([one.status, two.status]).toEqual([201, 201]);
    expect(two.json.comment!.id).not.toBe(one.json.comment!.id);
  });

  it('remembers nothing for a refused request, so the fixed request may reuse the key', async () => {
    const token = await bed.tokens.mint({ sub: 'fixer' });
    expectError(await postComment(base, 'demo-blog', 'fix-post', token, { body: '   ' }, { 'idempotency-key': 'fix' }), 422, 'comment_empty');
    const fixed = await postComment(base, 'demo-blog', 'fix-post', token, { body: 'Now with words' }, { 'idempotency-key': 'fix' });
    expect(fixed.status).toBe(201);
  });

  it('replays the first result even when the commenter has reached the rate limit since', async () => {
    const token = await bed.tokens.mint({ sub: 'busy' });
    const first = await postComment(base, 'demo-blog', 'busy-post', token, { body: 'One' }, { 'idempotency-key': 'busy-1' });
    await postComment(base, 'demo-blog', 'busy-post', token, { body: 'Two' });
    await postComment(base, 'demo-blog', 'busy-post', token, { body: 'Three' });
    expectError(await postComment(base, 'demo-blog', 'busy-post', token, { body: 'Four' }), 429, 'rate_limited');
    const retry = await postComment(base, 'demo-blog', 'busy-post', token, { body: 'One' }, { 'idempotency-key': 'busy-1' });
    expect(retry.status).toBe(201);
    expect(retry.json).toEqual(first.json);
  });

  it('forgets a key after 24 hours', async () => {
    const token = await bed.tokens.mint({ sub: 'patient' });
    const first = await postComment(base, 'demo-blog', 'old-key-post', token, { body: 'Yesterday' }, { 'idempotency-key': 'old' });
    clock.advanceSeconds(24 * 60 * 60 + 1);
    const later = await postComment(base, 'demo-blog', 'old-key-post', token, { body: 'Yesterday' }, { 'idempotency-key': 'old' });
    expect(later.status).toBe(201);
    expect(later.headers.get('idempotent-replayed')).toBeNull();
    expect(later.json.comment!.id).not.toBe(first.json.comment!.id);
    expect((await rowCounts(bed.service.dataDir)).idempotency_keys).toBeGreaterThan(0);
  });
});
