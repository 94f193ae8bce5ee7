import { describe, expect, it } from 'vitest';

import { arrange, boardReducer, emptyBoard, viewerPlace, type BoardEntry, type BoardEvent, type BoardState } from './board';

const entry = (rank: number, id: string, xp: number): BoardEntry => ({ rank, xp, user: { id, displayName: id.toUpperCase() } });
const page = (entries: BoardEntry[], reset: boolean, more = false, viewer: BoardEntry | null = null): BoardEvent<BoardEntry> => ({
  type: 'page',
  entries,
  viewer,
  totalCount: 99,
  hasNextPage: more,
  endCursor: more ? `c${entries.length}` : null,
  reset,
});
const run = (...events: BoardEvent<BoardEntry>[]): BoardState<BoardEntry> => events.reduce(boardReducer, emptyBoard<BoardEntry>());
const shown = (state: BoardState<BoardEntry>) => arrange(state).map((e) => `${e.rank}:${e.user?.id}`);

// Ten users a..j with 100, 90, … 10 XP, then k (5) and l (4).
const TOP = 'abcdefghij'.split('').map((id, i) => entry(i + 1, id, 100 - i * 10));
const REST = [entry(11, 'k', 5), entry(12, 'l', 4)];

describe('a leaderboard', () => {
  it('adds later pages below the first, each user once, and a first page starts over', () => {
    const state = run(page(TOP.slice(0, 6), true, true), page([TOP[5]!, ...TOP.slice(6)], false));
    expect(shown(state)).toEqual(TOP.map((e) => `${e.rank}:${e.user?.id}`));
    expect(state.loaded).toBe(true);
    expect(state.hasNextPage).toBe(false);
    const again = boardReducer(state, page([entry(1, 'z', 500)], true));
    expect(shown(again)).toEqual(['1:z']);
  });

  it('shows the live top first, and someone who climbed into it once', () => {
    // l (12th) reads a lot and is first now.
    const live = [entry(1, 'l', 200), ...TOP.slice(0, 9).map((e, i) => ({ ...e, rank: i + 2 }))];
    const state = run(page([...TOP, ...REST], true), { type: 'live', top: live });
    expect(shown(state)).toEqual([
      '1:l', '2:a', '3:b', '4:c', '5:d', '6:e', '7:f', '8:g', '9:h', '10:i',
      // j fell out of the top 10 and stays right below it, before k.
      '11:j', '12:k',
    ]);
  });

  it('ranks the places below the top anew, ordered by XP', () => {
    const live = [entry(1, 'k', 300), ...TOP.slice(0, 9).map((e, i) => ({ ...e, rank: i + 2 }))];
    const state = run(page([...TOP, ...REST], true), { type: 'live', top: live });
    expect(arrange(state).slice(10).map((e) => [e.rank, e.user?.id, e.xp])).toEqual([
      [11, 'j', 10],
      [12, 'l', 4],
    ]);
  });

  it('keeps the live top over later pages, and over a first page read again', () => {
    const live = [entry(1, 'b', 300), entry(2, 'a', 100)];
    let state = run(page(TOP.slice(0, 2), true, true), { type: 'live', top: live });
    expect(shown(state)).toEqual(['1:b', '2:a']);
    state = boardReducer(state, page(TOP.slice(2, 4), false));
    expect(shown(state)).toEqual(['1:b', '2:a', '3:c', '4:d']);
    state = boardReducer(state, page(TOP.slice(0, 2), true));
    expect(shown(state)).toEqual(['1:b', '2:a']);
  });

  it('shows a live top that arrives before any page', () => {
    expect(shown(run({ type: 'live', top: [entry(2, 'b', 5), entry(1, 'a', 9)] }))).toEqual(['1:a', '2:b']);
  });

  it('keeps places of deleted accounts apart', () => {
    const gone = { rank: 3, xp: 70, user: null };
    const state = run(page([TOP[0]!, TOP[1]!, gone], true), { type: 'live', top: [TOP[1]!, TOP[0]!].map((e, i) => ({ ...e, rank: i + 1 })) });
    expect(arrange(state).map((e) => e.user?.id ?? null)).toEqual(['b', 'a', null]);
  });

  it('remembers loading and errors, and the viewer read again', () => {
    let state = run(page(TOP.slice(0, 2), true, true));
    state = boardReducer(state, { type: 'loading' });
    expect(state.loading).toBe(true);
    state = boardReducer(state, { type: 'failed', error: new Error('offline') });
    expect(state).toMatchObject({ loading: false, error: new Error('offline') });
    state = boardReducer(state, { type: 'viewer', viewer: entry(40, 'me', 3), totalCount: 41 });
    expect(state.viewer?.rank).toBe(40);
    expect(state.totalCount).toBe(41);
  });
});

describe("the viewer's place", () => {
  it('is their row when they are on the board, pinned below it otherwise, and nothing when signed out', () => {
    const rows = arrange(run(page(TOP, true)));
    expect(viewerPlace(rows, entry(3, 'c', 80), 'c')).toEqual({ onBoard: rows[2], pinned: null });
    const far = entry(40, 'me', 3);
    expect(viewerPlace(rows, far, 'me')).toEqual({ onBoard: null, pinned: far });
    expect(viewerPlace(rows, null, 'me')).toEqual({ onBoard: null, pinned: null });
    expect(viewerPlace(rows, far, null)).toEqual({ onBoard: null, pinned: null });
  });
});
