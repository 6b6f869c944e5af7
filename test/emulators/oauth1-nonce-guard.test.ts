/** RFC 5849 §3.3: positive integer timestamps within a window; nonces single use within it. */
import { NonceTimestampGuard } from '../../src/emulators';

const use = (nonce: string, timestamp = 1_000) => ({ consumerKey: 'ck', token: 'tok', timestamp, nonce });

describe('NonceTimestampGuard', () => {
  it('parses only positive integer timestamps', () => {
    expect(NonceTimestampGuard.parseTimestamp('1318622958')).toBe(1318622958);
    for (const bad of ['0', '-5', '12.5', '0123', '', 'abc', '1e9']) {
      expect(NonceTimestampGuard.parseTimestamp(bad)).toBeUndefined();
    }
  });

  it('accepts timestamps up to the window away on either side', () => {
    const guard = new NonceTimestampGuard(300);
    expect(guard.isFresh(1_000, 1_300)).toBe(true);
    expect(guard.isFresh(1_600, 1_300)).toBe(true);
    expect(guard.isFresh(999, 1_300)).toBe(false);
    expect(guard.isFresh(1_601, 1_300)).toBe(false);
  });

  it('refuses a nonce replayed with the same consumer, token and timestamp', () => {
    const guard = new NonceTimestampGuard(300);
    expect(guard.remember(use('n1'), 1_000)).toBe(true);
    expect(guard.remember(use('n1'), 1_001)).toBe(false);
    expect(guard.remember({ ...use('n1'), token: 'other' }, 1_001)).toBe(true);
    expect(guard.remember(use('n1', 1_002), 1_002)).toBe(true);
  });

  it('forgets nonces once their timestamp has left the window', () => {
    const guard = new NonceTimestampGuard(300);
    guard.remember(use('n1'), 1_000);
    guard.remember(use('n2', 1_250), 1_250);
    guard.remember(use('n3', 1_400), 1_400);
    expect(guard.size).toBe(2);
  });
});
