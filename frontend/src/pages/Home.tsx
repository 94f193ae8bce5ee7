import { useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';

import { PostList } from '../components/PostList';
import { Empty, ErrorNote, Loading, usePageTitle } from '../components/ui';
import { graphql } from '../gql';
import { errorMessage } from '../lib/errors';

const FeedQuery = graphql(`
  query Feed($first: Int!, $after: String) {
    posts(first: $first, after: $after) {
      ...PostListFields
    }
  }
`);

const SeriesListQuery = graphql(`
  query SeriesList {
    seriesList(first: 20) {
      edges {
        node {
          id
          slug
          title
          postCount
          viewerProgress {
            percent
          }
        }
      }
    }
  }
`);

const PAGE = 10;

export function Home() {
  usePageTitle(null);
  const [after, setAfter] = useState<string | null>(null);
  const [{ data, fetching, error }, refetch] = useQuery({ query: FeedQuery, variables: { first: PAGE, after } });
  const [series] = useQuery({ query: SeriesListQuery });
  const posts = data?.posts;

  return (
    <div className="with-sidebar">
      <section aria-labelledby="feed-title">
        <h1 id="feed-title">Latest posts</h1>
        <ErrorNote message={errorMessage(error)} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
        <PostList page={posts} fetching={fetching} onMore={setAfter} empty={<Empty title="Nothing published yet." />} />
      </section>
      <aside aria-labelledby="series-title" className="sidebar">
        <h2 id="series-title">Series</h2>
        {series.fetching && !series.data && <Loading />}
        {series.data?.seriesList.edges.length === 0 && <Empty title="No series yet." />}
        <ul className="plain-list">
          {series.data?.seriesList.edges.map(({ node }) => (
            <li key={node.id}>
              <Link to={`/series/${node.slug}`}>{node.title}</Link>
              <span className="muted">
                {' '}
                · {node.postCount} posts
                {node.viewerProgress ? ` · ${Math.round(node.viewerProgress.percent)}% done` : ''}
              </span>
            </li>
          ))}
        </ul>
      </aside>
    </div>
  );
}
