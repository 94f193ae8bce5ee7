import { useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';

import { PostList } from '../components/PostList';
import { Empty, ErrorNote, usePageTitle } from '../components/ui';
import { graphql } from '../gql';
import { errorMessage } from '../lib/errors';

const BookmarksQuery = graphql(`
  query Bookmarks($first: Int!, $after: String) {
    bookmarks(first: $first, after: $after) {
      ...PostListFields
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
      <PostList
        page={page}
        fetching={fetching}
        onMore={setAfter}
        empty={
          <Empty title="No bookmarks yet.">
            <p>
              Use “Bookmark” on any post to keep it here. <Link to="/">Browse the feed</Link>
            </p>
          </Empty>
        }
      />
    </section>
  );
}
