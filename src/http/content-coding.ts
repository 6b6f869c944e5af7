/**
 * Choosing a content coding from a request's Accept-Encoding (RFC 9110, 12.5.3), for bodies the
 * server keeps compressed in advance.
 *
 * - Each listed coding may carry a weight (`;q=0` to `;q=1`, default 1); q=0 means "not acceptable".
 * - `*` stands for every coding the header does not name.
 * - Codings are case-insensitive; `x-gzip` is gzip (RFC 9110, 8.4.1.3).
 * - Among the acceptable codings the server's order wins, not the weights: every browser that
 *   sends `br` gives it the same weight as `gzip`, and brotli is the smaller.
 * - Without a usable coding the body goes as it is (identity), even when the client refused
 *   identity: a 406 for a script tag helps no one.
 */

export type PrecompressedCoding = 'br' | 'gzip';

const ALIASES: Readonly<Record<string, string>> = { 'x-gzip': 'gzip' };

/** Weights by coding name (lower case), and the weight `*` gives to the rest. */
function parseAcceptEncoding(header: string): { weights: Map<string, number>; wildcard: number | undefined } {
  const weights = new Map<string, number>();
  let wildcard: number | undefined;
  for (const member of header.split(',')) {
    const [rawName, ...params] = member.split(';');
    const name = rawName!.trim().toLowerCase();
    if (name === '') continue;
    let weight = 1;
    for (const param of params) {
      const [key, value] = param.split('=');
      if (key?.trim().toLowerCase() !== 'q') continue;
      // A weight we cannot read is taken as a refusal: sending what the client may not decode is worse.
      const parsed = Number(value?.trim());
      weight = Number.isFinite(parsed) && value?.trim() !== '' ? Math.min(1, Math.max(0, parsed)) : 0;
    }
    if (name === '*') wildcard = weight;
    else weights.set(ALIASES[name] ?? name, weight);
  }
  return { weights, wildcard };
}

/**
 * The first of `offered` (in the server's order of preference) that the Accept-Encoding header
 * allows, or `identity`. An absent or empty header allows no coding.
 */
export function chooseCoding<C extends PrecompressedCoding>(acceptEncoding: string | undefined, offered: readonly C[]): C | 'identity' {
  if (acceptEncoding === undefined || acceptEncoding.trim() === '') return 'identity';
  const { weights, wildcard } = parseAcceptEncoding(acceptEncoding);
  for (const coding of offered) {
    const weight = weights.get(coding) ?? wildcard ?? 0;
    if (weight > 0) return coding;
  }
  return 'identity';
}
