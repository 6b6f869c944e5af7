/**
 * Redirects back to the relying party. Parameters are appended to the callback's own query
 * untouched (re-serialising it through URLSearchParams could change its encoding, and the
 * relying party may compare it byte for byte), before any fragment.
 */
import type { Response } from 'express';

export function appendQueryParams(url: string, params: ReadonlyArray<readonly [string, string]>): string {
  const hashAt = url.indexOf('#');
  const base = hashAt === -1 ? url : url.slice(0, hashAt);
  const fragment = hashAt === -1 ? '' : url.slice(hashAt);
  const added = new URLSearchParams(params.map(([k, v]) => [k, v])).toString();
  if (added === '') return url;
  const joiner = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${joiner}${added}${fragment}`;
}

/** 302 that no cache keeps: codes and verifiers ride in the Location header. */
export function redirectTo(res: Response, location: string): void {
  res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }).redirect(302, location);
}
