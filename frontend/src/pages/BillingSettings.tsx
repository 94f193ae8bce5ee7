import { useState } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery } from 'urql';

import { SubscriptionSummary, useBillingLive } from '../components/Billing';
import { ErrorNote, Loading, When } from '../components/ui';
import { graphql } from '../gql';
import { formatMoney } from '../lib/billing';
import { errorCode, errorMessage } from '../lib/errors';

const MyBilling = graphql(`
  query MyBilling($first: Int!, $after: String) {
    paymentsEnabled
    me {
      id
      subscription {
        ...BillingSubscriptionFields
      }
      payments(first: $first, after: $after) {
        edges {
          node {
            id
            price {
              amount
              currency
            }
            status
            invoiceUrl
            periodStart
            periodEnd
            createdAt
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

const OpenBillingPortal = graphql(`
  mutation OpenBillingPortal($returnPath: String) {
    openBillingPortal(returnPath: $returnPath) {
      url
    }
  }
`);

const CancelSubscription = graphql(`
  mutation CancelSubscription {
    cancelSubscription {
      ...BillingSubscriptionFields
    }
  }
`);

const ResumeSubscription = graphql(`
  mutation ResumeSubscription {
    resumeSubscription {
      ...BillingSubscriptionFields
    }
  }
`);

const PAYMENTS_PAGE = 10;

function billingError(error: Parameters<typeof errorMessage>[0]): string | null {
  if (errorCode(error) === 'UPSTREAM_UNAVAILABLE') return 'The payment provider could not be reached. Please try again in a moment.';
  return errorMessage(error);
}

/** The Billing card of `/settings`: the plan, what happens next, the buttons that change it, and the payments. */
export function BillingSection() {
  // Live: each event becomes `me.subscription` in the cache, and invalidates the
  // payments (a renewal brings one), so this card redraws without a reload.
  useBillingLive();
  const [after, setAfter] = useState<string | null>(null);
  const [{ data, fetching, error }, refetch] = useQuery({ query: MyBilling, variables: { first: PAYMENTS_PAGE, after } });
  const [portal, openPortal] = useMutation(OpenBillingPortal);
  const [cancelState, cancel] = useMutation(CancelSubscription);
  const [resumeState, resume] = useMutation(ResumeSubscription);
  const [leaving, setLeaving] = useState(false);


  async function manage() {
    setLeaving(true);
    const result = await openPortal({ returnPath: '/settings' });
    const url = result.data?.openBillingPortal.url;
    if (url) window.location.assign(url);
    else setLeaving(false);
  }

  async function onCancel(periodEnd: string | null) {
    const when = periodEnd ? ` on ${new Date(periodEnd).toLocaleDateString()}` : ' at the end of the period';
    if (!window.confirm(`Cancel your subscription? You keep premium until it ends${when}, and can resume before then.`)) return;
    await cancel({});
  }

  const me = data?.me;
  const sub = me?.subscription ?? null;
  const payments = me?.payments?.edges ?? [];
  const busy = cancelState.fetching || resumeState.fetching || portal.fetching || leaving;
  const active = sub && (sub.status === 'ACTIVE' || sub.status === 'TRIALING' || sub.status === 'PAST_DUE');

  return (
    <section className="card stack billing" id="billing" aria-labelledby="billing-title">
      <h2 id="billing-title">Billing</h2>
      {!data && fetching && <Loading />}
      <ErrorNote message={errorMessage(error)} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
      {data && !sub && (
        <p>
          You have no plan.{' '}
          {data.paymentsEnabled ? (
            <>
              <Link to="/pricing">See the plans</Link> to read every premium post in full.
            </>
          ) : (
            'Payments are not configured on this server.'
          )}
        </p>
      )}
      {sub && (
        <>
          <SubscriptionSummary sub={sub} />
          <div className="form-actions">
            {sub.source === 'STRIPE' && (
              <button type="button" className="button secondary" disabled={busy} onClick={() => void manage()}>
                {leaving ? 'Opening…' : 'Manage billing'}
              </button>
            )}
            {sub.source === 'STRIPE' && active && !sub.cancelAtPeriodEnd && (
              <button type="button" className="button danger" disabled={busy} onClick={() => void onCancel(sub.currentPeriodEnd)}>
                Cancel subscription
              </button>
            )}
            {sub.source === 'STRIPE' && active && sub.cancelAtPeriodEnd && (
              <button type="button" className="button" disabled={busy} onClick={() => void resume({})}>
                Resume subscription
              </button>
            )}
            {(sub.status === 'CANCELED' || sub.status === 'INCOMPLETE_EXPIRED') && data?.paymentsEnabled && (
              <Link className="button" to="/pricing">
                Choose a plan
              </Link>
            )}
          </div>
          {sub.source === 'STRIPE' && <p className="hint">Manage billing opens the payment provider's page for your card and invoices.</p>}
        </>
      )}
      <ErrorNote message={billingError(portal.error) ?? billingError(cancelState.error) ?? billingError(resumeState.error)} />
      {payments.length > 0 && (
        <div className="stack">
          <h3 id="payments-title">Payments</h3>
          <ul className="payments plain-list" aria-labelledby="payments-title">
            {payments.map(({ node }) => (
              <li key={node.id} className="payment-row">
                <When at={node.createdAt} />
                <span className="amount">{formatMoney(node.price)}</span>
                <span className={`badge ${node.status === 'PAID' ? 'published' : 'failed'}`}>{node.status === 'PAID' ? 'Paid' : 'Failed'}</span>
                {node.invoiceUrl ? (
                  <a href={node.invoiceUrl} target="_blank" rel="noreferrer noopener">
                    Invoice<span className="visually-hidden"> of <When at={node.createdAt} /> (opens in a new tab)</span>
                  </a>
                ) : (
                  <span />
                )}
              </li>
            ))}
          </ul>
          {me?.payments?.pageInfo.hasNextPage && (
            <div>
              <button type="button" className="button secondary small" disabled={fetching} onClick={() => setAfter(me.payments?.pageInfo.endCursor ?? null)}>
                Older payments
              </button>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
