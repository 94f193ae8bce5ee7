// A leaderboard on the client: the pages loaded so far (forward only, in the
// server's order) and the top 10 as `leaderboardChanged` last pushed it. The
// live top is the truth for the first places; the loaded places below it are
// as they were read, minus anyone who has since climbed into the top, and
// anyone who fell out of the top stays on the board right below it (their
// XP only grows within a period, so nobody drops further than that until the
// next read). A page read after a push does not drop the pushed top: the
// next push is at most a second behind. `arrange` ranks what is shown; all of
// it is pure and unit-tested.

export interface BoardEntry {
  rank: number;
  xp: number;
  user: { id: string; displayName: string } | null;
}

export interface BoardState<E extends BoardEntry> {
  /** Loaded pages, concatenated, one place per user. */
  server: E[];
  /** The latest live top (null until the first push). */
  live: E[] | null;
  /** The viewer's own place as last read (null: anonymous or no XP in the period). */
  viewer: E | null;
  totalCount: number;
  loaded: boolean;
  hasNextPage: boolean;
  endCursor: string | null;
  loading: boolean;
  error: Error | null;
}

export type BoardEvent<E extends BoardEntry> =
  /** A page; `reset` for a first page, which replaces what was loaded. */
  | { type: 'page'; entries: readonly E[]; viewer: E | null; totalCount: number; hasNextPage: boolean; endCursor: string | null; reset: boolean }
  | { type: 'loading' }
  | { type: 'failed'; error: Error }
  /** The live top, as pushed. */
  | { type: 'live'; top: readonly E[] }
  /** The viewer's place and the board's size, read again after a live change. */
  | { type: 'viewer'; viewer: E | null; totalCount: number };

export function emptyBoard<E extends BoardEntry>(): BoardState<E> {
  return { server: [], live: null, viewer: null, totalCount: 0, loaded: false, hasNextPage: false, endCursor: null, loading: true, error: null };
}

const keyOf = (entry: BoardEntry) => entry.user?.id ?? `#${entry.rank}`;

export function boardReducer<E extends BoardEntry>(state: BoardState<E>, event: BoardEvent<E>): BoardState<E> {
  switch (event.type) {
    case 'page': {
      const base = event.reset ? [] : state.server;
      // A later page may repeat someone an earlier one had (the board moved in between): keep the first.
      const seen = new Set(base.map(keyOf));
      const fresh = event.entries.filter((entry) => !seen.has(keyOf(entry)));
      return {
        ...state,
        server: [...base, ...fresh],
        viewer: event.viewer,
        totalCount: event.totalCount,
        loaded: true,
        hasNextPage: event.hasNextPage,
        endCursor: event.endCursor,
        loading: false,
        error: null,
      };
    }
    case 'loading':
      return { ...state, loading: true, error: null };
    case 'failed':
      return { ...state, loading: false, error: event.error };
    case 'live':
      return { ...state, live: [...event.top] };
    case 'viewer':
      return { ...state, viewer: event.viewer, totalCount: Math.max(event.totalCount, 0) };
  }
}

/** The places to show, ranked: the live top, then the loaded places below it. */
export function arrange<E extends BoardEntry>(state: Pick<BoardState<E>, 'server' | 'live'>): E[] {
  if (!state.live) return state.server;
  const top = [...state.live].sort((a, b) => a.rank - b.rank);
  const inTop = new Set(top.map(keyOf));
  const below = state.server
    .filter((entry) => !inTop.has(keyOf(entry)))
    // Stable: those who fell out of the top keep their order among the rest.
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => b.entry.xp - a.entry.xp || a.index - b.index)
    .map(({ entry }) => entry);
  const last = top.at(-1)?.rank ?? 0;
  return [...top, ...below.map((entry, index) => ({ ...entry, rank: last + index + 1 }))];
}

/**
 * The viewer's place as it should show: their row on the board when it is
 * there (`onBoard`), otherwise the place last read, pinned under the list.
 */
export function viewerPlace<E extends BoardEntry>(rows: readonly E[], viewer: E | null, viewerId: string | null): { onBoard: E | null; pinned: E | null } {
  if (!viewerId) return { onBoard: null, pinned: null };
  const row = rows.find((entry) => entry.user?.id === viewerId) ?? null;
  if (row) return { onBoard: row, pinned: null };
  return { onBoard: null, pinned: viewer && viewer.user?.id === viewerId ? viewer : null };
}
