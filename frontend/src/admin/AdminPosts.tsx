import { useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';

import { Empty, ErrorNote, LoadMore, Loading, When, usePageTitle } from '../components/ui';
import { graphql } from '../gql';
import type { PostStatus } from '../gql/graphql';
import { useMe } from '../lib/auth';
import { errorMessage } from '../lib/errors';

const AdminPostsQuery = graphql(`
  query AdminPosts($filter: PostFilterInput!, $first: Int!, $after: String) {
    posts(filter: $filter, first: $first, after: $after, orderBy: RECENTLY_UPDATED) {
      edges {
        node {
          id
          slug
          title
          status
          publishedAt
          updatedAt
          isPremium
          author {
            id
            displayName
          }
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

const TABS: { status: PostStatus; label: string }[] = [
  { status: 'DRAFT', label: 'Drafts' },
  { status: 'SCHEDULED', label: 'Scheduled' },
  { status: 'PUBLISHED', label: 'Published' },
];

export function AdminPosts() {
  usePageTitle('Write');
  const { me } = useMe();
  const [status, setStatus] = useState<PostStatus>('DRAFT');
  const [after, setAfter] = useState<string | null>(null);
  // Admins see everyone's posts; authors their own.
  const filter = { status, authorId: me?.role === 'ADMIN' ? undefined : me?.id };
  const [{ data, fetching, error }, refetch] = useQuery({
    query: AdminPostsQuery,
    variables: { filter, first: 20, after },
    pause: !me,
    requestPolicy: 'cache-and-network',
  });
  const page = data?.posts;

  return (
    <section>
      <div className="page-head">
        <h1>Your posts</h1>
        <Link className="button" to="/admin/new">
          New post
        </Link>
      </div>
      <div className="tabs" role="tablist" aria-label="Post status">
        {TABS.map((tab) => (
          <button
            key={tab.status}
            type="button"
            role="tab"
            aria-selected={status === tab.status}
            className={status === tab.status ? 'active' : undefined}
            onClick={() => {
              setAfter(null);
              setStatus(tab.status);
            }}
          >
            {tab.label}
          </button>
        ))}
      </div>
      <ErrorNote message={errorMessage(error)} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
      {(!page || !me) && fetching && <Loading />}
      {page && page.edges.length === 0 && <Empty title={`No ${TABS.find((t) => t.status === status)?.label.toLowerCase()}.`} />}
      {page && page.edges.length > 0 && (
        <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Author</th>
              <th scope="col">{status === 'DRAFT' ? 'Updated' : status === 'SCHEDULED' ? 'Publishes' : 'Published'}</th>
            </tr>
          </thead>
          <tbody>
            {page.edges.map(({ node }) => (
              <tr key={node.id}>
                <td>
                  <Link to={`/admin/edit/${node.slug}`}>{node.title}</Link>
                  {node.isPremium && <span className="badge premium">Premium</span>}
                </td>
                <td>{node.author?.displayName}</td>
                <td>
                  <When at={status === 'DRAFT' ? node.updatedAt : node.publishedAt} withTime />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
      {page && <LoadMore hasMore={page.pageInfo.hasNextPage} fetching={fetching} onMore={() => setAfter(page.pageInfo.endCursor ?? null)} />}
    </section>
  );
}
