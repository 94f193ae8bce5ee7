// What the billing pages share: the subscription's fields, the live
// `billingChanged` subscription (whose answer the client's cache links to
// `me.subscription`, see lib/client.ts), and the line that says what happens
// next to a subscription.

import { useSubscription } from 'urql';

import { graphql } from '../gql';
import type { BillingSubscriptionFieldsFragment } from '../gql/graphql';
import { useAuth } from '../lib/auth';
import { formatPrice, nextStep, statusWords } from '../lib/billing';

export const BillingSubscriptionFields = graphql(`
  fragment BillingSubscriptionFields on Subscription {
    id
    source
    planId
    planName
    status
    price {
      amount
      currency
    }
    interval
    currentPeriodEnd
    cancelAtPeriodEnd
    canceledAt
    pastDueSince
    graceEndsAt
    entitled
    updatedAt
  }
`);

const BillingLive = graphql(`
  subscription BillingLive {
    billingChanged {
      ...BillingSubscriptionFields
    }
  }
`);

export type BillingSubscription = BillingSubscriptionFieldsFragment;

/**
 * Keeps the viewer's subscription current while a page shows it: each event
 * lands in the cache as `me.subscription`. Returns how many events arrived.
 */
export function useBillingLive(): { events: number; latest: BillingSubscription | null | undefined } {
  const { userId } = useAuth();
  const [state] = useSubscription(
    { query: BillingLive, pause: !userId },
    (previous: { events: number; latest: BillingSubscription | null } | undefined, data) => ({
      events: (previous?.events ?? 0) + 1,
      latest: data.billingChanged ?? null,
    }),
  );
  return { events: state.data?.events ?? 0, latest: state.data?.latest };
}

/** "Monthly · Active · $9.00 / month" and the next step under it. */
export function SubscriptionSummary({ sub }: { sub: BillingSubscription }) {
  const step = nextStep(sub);
  return (
    <div className="subscription-summary">
      <p className="subscription-plan">
        <strong data-testid="plan-name">{sub.planName}</strong>
        <span className={`badge ${sub.entitled ? 'published' : 'draft'}`} data-testid="plan-status">
          {statusWords(sub.status, sub.source, sub.cancelAtPeriodEnd)}
        </span>
        {sub.price && <span className="muted">{formatPrice(sub.price, sub.interval)}</span>}
      </p>
      {step && (
        <p className={step.warning ? 'warning-note' : 'muted'} role={step.warning ? 'alert' : undefined} data-testid="plan-next">
          {step.text}
          {step.warning && sub.source === 'STRIPE' && ' Update your payment method to keep premium.'}
        </p>
      )}
    </div>
  );
}
