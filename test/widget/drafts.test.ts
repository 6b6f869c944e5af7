import { DraftStore } from '../../src/widget/drafts';
import { tabStorage } from '../../src/widget/storage';

/** Outside a browser the tab's storage is a memory stand-in (storage.ts): one per test file. */
describe('a draft posted once with its answer lost', () => {
  const sent = { notifyReplies: false, pageUrl: 'https://blog.example/post' };

  test('keeps what that POST carried, also after a reload, for retries under the same key', () => {
    const store = new DraftStore('demo-blog', 'post-1');
    const draft = store.update(store.load(), { body: 'Hello', parentId: null });
    const pinned = store.pin(draft, sent);
    expect(pinned).toEqual({ ...draft, sent });
    expect(new DraftStore('demo-blog', 'post-1').load()).toEqual({ body: 'Hello', parentId: null, idempotencyKey: draft.idempotencyKey, sent });
    // The same text again (a re-render): still the same request.
    expect(store.update(pinned, { body: 'Hello', parentId: null })).toEqual(pinned);
  });

  test('is a new request once its text or reply target changes: a new key, sent as it will be then', () => {
    const store = new DraftStore('demo-blog', 'post-2');
    const pinned = store.pin(store.update(store.load(), { body: 'Hello', parentId: null }), sent);
    for (const next of [{ body: 'Hello!', parentId: null }, { body: 'Hello', parentId: 'c1' }]) {
      const changed = store.update(pinned, next);
      expect(changed.idempotencyKey).not.toBe(pinned.idempotencyKey);
      expect(changed.sent).toBeUndefined();
    }
  });

  test('is forgotten when posted, and a malformed record is not trusted', () => {
    const store = new DraftStore('demo-blog', 'post-3');
    store.pin(store.update(store.load(), { body: 'Hello', parentId: null }), sent);
    expect(store.clear().sent).toBeUndefined();
    expect(new DraftStore('demo-blog', 'post-3').load().sent).toBeUndefined();

    tabStorage().set('parley.draft:demo-blog:post-4', JSON.stringify({ body: 'Hi', parentId: null, idempotencyKey: 'k1', sent: { notifyReplies: 'yes' } }));
    expect(new DraftStore('demo-blog', 'post-4').load()).toEqual({ body: 'Hi', parentId: null, idempotencyKey: 'k1' });
  });
});
