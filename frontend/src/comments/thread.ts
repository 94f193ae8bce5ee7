// A post's discussion on the client, as the server sends it: a flat list in
// depth-first order (each comment followed by its replies, oldest first), one
// page at a time, each comment with its `depth`. Live events (`commentAdded`,
// our own add/edit/delete/moderation) arrive one comment at a time, possibly
// twice (our own comment comes back on the subscription too) and possibly
// before their parent's page is loaded.
//
// So the state keeps two lists: `server`, the pages as loaded (their order is
// the server's), and `extras`, comments that arrived live and are not (yet)
// in a loaded page. `arrange` places each extra right after its parent's
// subtree (a new root comment at the end); once a later page brings the same
// comment, the server's copy and position win. All of it is pure, so the
// rules are unit-tested here rather than through a browser.

export interface ThreadComment {
  id: string;
  parentId: string | null;
  depth: number;
  createdAt: string;
  status?: string;
  body?: string;
  author?: unknown;
}

export interface ThreadState<C extends ThreadComment> {
  /** Loaded pages, in the server's order. */
  server: C[];
  /** Comments that arrived live and are in no loaded page. */
  extras: C[];
  /** Whether the first page has arrived. */
  loaded: boolean;
  hasNextPage: boolean;
  endCursor: string | null;
  /** `Post.commentCount` when the first page was read. */
  baseCount: number;
  /** Visible comments added (+) or removed (−) since then. */
  countDelta: number;
  /** Whether a page is being read. */
  loading: boolean;
  /** Why the last page could not be read. */
  error: Error | null;
}

export type ThreadEvent<C extends ThreadComment> =
  /** A page of the thread; `reset` for a first page, which replaces what was loaded. */
  | { type: 'page'; nodes: readonly C[]; hasNextPage: boolean; endCursor: string | null; commentCount?: number; reset: boolean }
  /** A page was asked for. */
  | { type: 'loading' }
  /** It could not be read. */
  | { type: 'failed'; error: Error }
  /** A new comment: ours (the mutation's answer) or anyone's (the subscription). */
  | { type: 'added'; comment: C }
  /** A newer copy of a comment (edited, hidden, shown again). */
  | { type: 'changed'; comment: C }
  /** A comment deleted here. */
  | { type: 'deleted'; id: string };

/** Replies deeper than this are drawn at this indent (and say whom they reply to), so a deep thread fits a phone. */
export const MAX_INDENT = 6;

export function emptyThread<C extends ThreadComment>(): ThreadState<C> {
  return { server: [], extras: [], loaded: false, hasNextPage: false, endCursor: null, baseCount: 0, countDelta: 0, loading: false, error: null };
}

const isVisible = (c: ThreadComment | undefined) => c !== undefined && (c.status === undefined || c.status === 'VISIBLE');

// By instant, not by string: RFC 3339 texts of one second with and without a fraction do not sort as text.
const time = (value: string) => {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? 0 : ms;
};
const byCreation = (a: ThreadComment, b: ThreadComment) =>
  time(a.createdAt) - time(b.createdAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Replaces the comment with `comment`'s id by a merge of both (newer data wins); unknown ids change nothing. */
function replace<C extends ThreadComment>(list: readonly C[], comment: C): C[] {
  return list.map((c) => (c.id === comment.id ? { ...c, ...comment } : c));
}

/**
 * The thread as shown: the loaded pages, with each live-only comment placed
 * right after the subtree of its parent (oldest first among them), or at the
 * end when it is a root comment or its parent is not loaded (yet).
 */
export function arrange<C extends ThreadComment>(server: readonly C[], extras: readonly C[]): C[] {
  const out = server.slice();
  const known = new Set(server.map((c) => c.id));
  // The last copy of a twice-seen extra wins.
  const pending = new Map<string, C>();
  for (const extra of extras) if (!known.has(extra.id)) pending.set(extra.id, extra);
  for (const extra of [...pending.values()].sort(byCreation)) {
    const parent = extra.parentId === null ? -1 : out.findIndex((c) => c.id === extra.parentId);
    if (parent === -1) {
      out.push(extra);
      continue;
    }
    let at = parent + 1;
    while (at < out.length && out[at]!.depth > out[parent]!.depth) at += 1;
    out.splice(at, 0, extra);
  }
  return out;
}

export function threadReducer<C extends ThreadComment>(state: ThreadState<C>, event: ThreadEvent<C>): ThreadState<C> {
  switch (event.type) {
    case 'loading':
      return { ...state, loading: true, error: null };
    case 'failed':
      return { ...state, loading: false, error: event.error };
    case 'page': {
      let server: C[];
      if (event.reset) server = dedupe(event.nodes);
      else {
        const index = new Map(state.server.map((c, i) => [c.id, i]));
        server = state.server.slice();
        for (const node of event.nodes) {
          const at = index.get(node.id);
          if (at === undefined) {
            index.set(node.id, server.length);
            server.push(node);
          } else server[at] = node;
        }
      }
      const known = new Set(server.map((c) => c.id));
      return {
        ...state,
        server,
        extras: state.extras.filter((c) => !known.has(c.id)),
        loaded: true,
        loading: false,
        error: null,
        hasNextPage: event.hasNextPage,
        endCursor: event.endCursor,
        // A fresh count already includes everything that arrived live before it.
        ...(event.reset ? { baseCount: event.commentCount ?? 0, countDelta: 0 } : {}),
      };
    }
    case 'added':
    case 'changed': {
      const { comment } = event;
      const previous = state.server.find((c) => c.id === comment.id) ?? state.extras.find((c) => c.id === comment.id);
      if (!previous) {
        if (event.type === 'changed') return state;
        return { ...state, extras: [...state.extras, comment], countDelta: state.countDelta + (isVisible(comment) ? 1 : 0) };
      }
      const next = { ...previous, ...comment };
      return {
        ...state,
        server: replace(state.server, comment),
        extras: replace(state.extras, comment),
        countDelta: state.countDelta + Number(isVisible(next)) - Number(isVisible(previous)),
      };
    }
    case 'deleted': {
      const rows = arrange(state.server, state.extras);
      const at = rows.findIndex((c) => c.id === event.id);
      if (at === -1) return state;
      const comment = rows[at]!;
      // A comment with replies keeps its place, marked the way the server marks
      // it, so its replies keep their context; a leaf disappears. The last loaded
      // comment may have replies on the next page.
      const hasReplies = at + 1 < rows.length ? rows[at + 1]!.depth > comment.depth : state.hasNextPage;
      const apply = (list: C[]) =>
        hasReplies
          ? list.map((c) => (c.id === event.id ? { ...c, body: '[deleted]', status: 'DELETED', ...('author' in c ? { author: null } : {}) } : c))
          : list.filter((c) => c.id !== event.id);
      return {
        ...state,
        server: apply(state.server),
        extras: apply(state.extras),
        countDelta: state.countDelta - (isVisible(comment) ? 1 : 0),
      };
    }
  }
}

function dedupe<C extends ThreadComment>(nodes: readonly C[]): C[] {
  const seen = new Set<string>();
  return nodes.filter((c) => (seen.has(c.id) ? false : (seen.add(c.id), true)));
}

/** How many visible comments the post has, as `Post.commentCount` counts (not deleted or hidden ones). */
export function visibleCount<C extends ThreadComment>(state: ThreadState<C>): number {
  return Math.max(0, state.baseCount + state.countDelta);
}

/** How far a comment is drawn indented: its depth, up to `MAX_INDENT`. */
export function indentOf(depth: number): number {
  return Math.min(Math.max(0, depth), MAX_INDENT);
}

/** Whether a comment is drawn shallower than it is, and so says whom it replies to. */
export function beyondIndent(depth: number): boolean {
  return depth > MAX_INDENT;
}
