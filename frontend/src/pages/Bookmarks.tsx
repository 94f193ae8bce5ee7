import { useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';

import { PostCard } from '../components/PostCard';
import { Empty, ErrorNote, LoadMore, Loading, usePageTitle } from '../components/ui';
import { graphql } from '../gql';
import { errorMessage } from '../lib/errors';

const BookmarksQuery = graphql(`
  query Bookmarks($first: Int!, $after: String) {
    bookmarks(first: $first, after: $after) {
      edges {
        node {
          ...PostCardFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
      totalCount
    }
  }
`);

export function Bookmarks() {
  usePageTitle('Bookmarks');
  const [after, setAfter] = useState<string | null>(null);
  const [{ data, fetching, error }, refetch] = useQuery({ query: BookmarksQuery, variables: { first: 10, after }, requestPolicy: 'cache-and-network' });
  const page = data?.bookmarks;
  return (
    <section>
      <h1>Bookmarks</h1>
      <ErrorNote message={errorMessage(error)} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
      {!page && fetching && <Loading />}
      {page && page.edges.length === 0 && (
        <Empty title="No bookmarks yet.">
          <p>
            Use “Bookmark” on any post to keep it here. <Link to="/">Browse the feed</Link>
          </p>
        </Empty>
      )}
      <div className="feed">
        {page?.edges.map(({ node }) => (
          <PostCard key={node.id} post={node} />
        ))}
      </div>
      {page && <LoadMore hasMore={page.pageInfo.hasNextPage} fetching={fetching} onMore={() => setAfter(page.pageInfo.endCursor ?? null)} />}
    </section>
  );
}
