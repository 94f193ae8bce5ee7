// A post's discussion on the client. The server sends a nested tree to a
// fixed depth; live events (`commentAdded`, our own add/edit/delete) arrive
// one comment at a time, possibly twice (our own comment comes back on the
// subscription too) and possibly before their parent is known. So the thread
// is kept flat, by id, and the tree is built for rendering.

export interface FlatComment {
  id: string;
  parentId: string | null;
  createdAt: string;
  status?: string;
}

export interface TreeNode<C extends FlatComment> {
  comment: C;
  replies: TreeNode<C>[];
}

export type Nested<C> = C & { replies?: readonly Nested<C>[] | null };

/** Every comment of a nested server tree, parents before their replies. */
export function flatten<C extends FlatComment>(roots: readonly Nested<C>[]): C[] {
  const out: C[] = [];
  const walk = (nodes: readonly Nested<C>[]) => {
    for (const node of nodes) {
      const { replies, ...rest } = node;
      out.push(rest as unknown as C);
      if (replies?.length) walk(replies);
    }
  };
  walk(roots);
  return out;
}

/** Adds a comment, or replaces the one with its id (newer data wins). */
export function upsert<C extends FlatComment>(comments: readonly C[], comment: C): C[] {
  const index = comments.findIndex((c) => c.id === comment.id);
  if (index === -1) return [...comments, comment];
  const next = comments.slice();
  next[index] = { ...comments[index]!, ...comment };
  return next;
}

/** Merges a fresh server copy with what arrived live since: the server wins for ids it knows. */
export function merge<C extends FlatComment>(server: readonly C[], live: readonly C[]): C[] {
  let out = server.slice();
  const known = new Set(server.map((c) => c.id));
  for (const comment of live) if (!known.has(comment.id)) out = upsert(out, comment);
  return out;
}

/**
 * Removes a deleted comment. One with replies keeps its place, marked the way
 * the server marks it ("[deleted]", status DELETED), so the replies keep
 * their context; a leaf disappears.
 */
export function remove<C extends FlatComment & { body?: string }>(comments: readonly C[], id: string): C[] {
  const hasReplies = comments.some((c) => c.parentId === id);
  if (!hasReplies) return comments.filter((c) => c.id !== id);
  return comments.map((c) => (c.id === id ? { ...c, body: '[deleted]', status: 'DELETED' } : c));
}

// By instant, not by string: RFC 3339 texts of one second with and without a fraction do not sort as text.
const time = (value: string) => {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? 0 : ms;
};
const byCreation = <C extends FlatComment>(a: TreeNode<C>, b: TreeNode<C>) =>
  time(a.comment.createdAt) - time(b.comment.createdAt) || (a.comment.id < b.comment.id ? -1 : a.comment.id > b.comment.id ? 1 : 0);

/**
 * The thread: roots and replies oldest first. A reply whose parent is not
 * (yet) known is shown at the root rather than dropped; a cycle (which the
 * server cannot produce) cannot hang it.
 */
export function buildTree<C extends FlatComment>(comments: readonly C[]): TreeNode<C>[] {
  const nodes = new Map<string, TreeNode<C>>();
  for (const comment of comments) nodes.set(comment.id, { comment, replies: [] });
  const roots: TreeNode<C>[] = [];
  for (const node of nodes.values()) {
    const parentId = node.comment.parentId;
    const parent = parentId ? nodes.get(parentId) : undefined;
    if (parent && !isAncestor(nodes, node.comment.id, parent)) parent.replies.push(node);
    else roots.push(node);
  }
  const sort = (list: TreeNode<C>[]) => {
    list.sort(byCreation);
    for (const node of list) sort(node.replies);
  };
  sort(roots);
  return roots;
}

function isAncestor<C extends FlatComment>(nodes: Map<string, TreeNode<C>>, id: string, from: TreeNode<C>): boolean {
  const seen = new Set<string>();
  let current: TreeNode<C> | undefined = from;
  while (current) {
    if (current.comment.id === id) return true;
    if (seen.has(current.comment.id)) return true;
    seen.add(current.comment.id);
    current = current.comment.parentId ? nodes.get(current.comment.parentId) : undefined;
  }
  return false;
}

/** How many comments are visible, as `Post.commentCount` counts (not deleted or hidden ones). */
export function countVisible<C extends FlatComment>(comments: readonly C[]): number {
  return comments.filter((c) => c.status === undefined || c.status === 'VISIBLE').length;
}
