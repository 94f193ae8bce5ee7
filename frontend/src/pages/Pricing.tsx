import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useMutation, useQuery } from 'urql';

import { Empty, ErrorNote, Loading, usePageTitle } from '../components/ui';
import { graphql } from '../gql';
import type { PricingQuery } from '../gql/graphql';
import { useAuth } from '../lib/auth';
import { formatMoney, intervalWord } from '../lib/billing';
import { errorCode, formErrors } from '../lib/errors';

const PricingQueryDocument = graphql(`
  query Pricing {
    paymentsEnabled
    plans {
      id
      name
      price {
        amount
        currency
      }
      interval
    }
    me {
      id
      emailVerified
      subscription {
        ...BillingSubscriptionFields
      }
    }
  }
`);

const StartCheckout = graphql(`
  mutation StartCheckout($input: StartCheckoutInput!) {
    startCheckout(input: $input) {
      id
      url
      planId
      expiresAt
    }
  }
`);

type Plan = PricingQuery['plans'][number];

/** Why the Subscribe buttons cannot lead to a checkout, from the page's data or a refused checkout. */
type Refusal = 'disabled' | 'subscribed' | 'unverified' | null;

export const NOT_CONFIGURED = 'Payments are not configured on this server.';

/** `/pricing`: the plans, and a checkout at the payment provider for one of them. */
export function Pricing() {
  usePageTitle('Pricing');
  const { userId } = useAuth();
  const [params] = useSearchParams();
  const canceled = params.get('canceled') === '1';
  const [{ data, fetching, error }, refetch] = useQuery({ query: PricingQueryDocument, requestPolicy: 'cache-and-network' });
  const [checkout, start] = useMutation(StartCheckout);
  const [pending, setPending] = useState<string | null>(null);
  const [refused, setRefused] = useState<Refusal>(null);

  async function subscribe(plan: Plan) {
    setPending(plan.id);
    const result = await start({ input: { planId: plan.id } });
    const url = result.data?.startCheckout.url;
    if (url) {
      // Off to the provider's hosted page; the button stays busy until the page goes.
      window.location.assign(url);
      return;
    }
    setPending(null);
    switch (errorCode(result.error)) {
      case 'CONFLICT':
        setRefused('subscribed');
        refetch({ requestPolicy: 'network-only' });
        break;
      case 'PAYMENTS_DISABLED':
        setRefused('disabled');
        break;
      case 'EMAIL_NOT_VERIFIED':
        setRefused('unverified');
        break;
    }
  }

  const me = data?.me ?? null;
  const sub = me?.subscription ?? null;
  const refusal: Refusal =
    refused ?? (data && !data.paymentsEnabled ? 'disabled' : sub?.entitled ? 'subscribed' : me && !me.emailVerified ? 'unverified' : null);
  const code = errorCode(checkout.error);
  const checkoutError =
    !checkout.error || refusal
      ? null
      : code === 'UPSTREAM_UNAVAILABLE'
        ? 'The payment provider could not be reached. Please try again in a moment.'
        : formErrors(checkout.error, ['planId']).fields.planId ?? formErrors(checkout.error).form;

  return (
    <section className="pricing">
      <h1>Premium</h1>
      <p className="lead">Read every post in full, premium series included. Cancel whenever you like.</p>
      {canceled && (
        <p className="note" role="status">
          Checkout canceled: nothing was charged. You can subscribe whenever you like.
        </p>
      )}
      <ErrorNote message={error && !data ? (errorCode(error) === 'PAYMENTS_DISABLED' ? NOT_CONFIGURED : formErrors(error).form) : null} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
      {!data && fetching && <Loading />}
      {refusal === 'disabled' && <Empty title={NOT_CONFIGURED}>The site's owner has not set up a payment provider.</Empty>}
      {refusal === 'subscribed' && (
        <div className="card stack premium-card" role="status">
          <h2>You're premium</h2>
          <p>
            {sub ? `Your ${sub.planName} plan gives you every post in full.` : 'You already have a plan: every post is yours to read in full.'}{' '}
            <Link to="/settings#billing">See your plan in Settings</Link>.
          </p>
        </div>
      )}
      {refusal === 'unverified' && (
        <p className="note warning-note" role="alert">
          Please confirm your email address before subscribing: we sent you a link. <Link to="/verify-email">Resend it</Link>
        </p>
      )}
      {sub && !sub.entitled && sub.status !== 'CANCELED' && sub.status !== 'INCOMPLETE_EXPIRED' && refusal !== 'subscribed' && (
        <p className="note">
          Your {sub.planName} plan is not active right now. <Link to="/settings#billing">See it in Settings</Link>.
        </p>
      )}
      <ErrorNote message={checkoutError} />
      {data && refusal !== 'disabled' && refusal !== 'subscribed' && (
        data.plans.length === 0 ? (
          <Empty title="There are no plans to choose from yet." />
        ) : (
          <div className="plans">
            {data.plans.map((plan) => (
              <section key={plan.id} className="card plan-card" aria-labelledby={`plan-${plan.id}`}>
                <h2 id={`plan-${plan.id}`}>{plan.name}</h2>
                <p className="plan-price">
                  <span className="amount">{formatMoney(plan.price)}</span> <span className="muted">per {intervalWord(plan.interval)}</span>
                </p>
                {!userId ? (
                  <Link className="button" to="/sign-in?next=/pricing">
                    Sign in to subscribe
                  </Link>
                ) : (
                  <button
                    type="button"
                    className="button"
                    disabled={pending !== null || refusal !== null || !data.me}
                    onClick={() => void subscribe(plan)}
                  >
                    {pending === plan.id ? 'Opening checkout…' : 'Subscribe'}
                  </button>
                )}
              </section>
            ))}
          </div>
        )
      )}
      {!userId && data?.paymentsEnabled && (
        <p className="muted">
          New here? <Link to="/register?next=/pricing">Create an account</Link>, then choose a plan.
        </p>
      )}
    </section>
  );
}
