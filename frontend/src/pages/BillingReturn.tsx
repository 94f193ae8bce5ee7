import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useQuery } from 'urql';

import { useBillingLive } from '../components/Billing';
import { ErrorNote, Loading, usePageTitle } from '../components/ui';
import { graphql } from '../gql';
import { errorMessage } from '../lib/errors';

const BillingStatus = graphql(`
  query BillingStatus {
    me {
      id
      hasPremiumAccess
      subscription {
        ...BillingSubscriptionFields
      }
    }
  }
`);

const PremiumPosts = graphql(`
  query PremiumPosts {
    posts(filter: { premium: true }, first: 5) {
      edges {
        node {
          id
          slug
          title
        }
      }
    }
  }
`);

/** How often the page asks again, in case the live event is missed (a socket that reconnects, say). */
export const POLL_MS = 3000;
/** After this long without an active plan, the page says so (it keeps waiting). */
const SLOW_MS = 60_000;

/**
 * `/billing/return?session_id=…`, where the payment provider sends the reader
 * after paying. The subscription becomes active when the provider's webhook
 * reaches the server, usually within seconds: the page waits for it live
 * (`billingChanged`), asking again every few seconds as a fallback.
 */
export function BillingReturn() {
  usePageTitle('Activating your subscription');
  const [params] = useSearchParams();
  const sessionId = params.get('session_id');
  const live = useBillingLive();
  const [{ data, error }, refetch] = useQuery({ query: BillingStatus, requestPolicy: 'network-only' });
  const sub = data?.me?.subscription ?? null;
  const entitled = Boolean(sub?.entitled) || live.latest?.entitled === true;

  useEffect(() => {
    if (entitled) return;
    const timer = setInterval(() => refetch({ requestPolicy: 'network-only' }), POLL_MS);
    return () => clearInterval(timer);
  }, [entitled, refetch]);

  // Still waiting after a minute: say so (and keep waiting).
  const [slow, setSlow] = useState(false);
  useEffect(() => {
    if (entitled) return;
    const timer = setTimeout(() => setSlow(true), SLOW_MS);
    return () => clearTimeout(timer);
  }, [entitled]);

  const [premium] = useQuery({ query: PremiumPosts, pause: !entitled, requestPolicy: 'network-only' });

  if (entitled) {
    const planName = live.latest?.planName ?? sub?.planName;
    const posts = premium.data?.posts.edges ?? [];
    return (
      <div className="narrow-wide stack billing-return">
        <h1>You're premium</h1>
        <p className="lead" role="status">
          {planName ? `Your ${planName} plan is active.` : 'Your plan is active.'} Every post is yours to read in full.
        </p>
        {posts.length > 0 && (
          <section aria-labelledby="premium-posts-title">
            <h2 id="premium-posts-title">Premium posts to start with</h2>
            <ul className="plain-list">
              {posts.map(({ node }) => (
                <li key={node.id}>
                  <Link to={`/posts/${node.slug}`}>{node.title}</Link>
                </li>
              ))}
            </ul>
          </section>
        )}
        <div className="action-row">
          <Link className="button" to="/">
            Go to the feed
          </Link>
          <Link to="/settings#billing">Your plan in Settings</Link>
        </div>
      </div>
    );
  }
  return (
    <div className="narrow-wide stack billing-return">
      <h1>Activating your subscription…</h1>
      <Loading label="Waiting for the payment provider to confirm your payment. This usually takes a few seconds." />
      {!sessionId && <p className="muted">This page is where the checkout sends you after paying.</p>}
      {slow && (
        <p className="note" role="status">
          This is taking longer than usual. You can leave this page: your plan shows in{' '}
          <Link to="/settings#billing">Settings</Link> as soon as the payment is confirmed.
        </p>
      )}
      <ErrorNote message={errorMessage(error)} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
    </div>
  );
}
