/** Random tokens and constant-time comparison shared by both emulators. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** URL-safe random token; 24 bytes = 192 bits unless asked otherwise. */
export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * Compares secrets without leaking where they differ. Hashing first gives equal lengths, so
 * timingSafeEqual never throws and the length of the expected value is not revealed either.
 */
export function safeEqual(actual: string, expected: string): boolean {
  const a = createHash('sha256').update(actual).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && actual === expected;
}
