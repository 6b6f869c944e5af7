import type { Site } from '../config/sites';

/** A page of a registered blog that a gateway page may link back to. */
export interface BlogPage {
  readonly href: string;
  readonly siteName: string;
}

/**
 * `return_to` as a link back to the blog, only when it is an http(s) page on one of a registered
 * site's origins; anything else (another host, `javascript:`, a relative path) gives no link at
 * all, never an open redirect. The fragment is dropped: it is the widget's, not ours to replay.
 */
export function blogPageFrom(value: unknown, sites: readonly Site[]): BlogPage | undefined {
  if (typeof value !== 'string' || value.length > 2048) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const site = sites.find((candidate) => candidate.origins.includes(url.origin));
  return site ? { href: `${url.origin}${url.pathname}${url.search}`, siteName: site.name } : undefined;
}
