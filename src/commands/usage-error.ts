/** A `parley` command used the wrong way: reported as one line, exit code 1. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
