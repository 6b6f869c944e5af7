import { commentAnchorId, commentIdFromHash } from './comment-links';

/**
 * The comment the page's address names (`#parley-comment-<id>`, the link in a reply email),
 * brought into view once the thread is there. The browser cannot do it: the thread is in a shadow
 * root, and usually arrives after the page has finished its own (fruitless) fragment scrolling.
 */

/** The class that marks it; the styles fade the mark out after a few seconds (styles.ts). */
export const HIGHLIGHT_CLASS = 'highlight';

/**
 * Scrolls the comment named by `hash` into the middle of the view, marks it, and gives it the
 * focus when nothing else has it (so a screen reader starts there, as it would at a plain
 * anchor). Returns false when this thread has no such comment (another widget on the page may).
 */
export function revealLinkedComment(root: ShadowRoot, hash: string): boolean {
  const commentId = commentIdFromHash(hash);
  // The anchor is on the comment's list item, which holds its replies too: the comment itself is its article.
  const item = commentId === undefined ? null : root.getElementById(commentAnchorId(commentId));
  const article = item?.querySelector<HTMLElement>(':scope > article');
  if (!article) return false;
  article.classList.remove(HIGHLIGHT_CLASS);
  // Restarts the fade when the same link is followed again (reflow between remove and add).
  void article.offsetWidth;
  article.classList.add(HIGHLIGHT_CLASS);
  article.scrollIntoView({ block: 'center', behavior: prefersReducedMotion() ? 'auto' : 'smooth' });
  const active = document.activeElement;
  if ((active === null || active === document.body) && root.activeElement === null) article.focus({ preventScroll: true });
  return true;
}

function prefersReducedMotion(): boolean {
  return typeof window.matchMedia === 'function' && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
}
