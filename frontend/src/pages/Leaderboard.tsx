import { useCallback, useEffect, useReducer, useRef, type KeyboardEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { CombinedError, useClient } from 'urql';

import { TrophyIcon } from '../components/icons';
import { Empty, ErrorNote, LoadMore, Loading, usePageTitle } from '../components/ui';
import { graphql } from '../gql';
import type { LeaderboardEntryFieldsFragment, LeaderboardPeriod } from '../gql/graphql';
import { arrange, boardReducer, emptyBoard, viewerPlace } from '../leaderboard/board';
import { useAuth } from '../lib/auth';
import { errorMessage } from '../lib/errors';

export const LeaderboardEntryFields = graphql(`
  fragment LeaderboardEntryFields on LeaderboardEntry {
    rank
    xp
    user {
      id
      displayName
    }
  }
`);

const LeaderboardQuery = graphql(`
  query Leaderboard($period: LeaderboardPeriod!, $first: Int!, $after: String) {
    leaderboard(period: $period, first: $first, after: $after) {
      totalCount
      viewerEntry {
        ...LeaderboardEntryFields
      }
      edges {
        node {
          ...LeaderboardEntryFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

/** After a live change: where the viewer stands now, and how many are on the board. */
const ViewerPlaceQuery = graphql(`
  query LeaderboardViewerPlace($period: LeaderboardPeriod!) {
    leaderboard(period: $period, first: 1) {
      totalCount
      viewerEntry {
        ...LeaderboardEntryFields
      }
    }
  }
`);

const LeaderboardLive = graphql(`
  subscription LeaderboardLive($period: LeaderboardPeriod!) {
    leaderboardChanged(period: $period) {
      ...LeaderboardEntryFields
    }
  }
`);

type Entry = LeaderboardEntryFieldsFragment;

/** Places per page; the live top is the first 10. */
const PAGE = 20;

const PERIODS: { value: LeaderboardPeriod; param: string; tab: string; phrase: string }[] = [
  { value: 'WEEK', param: 'week', tab: 'Week', phrase: 'this week' },
  { value: 'MONTH', param: 'month', tab: 'Month', phrase: 'this month' },
  { value: 'ALL_TIME', param: 'all', tab: 'All time', phrase: 'yet' },
];

/** `/leaderboard?period=week|month|all`: readers by XP, the top 10 live. */
export function LeaderboardPage() {
  usePageTitle('Leaderboard');
  const [params, setParams] = useSearchParams();
  const current = PERIODS.find((p) => p.param === params.get('period')) ?? PERIODS[0]!;

  function choose(index: number) {
    const next = PERIODS[(index + PERIODS.length) % PERIODS.length]!;
    setParams(next === PERIODS[0] ? {} : { period: next.param }, { replace: true });
    document.getElementById(`period-${next.param}`)?.focus();
  }
  function onKey(event: KeyboardEvent<HTMLButtonElement>, index: number) {
    const moves: Record<string, number> = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: PERIODS.length - 1 };
    const to = moves[event.key];
    if (to === undefined) return;
    event.preventDefault();
    choose(to);
  }

  return (
    <section className="leaderboard-page narrow-wide">
      <h1>
        <TrophyIcon size={26} /> Leaderboard
      </h1>
      <p className="muted">Readers by the XP they earned: finish posts and series, keep a streak, earn badges.</p>
      <div className="tabs period-tabs" role="tablist" aria-label="Period">
        {PERIODS.map((p, index) => {
          const selected = p === current;
          return (
            <button
              key={p.param}
              id={`period-${p.param}`}
              type="button"
              role="tab"
              className={selected ? 'active' : ''}
              aria-selected={selected}
              aria-controls="board-panel"
              tabIndex={selected ? 0 : -1}
              onClick={() => choose(index)}
              onKeyDown={(event) => onKey(event, index)}
            >
              {p.tab}
            </button>
          );
        })}
      </div>
      <div id="board-panel" role="tabpanel" aria-labelledby={`period-${current.param}`}>
        <Board key={current.value} period={current.value} phrase={current.phrase} />
      </div>
    </section>
  );
}

// The board lives in this component's state (leaderboard/board.ts), not in
// graphcache: the live top replaces the first places of whatever pages are
// loaded, which a cached connection cannot express. Pages are read
// `network-only`; a new period is a new component (keyed), so a new board.
function Board({ period, phrase }: { period: LeaderboardPeriod; phrase: string }) {
  const client = useClient();
  const { userId } = useAuth();
  const [state, dispatch] = useReducer(boardReducer<Entry>, undefined, emptyBoard<Entry>);
  const inFlight = useRef<symbol | null>(null);

  const load = useCallback(
    (after: string | null) => {
      const ticket = Symbol('page');
      inFlight.current = ticket;
      void client
        .query(LeaderboardQuery, { period, first: PAGE, after }, { requestPolicy: 'network-only' })
        .toPromise()
        .then((result) => {
          if (inFlight.current !== ticket) return;
          inFlight.current = null;
          const board = result.data?.leaderboard;
          if (!board) {
            dispatch({ type: 'failed', error: result.error ?? new CombinedError({ networkError: new Error('The leaderboard could not be loaded.') }) });
            return;
          }
          dispatch({
            type: 'page',
            entries: board.edges.map((edge) => edge.node),
            viewer: board.viewerEntry,
            totalCount: board.totalCount,
            hasNextPage: board.pageInfo.hasNextPage,
            endCursor: board.pageInfo.endCursor ?? null,
            reset: after === null,
          });
        });
    },
    [client, period],
  );

  useEffect(() => {
    load(null);
    return () => {
      inFlight.current = null;
    };
  }, [load]);

  // The top 10, live; after each change, a signed-in viewer's own place is read again.
  useEffect(() => {
    let first = true;
    const { unsubscribe } = client.subscription(LeaderboardLive, { period }).subscribe((result) => {
      const top = result.data?.leaderboardChanged;
      if (!top) return;
      dispatch({ type: 'live', top });
      if (first || !userId) {
        first = false;
        return;
      }
      void client
        .query(ViewerPlaceQuery, { period }, { requestPolicy: 'network-only' })
        .toPromise()
        .then((answer) => {
          const board = answer.data?.leaderboard;
          if (board) dispatch({ type: 'viewer', viewer: board.viewerEntry, totalCount: board.totalCount });
        });
    });
    return unsubscribe;
  }, [client, period, userId]);

  const rows = arrange(state);
  const { onBoard, pinned } = viewerPlace(rows, state.viewer, userId);
  const more = state.hasNextPage && state.endCursor !== null;
  const loadMore = () => {
    if (state.loading || !more) return;
    dispatch({ type: 'loading' });
    load(state.endCursor);
  };

  if (!state.loaded) {
    if (state.error) return <ErrorNote message={errorMessage(state.error instanceof CombinedError ? state.error : null) ?? state.error.message} onRetry={() => load(null)} />;
    return <Loading />;
  }
  return (
    <>
      <p className="muted small board-count" data-testid="board-count">
        {state.totalCount.toLocaleString('en')} reader{state.totalCount === 1 ? '' : 's'} with XP {phrase}
      </p>
      {rows.length === 0 ? (
        <Empty title={`Nobody has earned XP ${phrase}.`}>
          <p>Finish a post to be the first on the board.</p>
        </Empty>
      ) : (
        <ol className="board" aria-label="Ranking">
          {rows.map((entry) => (
            <Place key={entry.user?.id ?? `#${entry.rank}`} entry={entry} mine={entry === onBoard} />
          ))}
        </ol>
      )}
      {pinned && (
        <div className="board-pinned" aria-label="Your place" role="group">
          <p className="eyebrow">Your place</p>
          <ol className="board">
            <Place entry={pinned} mine />
          </ol>
        </div>
      )}
      {userId && !pinned && !onBoard && rows.length > 0 && <p className="muted">You have no XP {phrase}: finish a post to get on the board.</p>}
      <ErrorNote message={state.error ? (errorMessage(state.error instanceof CombinedError ? state.error : null) ?? state.error.message) : null} onRetry={loadMore} />
      <LoadMore hasMore={more} fetching={state.loading} onMore={loadMore} />
    </>
  );
}

function Place({ entry, mine }: { entry: Entry; mine: boolean }) {
  return (
    <li className={`place${mine ? ' mine' : ''}${entry.rank <= 3 ? ` podium rank-${entry.rank}` : ''}`} aria-current={mine ? 'true' : undefined} data-testid="board-entry" data-user={entry.user?.id}>
      <span className="rank">
        <span className="visually-hidden">Rank </span>
        {entry.rank}
      </span>
      <span className="who">
        {entry.user ? <Link to={`/users/${entry.user.id}`}>{entry.user.displayName}</Link> : <span className="muted">A deleted account</span>}
        {mine && <span className="you"> (you)</span>}
      </span>
      <span className="xp">{entry.xp.toLocaleString('en')} XP</span>
    </li>
  );
}
