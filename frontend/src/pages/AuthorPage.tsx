import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery } from 'urql';

import { PostList } from '../components/PostList';
import { Empty, ErrorNote, Loading, usePageTitle } from '../components/ui';
import { graphql } from '../gql';
import { errorMessage } from '../lib/errors';

const AuthorQuery = graphql(`
  query AuthorPage($id: ID!, $first: Int!, $after: String) {
    user(id: $id) {
      id
      displayName
      bio
      role
      createdAt
    }
    posts(first: $first, after: $after, filter: { authorId: $id }) {
      ...PostListFields
    }
  }
`);

// The API lists series without an author filter; an author's are picked from the newest 100.
const AuthorSeriesQuery = graphql(`
  query AuthorSeries {
    seriesList(first: 100) {
      nodes {
        id
        slug
        title
        description
        postCount
        author {
          id
        }
      }
    }
  }
`);

/** `/authors/:id`: who wrote it, their posts and their series. */
export function AuthorPage() {
  const { id = '' } = useParams();
  const [after, setAfter] = useState<string | null>(null);
  const [{ data, fetching, error }, refetch] = useQuery({ query: AuthorQuery, variables: { id, first: 10, after } });
  const [series] = useQuery({ query: AuthorSeriesQuery });
  const author = data?.user;
  usePageTitle(author?.displayName);

  if (!author) {
    if (fetching) return <Loading />;
    if (data) return <Empty title="There is no such author." />;
    return <ErrorNote message={errorMessage(error) ?? 'Could not load the author.'} onRetry={() => refetch({ requestPolicy: 'network-only' })} />;
  }
  const theirSeries = series.data?.seriesList.nodes.filter((s) => s.author?.id === author.id) ?? [];
  return (
    <section className="author-page">
      <p className="eyebrow">Author</p>
      <h1>{author.displayName}</h1>
      {author.bio && <p className="author-bio">{author.bio}</p>}
      {theirSeries.length > 0 && (
        <section aria-labelledby="author-series">
          <h2 id="author-series">Series</h2>
          <ul className="plain-list author-series">
            {theirSeries.map((s) => (
              <li key={s.id} className="card">
                <Link to={`/series/${s.slug}`}>{s.title}</Link>{' '}
                <span className="muted">
                  · {s.postCount} post{s.postCount === 1 ? '' : 's'}
                </span>
                {s.description && <p className="muted small">{s.description}</p>}
              </li>
            ))}
          </ul>
        </section>
      )}
      <h2>Posts</h2>
      <PostList page={data?.posts} fetching={fetching} onMore={setAfter} empty={<Empty title="No published posts yet." />} />
    </section>
  );
}
