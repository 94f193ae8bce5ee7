import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useMutation, useQuery, useSubscription } from 'urql';

import { graphql } from '../gql';
import { When } from './ui';

export const NotificationFields = graphql(`
  fragment NotificationFields on Notification {
    id
    kind
    title
    message
    link
    read
    createdAt
  }
`);

const BellQuery = graphql(`
  query NotificationBell {
    unreadNotificationCount
    notifications(first: 8) {
      edges {
        node {
          ...NotificationFields
        }
      }
    }
  }
`);

/** The viewer's notifications as they are raised (the bell and the toasts share the one subscription). */
export const NotificationsLive = graphql(`
  subscription NotificationsLive {
    notifications {
      ...NotificationFields
    }
  }
`);

export const MarkAllRead = graphql(`
  mutation MarkAllNotificationsRead {
    markAllNotificationsRead
  }
`);

export const MarkRead = graphql(`
  mutation MarkNotificationsRead($ids: [ID!]!) {
    markNotificationsRead(ids: $ids)
  }
`);

/** The bell: the unread count, live, and the latest notifications in a menu. */
export function NotificationBell() {
  const [{ data }] = useQuery({ query: BellQuery });
  // Each live notification invalidates the count and the list (see the client's cache updates).
  const [live] = useSubscription({ query: NotificationsLive });
  const [, markAll] = useMutation(MarkAllRead);
  const [, markRead] = useMutation(MarkRead);
  const [open, setOpen] = useState(false);
  const menu = useRef<HTMLDivElement>(null);
  const navigate = useNavigate();
  const count = data?.unreadNotificationCount ?? 0;
  const latestLive = live.data?.notifications;

  useEffect(() => {
    if (!open) return;
    const onClick = (event: MouseEvent) => {
      if (menu.current && !menu.current.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', onClick);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onClick);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  return (
    <div className="bell" ref={menu}>
      <button
        type="button"
        className="icon-button"
        aria-haspopup="true"
        aria-expanded={open}
        aria-label={count ? `Notifications, ${count} unread` : 'Notifications'}
        onClick={() => setOpen((value) => !value)}
      >
        <svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22">
          <path
            fill="currentColor"
            d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z"
          />
        </svg>
        {count > 0 && (
          <span className="bell-count" data-testid="unread-count">
            {count > 99 ? '99+' : count}
          </span>
        )}
      </button>
      <span className="visually-hidden" aria-live="polite">
        {latestLive ? `New notification: ${latestLive.title}` : ''}
      </span>
      {open && (
        <div className="menu bell-menu" role="region" aria-label="Latest notifications">
          <div className="menu-head">
            <strong>Notifications</strong>
            {count > 0 && (
              <button type="button" className="link-button" onClick={() => void markAll({})}>
                Mark all read
              </button>
            )}
          </div>
          {data?.notifications.edges.length === 0 && <p className="muted pad">Nothing yet.</p>}
          <ul className="plain-list">
            {data?.notifications.edges.map(({ node }) => (
              <li key={node.id} className={node.read ? '' : 'unread'}>
                <button
                  type="button"
                  className="notification-item"
                  onClick={() => {
                    if (!node.read) void markRead({ ids: [node.id] });
                    setOpen(false);
                    if (node.link) navigate(node.link);
                  }}
                >
                  <strong>{node.title}</strong>
                  <span>{node.message}</span>
                  <When at={node.createdAt} withTime />
                </button>
              </li>
            ))}
          </ul>
          <Link className="menu-foot" to="/notifications" onClick={() => setOpen(false)}>
            See all notifications
          </Link>
        </div>
      )}
    </div>
  );
}
