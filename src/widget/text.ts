import { h } from './dom';
import { linkify } from './linkify';

/** Link relations for links in comments: not endorsed (nofollow), user content (ugc), no opener. */
export const COMMENT_LINK_REL = 'nofollow ugc noopener';

/** A comment's body as text nodes, with its http(s) URLs as links (line breaks kept by CSS). */
export function commentText(body: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const segment of linkify(body)) {
    fragment.appendChild(
      segment.href === undefined ? document.createTextNode(segment.text) : h('a', { href: segment.href, rel: COMMENT_LINK_REL, target: '_blank' }, segment.text),
    );
  }
  return fragment;
}
