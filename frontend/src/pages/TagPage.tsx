import { useState } from 'react';
import { useParams } from 'react-router';
import { useQuery } from 'urql';

import { PostList } from '../components/PostList';
import { Empty, ErrorNote, Loading, usePageTitle } from '../components/ui';
import { graphql } from '../gql';
import { errorMessage } from '../lib/errors';

const TagQuery = graphql(`
  query TagPage($slug: String!, $first: Int!, $after: String) {
    tag(slug: $slug) {
      id
      name
      slug
      posts(first: $first, after: $after) {
        ...PostListFields
      }
    }
  }
`);

export function TagPage() {
  const { slug = '' } = useParams();
  const [after, setAfter] = useState<string | null>(null);
  const [{ data, fetching, error }, refetch] = useQuery({ query: TagQuery, variables: { slug, first: 10, after } });
  const tag = data?.tag;
  usePageTitle(tag ? `#${tag.name}` : null);

  if (!tag) {
    if (fetching) return <Loading />;
    if (data) return <Empty title="There is no such tag." />;
    return <ErrorNote message={errorMessage(error) ?? 'Could not load the tag.'} onRetry={() => refetch({ requestPolicy: 'network-only' })} />;
  }
  return (
    <section>
      <p className="eyebrow">Tag</p>
      <h1>#{tag.name}</h1>
      <p className="muted">
        {tag.posts.totalCount} post{tag.posts.totalCount === 1 ? '' : 's'}
      </p>
      <PostList page={tag.posts} fetching={fetching} onMore={setAfter} empty={<Empty title="No posts with this tag yet." />} />
    </section>
  );
}
