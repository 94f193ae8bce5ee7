import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { useSubscription } from 'urql';

import type { NotificationFieldsFragment } from '../gql/graphql';
import { isEngagementNotice } from '../lib/engagement';
import { BadgeIcon, CloseIcon, TrophyIcon } from './icons';
import { NotificationsLive } from './NotificationBell';

/** How long a toast stays (while the pointer or focus is not on it). */
export const TOAST_MS = 8000;
/** At most this many at once; older ones give way. */
const MAX_TOASTS = 3;

type Notice = NotificationFieldsFragment;

/**
 * Toasts for level-ups, badges and certificates as they arrive live (the notification stays
 * in the bell). Each is a status message with a dismiss button; they go by
 * themselves after TOAST_MS, but not while hovered or focused, and they only
 * slide in when the reader has not asked for reduced motion (see app.css).
 */
export function Toasts() {
  // Every notification that arrives, kept in order (the handler runs once per event).
  const [live] = useSubscription({ query: NotificationsLive }, (seen: Notice[] = [], data) => [...seen, data.notifications].slice(-20));
  const [dismissed, setDismissed] = useState<ReadonlySet<string>>(() => new Set());
  const [held, setHeld] = useState(false);
  const toasts = (live.data ?? []).filter((n) => isEngagementNotice(n.kind) && !dismissed.has(n.id)).slice(-MAX_TOASTS);
  const shown = toasts.map((t) => t.id).join(' ');

  useEffect(() => {
    if (held || !shown) return;
    const ids = shown.split(' ');
    const timer = setTimeout(() => setDismissed((d) => new Set([...d, ...ids.slice(0, 1)])), TOAST_MS);
    return () => clearTimeout(timer);
  }, [shown, held]);

  const dismiss = (id: string) => setDismissed((d) => new Set([...d, id]));
  if (!toasts.length) return null;
  return (
    <div
      className="toasts"
      onMouseEnter={() => setHeld(true)}
      onMouseLeave={() => setHeld(false)}
      onFocus={() => setHeld(true)}
      onBlur={() => setHeld(false)}
    >
      {toasts.map((toast) => (
        <div key={toast.id} className={`toast ${toast.kind === 'LEVEL_UP' ? 'level-up' : 'badge-earned'}`} role="status" data-testid="toast">
          <span className="toast-icon">
            {toast.kind === 'LEVEL_UP' ? <BadgeIcon name="star" size={22} /> : <TrophyIcon size={22} />}
          </span>
          <div className="toast-text">
            <strong>{toast.title}</strong>
            <span>{toast.message}</span>
            {toast.link && (
              <Link to={toast.link} onClick={() => dismiss(toast.id)}>
                {toast.link === '/profile' ? 'See your profile' : toast.kind === 'CERTIFICATE_ISSUED' ? 'See your certificate' : 'Open'}
              </Link>
            )}
          </div>
          <button type="button" className="icon-button toast-close" aria-label="Dismiss" onClick={() => dismiss(toast.id)}>
            <CloseIcon />
          </button>
        </div>
      ))}
    </div>
  );
}
