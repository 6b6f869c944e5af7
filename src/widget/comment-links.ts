/**
 * Links to one comment: `https://blog.example/post#parley-comment-<id>`, the address a reply
 * email points at. The comment service builds it from the `pageUrl` the widget sends with each
 * new comment (the page without its fragment) and the reply's id; the widget gives each comment
 * that id and, since the comments live in a shadow root where the browser's own fragment
 * scrolling cannot reach, scrolls to the one named in the address itself.
 */

const ANCHOR_PREFIX = 'parley-comment-';
/** As the service's comment ids are (src/comments/validation.ts, COMMENT_ID_PATTERN). */
const ANCHOR_PATTERN = /^#parley-comment-([A-Za-z0-9_-]{1,64})$/;
/**
 * A longer address is cut to origin and path: blogs' URLs are far shorter, and an address this
 * long is likely carrying tracking parameters nobody needs in an email.
 */
export const MAX_PAGE_URL_LENGTH = 1500;

/** The element id of a comment in the thread. */
export function commentAnchorId(commentId: string): string {
  return `${ANCHOR_PREFIX}${commentId}`;
}

/** The comment a fragment (`location.hash`) names, or undefined. */
export function commentIdFromHash(hash: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(hash);
  } catch {
    return undefined;
  }
  return ANCHOR_PATTERN.exec(decoded)?.[1];
}

/**
 * The page as the service keeps it for reply emails: without its fragment (a previous comment's
 * anchor, or a login's answer), cut to origin and path when very long; undefined for a page that
 * is not http(s) (a file, a sandboxed frame), which no site lists among its origins anyway, or
 * whose very path is too long.
 */
export function pageAddress(href: string): string | undefined {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  url.hash = '';
  if (url.href.length <= MAX_PAGE_URL_LENGTH) return url.href;
  const short = url.origin + url.pathname;
  return short.length <= MAX_PAGE_URL_LENGTH ? short : undefined;
}
