import type { Comment } from './api';

export interface ThreadNode {
  readonly comment: Comment;
  readonly replies: ThreadNode[];
}

/**
 * Nests comments under their parents, keeping creation order at every level. A reply whose parent
 * is not in the list (removed, or on another page) is shown at the top level rather than lost.
 */
export function buildThread(comments: readonly Comment[]): ThreadNode[] {
  const nodes = new Map<string, ThreadNode>();
  for (const comment of comments) if (!nodes.has(comment.id)) nodes.set(comment.id, { comment, replies: [] });
  const top: ThreadNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.comment.parentId === null ? undefined : nodes.get(node.comment.parentId);
    if (parent && parent !== node && !isAncestor(node, parent, nodes)) parent.replies.push(node);
    else top.push(node);
  }
  return top;
}

/** Guards against a cycle in bad data (a → b → a), which would hide both comments. */
function isAncestor(node: ThreadNode, candidate: ThreadNode, nodes: ReadonlyMap<string, ThreadNode>): boolean {
  const seen = new Set<string>();
  for (let current: ThreadNode | undefined = candidate; current; ) {
    if (current === node) return true;
    if (seen.has(current.comment.id)) return true;
    seen.add(current.comment.id);
    current = current.comment.parentId === null ? undefined : nodes.get(current.comment.parentId);
  }
  return false;
}
