import { strings } from '../../src/widget/strings';

describe('the words beside "Notify me of replies by email"', () => {
  test('promise the login address only to those who log in with one', () => {
    expect(strings.notifyRepliesHint('email')).toBe('Sent to the address you log in with; the blog never sees it.');
    for (const provider of ['twitter', 'facebook', undefined] as const) {
      expect(strings.notifyRepliesHint(provider)).toBe('Sent to the email address of your comment account, if it has one; the blog never sees it.');
    }
  });
});
