import { useEffect, useRef } from 'react';
import { useLocation } from 'react-router';
import { useQuery } from 'urql';

import { graphql } from '../gql';

/** How many review cards are due, for the navigation. */
const DueCount = graphql(`
  query ReviewDueCount {
    reviewQueue(first: 1) {
      totalCount
    }
  }
`);

/**
 * The viewer's due review cards (0 until known). Grading or adding cards
 * refreshes it through the cache (see lib/client.ts); as cards also fall due
 * with time, the one caller with `refresh` (the header) reads it again on
 * every page change, and every other caller sees that answer.
 */
export function useDueCount(refresh = false): number {
  const { pathname } = useLocation();
  const [{ data }, refetch] = useQuery({ query: DueCount });
  const seen = useRef(pathname);
  useEffect(() => {
    // The first page's count comes with the query itself.
    if (!refresh || pathname === seen.current) return;
    seen.current = pathname;
    refetch({ requestPolicy: 'network-only' });
  }, [refresh, pathname, refetch]);
  return data?.reviewQueue.totalCount ?? 0;
}

/** "4" in a pill, saying "4 due" to screen readers; nothing when none is due. */
export function DueBadge({ due, testId, className = 'nav-count' }: { due: number; testId: string; className?: string }) {
  if (due <= 0) return null;
  return (
    <span className={className} data-testid={testId}>
      {due > 99 ? '99+' : due}
      <span className="visually-hidden"> due</span>
    </span>
  );
}
