import { useState } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery } from 'urql';

import { MarkAllRead, MarkRead } from '../components/NotificationBell';
import { Empty, ErrorNote, LoadMore, Loading, When, usePageTitle } from '../components/ui';
import { graphql } from '../gql';
import { errorMessage } from '../lib/errors';

const NotificationsQuery = graphql(`
  query NotificationsPage($first: Int!, $after: String, $unreadOnly: Boolean) {
    unreadNotificationCount
    notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {
      edges {
        node {
          ...NotificationFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const Dismiss = graphql(`
  mutation DismissNotification($id: ID!) {
    dismissNotification(id: $id)
  }
`);

export function Notifications() {
  usePageTitle('Notifications');
  const [after, setAfter] = useState<string | null>(null);
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [{ data, fetching, error }, refetch] = useQuery({ query: NotificationsQuery, variables: { first: 20, after, unreadOnly } });
  const [markAllState, markAll] = useMutation(MarkAllRead);
  const [, markRead] = useMutation(MarkRead);
  const [dismissState, dismiss] = useMutation(Dismiss);
  const page = data?.notifications;

  return (
    <section>
      <div className="page-head">
        <h1>Notifications</h1>
        <div className="action-row">
          <label className="checkbox">
            <input
              type="checkbox"
              checked={unreadOnly}
              onChange={(event) => {
                setAfter(null);
                setUnreadOnly(event.target.checked);
              }}
            />
            Unread only
          </label>
          <button type="button" className="button secondary small" disabled={!data?.unreadNotificationCount || markAllState.fetching} onClick={() => void markAll({})}>
            Mark all read
          </button>
        </div>
      </div>
      <ErrorNote message={errorMessage(error) ?? errorMessage(dismissState.error)} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
      {!page && fetching && <Loading />}
      {page && page.edges.length === 0 && <Empty title={unreadOnly ? 'Nothing unread.' : 'No notifications yet.'} />}
      <ul className="notification-list">
        {page?.edges.map(({ node }) => (
          <li key={node.id} className={node.read ? '' : 'unread'}>
            <div>
              <strong>{node.link ? <Link to={node.link} onClick={() => !node.read && void markRead({ ids: [node.id] })}>{node.title}</Link> : node.title}</strong>
              <p>{node.message}</p>
              <When at={node.createdAt} withTime />
            </div>
            <div className="action-row">
              {!node.read && (
                <button type="button" className="link-button" onClick={() => void markRead({ ids: [node.id] })}>
                  Mark read
                </button>
              )}
              <button type="button" className="link-button danger" onClick={() => void dismiss({ id: node.id })}>
                Dismiss
              </button>
            </div>
          </li>
        ))}
      </ul>
      {page && <LoadMore hasMore={page.pageInfo.hasNextPage} fetching={fetching} onMore={() => setAfter(page.pageInfo.endCursor ?? null)} />}
    </section>
  );
}
