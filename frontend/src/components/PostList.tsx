import type { ReactNode } from 'react';

import { graphql } from '../gql';
import type { PostListFieldsFragment } from '../gql/graphql';
import { PostCard } from './PostCard';
import { LoadMore, Loading } from './ui';

/** One page of a post connection (the feed, a tag, bookmarks), as the list renders it. */
export const PostListFields = graphql(`
  fragment PostListFields on PostConnection {
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
`);

interface Props {
  /** The connection so far (graphcache merges the pages), or nothing yet. */
  page: PostListFieldsFragment | null | undefined;
  fetching: boolean;
  /** Asks for the page after this cursor. */
  onMore(after: string | null): void;
  empty: ReactNode;
}

/** Post cards with loading and empty states, loading more as the reader scrolls. */
export function PostList({ page, fetching, onMore, empty }: Props) {
  if (!page) return fetching ? <Loading /> : null;
  if (page.edges.length === 0) return <>{empty}</>;
  return (
    <>
      <div className="feed">
        {page.edges.map(({ node }) => (
          <PostCard key={node.id} post={node} />
        ))}
      </div>
      <LoadMore hasMore={page.pageInfo.hasNextPage} fetching={fetching} onMore={() => onMore(page.pageInfo.endCursor ?? null)} />
    </>
  );
}

