import { authorKeyOf } from '../../src/comments/presentation';
import { toComment } from '../../src/widget/api';
import { editTimeLeft, EDIT_WINDOW_MS, isOwnComment, readerAuthorKey } from '../../src/widget/own-comments';

/** How the widget tells the reader's own comments (src/widget/own-comments.ts). */
describe('own comments in the widget', () => {
  test('the reader\'s key, made with WebCrypto, is the one the service puts on their comments', async () => {
    for (const [site, sub] of [['demo-blog', 'abc'], ['other-blog', 'abc'], ['demo-blog', 'ünïcode sub']] as const) {
      expect(await readerAuthorKey(site, sub)).toBe(authorKeyOf(site, sub));
    }
    expect(await readerAuthorKey('demo-blog', 'abc')).not.toBe(await readerAuthorKey('other-blog', 'abc'));
  });

  test('a comment is the reader\'s only with their exact key, and never as a placeholder', async () => {
    const key = (await readerAuthorKey('demo-blog', 'me'))!;
    const mine = toComment({ id: 'c1', body: 'x', createdAt: '2026-01-01T00:00:00Z', authorKey: key })!;
    expect(isOwnComment(mine, key)).toBe(true);
    expect(isOwnComment(mine, undefined)).toBe(false);
    expect(isOwnComment(toComment({ id: 'c2', body: 'x', authorKey: authorKeyOf('demo-blog', 'you') })!, key)).toBe(false);
    expect(isOwnComment(toComment({ id: 'c3', body: '', state: 'deleted', authorKey: key })!, key)).toBe(false);
    // Only the service's shape is taken.
    expect(toComment({ id: 'c4', body: 'x', authorKey: `${key}!` })).not.toHaveProperty('authorKey');
    expect(toComment({ id: 'c5', body: 'x', authorKey: 7 })).not.toHaveProperty('authorKey');
  });

  test('editedAt is kept when it is text, and the edit window counts from createdAt', () => {
    expect(toComment({ id: 'c1', body: 'x', editedAt: '2026-01-01T00:01:00.000Z' })).toMatchObject({ editedAt: '2026-01-01T00:01:00.000Z' });
    expect(toComment({ id: 'c1', body: 'x', editedAt: 5 })).not.toHaveProperty('editedAt');
    const comment = toComment({ id: 'c1', body: 'x', createdAt: '2026-01-01T00:00:00.000Z' })!;
    const created = Date.parse('2026-01-01T00:00:00.000Z');
    expect(editTimeLeft(comment, created + 60_000)).toBe(EDIT_WINDOW_MS - 60_000);
    expect(editTimeLeft(comment, created + EDIT_WINDOW_MS)).toBe(0);
    expect(editTimeLeft(comment, created + EDIT_WINDOW_MS + 1)).toBe(0);
    expect(editTimeLeft(toComment({ id: 'c2', body: 'x', createdAt: 'soon' })!, created)).toBe(0);
  });
});
