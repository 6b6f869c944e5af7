/** Reading request parameters that must be single strings (repeats and nesting are refused). */

/** The value when it is one string; undefined for absent, repeated (arrays) or nested values. */
export function stringParam(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
