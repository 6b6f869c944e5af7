import { formatNumber, strings } from '../../src/widget/strings';

/** Every message the widget may show, with and without a comment in the box. */
function everyMessage(): string[] {
  const messages: string[] = [];
  for (const value of Object.values(strings)) {
    if (typeof value === 'string') messages.push(value);
    else if (typeof value === 'function') {
      const say = value as (...args: unknown[]) => string;
      for (const args of [[true], [false], [undefined], ['twitter'], ['A detail.'], [503], [30], [1], [1234, 10000]]) messages.push(say(...args));
    }
  }
  return messages;
}

/** The sentences of a message (a full stop, ? or ! followed by a space or the end). */
function sentences(message: string): number {
  return (message.match(/[.!?](\s|$)/g) ?? []).length;
}

describe('the widget’s words', () => {
  test('write numbers one way: 1,234 Comments, 10,000', () => {
    expect(strings.commentCount(1)).toBe('1 Comment');
    expect(strings.commentCount(1234)).toBe('1,234 Comments');
    expect(strings.tooLong(1234, 10000)).toBe('The comment is 1,234 characters too long: at most 10,000 are allowed.');
    expect(strings.charactersLeft(1)).toBe('1 character left');
    expect(strings.charactersLeft(1000)).toBe('1,000 characters left');
    expect(strings.rateLimited(3600)).toBe('You are commenting too fast: wait 3,600 seconds, then post again.');
    expect(formatNumber(10000)).toBe('10,000');
  });

  test('say “log in”, never “sign in”', () => {
    const offending = everyMessage().filter((message) => /\bsign(ed|ing)?[\s-]?in\b|\bsign-in\b/i.test(message));
    expect(offending).toEqual([]);
  });

  test('mention the comment only when there is one to keep', () => {
    for (const say of [strings.signInCancelled, strings.signInClosed, strings.signInFailed, strings.signInUnavailable, strings.expired, strings.redirecting]) {
      expect(say(false)).not.toMatch(/comment/i);
      expect(say(true)).toMatch(/your comment is kept/);
    }
  });

  test('say each error in one sentence', () => {
    const errors = [
      strings.emptyComment,
      strings.tooLong(12, 10000),
      strings.logInFirst,
      strings.insecurePage,
      strings.expired(true),
      strings.expired(false),
      strings.expiredSigningIn,
      strings.expiredLogInAgain,
      strings.signInFailed(true),
      strings.signInUnavailable(true),
      strings.forbidden(undefined),
      strings.forbidden('This commenter is banned.'),
      strings.forbidden('banned'),
      strings.invalid(undefined),
      strings.invalid('The comment contains no text.'),
      strings.tooLarge,
      strings.rateLimited(30),
      strings.rateLimited(undefined),
      strings.serverError(503),
      strings.offline,
      strings.loadFailed,
    ];
    expect(errors.filter((message) => sentences(message) !== 1)).toEqual([]);
  });
});
