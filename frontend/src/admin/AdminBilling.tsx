import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';

import { ErrorNote, Field, LoadMore, Loading, When, usePageTitle, Empty } from '../components/ui';
import { graphql } from '../gql';
import type { SubscriptionFilter, SubscriptionSource, SubscriptionStatus } from '../gql/graphql';
import { endOfDayIso, formatMoney, formatMoneyList, formatPrice, nextStep, statusWords } from '../lib/billing';
import { errorMessage, formErrors } from '../lib/errors';

const Overview = graphql(`
  query AdminBillingOverview {
    paymentsEnabled
    billingOverview {
      activeSubscribers
      pastDue
      cancelling
      complimentary
      mrr {
        amount
        currency
      }
    }
  }
`);

const Subscriptions = graphql(`
  query AdminSubscriptions($filter: SubscriptionFilter, $first: Int!, $after: String) {
    subscriptions(filter: $filter, first: $first, after: $after) {
      edges {
        node {
          ...BillingSubscriptionFields
          createdAt
          user {
            id
            displayName
            email
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

const RecentPayments = graphql(`
  query AdminRecentPayments($first: Int!) {
    payments(first: $first) {
      edges {
        node {
          id
          price {
            amount
            currency
          }
          status
          invoiceUrl
          createdAt
          user {
            id
            displayName
            email
          }
        }
      }
    }
  }
`);

const FindUsers = graphql(`
  query AdminFindUsers($search: String!) {
    users(search: $search, first: 8) {
      edges {
        node {
          id
          displayName
          email
          subscription {
            id
            source
            planName
            status
            entitled
          }
        }
      }
    }
  }
`);

const Grant = graphql(`
  mutation GrantComplimentaryPlan($input: GrantComplimentaryPlanInput!) {
    grantComplimentaryPlan(input: $input) {
      ...BillingSubscriptionFields
      user {
        id
        hasPremiumAccess
        subscription {
          id
        }
      }
    }
  }
`);

const Revoke = graphql(`
  mutation RevokeComplimentaryPlan($userId: ID!) {
    revokeComplimentaryPlan(userId: $userId) {
      id
      hasPremiumAccess
      subscription {
        ...BillingSubscriptionFields
      }
    }
  }
`);

const STATUSES: SubscriptionStatus[] = ['ACTIVE', 'TRIALING', 'PAST_DUE', 'UNPAID', 'PAUSED', 'INCOMPLETE', 'INCOMPLETE_EXPIRED', 'CANCELED'];
const SOURCES: { value: SubscriptionSource; label: string }[] = [
  { value: 'STRIPE', label: 'Paid (Stripe)' },
  { value: 'COMPLIMENTARY', label: 'Complimentary' },
];
const PAGE = 20;

/** `/admin/billing`: the figures, every subscription, recent payments, and complimentary plans. */
export function AdminBilling() {
  usePageTitle('Billing');
  const [overview, refetchOverview] = useQuery({ query: Overview, requestPolicy: 'cache-and-network' });
  const figures = overview.data?.billingOverview;
  return (
    <section className="admin-billing stack">
      <div className="page-head">
        <h1>Billing</h1>
        {overview.data && !overview.data.paymentsEnabled && <span className="muted">Payments are not configured on this server.</span>}
      </div>
      <ErrorNote message={errorMessage(overview.error)} onRetry={() => refetchOverview({ requestPolicy: 'network-only' })} />
      {!figures && overview.fetching && <Loading />}
      {figures && (
        <dl className="figures" aria-label="Overview">
          <div>
            <dt>Active subscribers</dt>
            <dd>{figures.activeSubscribers}</dd>
          </div>
          <div>
            <dt>Past due</dt>
            <dd>{figures.pastDue}</dd>
          </div>
          <div>
            <dt>Cancelling</dt>
            <dd>{figures.cancelling}</dd>
          </div>
          <div>
            <dt>Complimentary</dt>
            <dd>{figures.complimentary}</dd>
          </div>
          <div>
            <dt>Monthly recurring revenue</dt>
            <dd>{formatMoneyList(figures.mrr)}</dd>
          </div>
        </dl>
      )}
      <SubscriptionsTable />
      <GrantForm />
      <PaymentsTable />
    </section>
  );
}

function SubscriptionsTable() {
  const [status, setStatus] = useState<SubscriptionStatus | ''>('');
  const [source, setSource] = useState<SubscriptionSource | ''>('');
  const [after, setAfter] = useState<string | null>(null);
  const filter: SubscriptionFilter = { status: status || undefined, source: source || undefined };
  const [{ data, fetching, error }, refetch] = useQuery({
    query: Subscriptions,
    variables: { filter, first: PAGE, after },
    requestPolicy: 'cache-and-network',
  });
  const [revokeState, revoke] = useMutation(Revoke);
  const page = data?.subscriptions;

  async function onRevoke(userId: string, name: string) {
    if (!window.confirm(`Revoke ${name}'s complimentary plan? They lose premium now.`)) return;
    await revoke({ userId });
  }

  return (
    <section className="stack" aria-labelledby="subscriptions-title">
      <h2 id="subscriptions-title">Subscriptions{page ? ` (${page.totalCount})` : ''}</h2>
      <div className="field-row filters">
        <div className="field">
          <label htmlFor="filter-status">Status</label>
          <select
            id="filter-status"
            value={status}
            onChange={(e) => {
              setAfter(null);
              setStatus(e.target.value as SubscriptionStatus | '');
            }}
          >
            <option value="">All</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusWords(s)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-source">Source</label>
          <select
            id="filter-source"
            value={source}
            onChange={(e) => {
              setAfter(null);
              setSource(e.target.value as SubscriptionSource | '');
            }}
          >
            <option value="">All</option>
            {SOURCES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <ErrorNote message={errorMessage(error) ?? errorMessage(revokeState.error)} onRetry={error ? () => refetch({ requestPolicy: 'network-only' }) : undefined} />
      {!page && fetching && <Loading />}
      {page && page.edges.length === 0 && <Empty title="No subscriptions match." />}
      {page && page.edges.length > 0 && (
        <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Reader</th>
                <th scope="col">Plan</th>
                <th scope="col">Status</th>
                <th scope="col">Next</th>
                <th scope="col">Since</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {page.edges.map(({ node }) => (
                <tr key={node.id}>
                  <td>
                    {node.user.displayName}
                    {node.user.email && <div className="muted small">{node.user.email}</div>}
                  </td>
                  <td>
                    {node.planName}
                    {node.price && <div className="muted small">{formatPrice(node.price, node.interval)}</div>}
                  </td>
                  <td>{statusWords(node.status, node.source, node.cancelAtPeriodEnd)}</td>
                  <td className={nextStep(node)?.warning ? 'warning-text' : undefined}>{nextStep(node)?.text ?? '—'}</td>
                  <td>
                    <When at={node.createdAt} />
                  </td>
                  <td>
                    {node.source === 'COMPLIMENTARY' && node.status !== 'CANCELED' && (
                      <button
                        type="button"
                        className="link-button danger"
                        disabled={revokeState.fetching}
                        onClick={() => void onRevoke(node.user.id, node.user.displayName)}
                      >
                        Revoke<span className="visually-hidden"> {node.user.displayName}'s plan</span>
                      </button>
                    )}
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

function GrantForm() {
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [chosen, setChosen] = useState<{ id: string; displayName: string; email: string | null } | null>(null);
  const [until, setUntil] = useState('');
  const [found] = useQuery({ query: FindUsers, variables: { search: query }, pause: query.length < 2, requestPolicy: 'network-only' });
  const [grantState, grant] = useMutation(Grant);
  const [granted, setGranted] = useState<string | null>(null);
  const errors = formErrors(grantState.error, ['userId', 'until']);

  function find(event: FormEvent) {
    event.preventDefault();
    setChosen(null);
    setGranted(null);
    setQuery(search.trim());
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!chosen) return;
    setGranted(null);
    const result = await grant({ input: { userId: chosen.id, until: until ? endOfDayIso(until) : null } });
    if (result.data) {
      setGranted(chosen.displayName);
      setChosen(null);
      setUntil('');
    }
  }

  const users = found.data?.users.edges ?? [];
  return (
    <section className="card stack" aria-labelledby="grant-title">
      <h2 id="grant-title">Grant a complimentary plan</h2>
      <form className="search-form" role="search" onSubmit={find}>
        <label htmlFor="grant-search" className="visually-hidden">
          Find a reader by name or email
        </label>
        <input id="grant-search" type="search" placeholder="Name or email" value={search} onChange={(e) => setSearch(e.target.value)} />
        <button type="submit" className="button secondary" disabled={search.trim().length < 2}>
          Find
        </button>
      </form>
      <ErrorNote message={errorMessage(found.error)} />
      {found.fetching && <Loading label="Searching…" />}
      {query.length >= 2 && found.data && users.length === 0 && <p className="muted">No reader matches “{query}”.</p>}
      {users.length > 0 && !chosen && (
        <ul className="plain-list user-results" aria-label="Readers found">
          {users.map(({ node }) => (
            <li key={node.id}>
              <span>
                {node.displayName} <span className="muted">{node.email}</span>
                {node.subscription && (
                  <span className="muted small">
                    {' '}
                    · {node.subscription.planName}, {statusWords(node.subscription.status, node.subscription.source)}
                  </span>
                )}
              </span>
              <button type="button" className="button small secondary" onClick={() => setChosen(node)}>
                Choose<span className="visually-hidden"> {node.displayName}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {chosen && (
        <form className="stack" onSubmit={submit} noValidate>
          <p>
            For <strong>{chosen.displayName}</strong> <span className="muted">{chosen.email}</span>{' '}
            <button type="button" className="link-button" onClick={() => setChosen(null)}>
              Change
            </button>
          </p>
          <Field
            label="Until (optional)"
            name="until"
            type="date"
            value={until}
            onChange={(e) => setUntil(e.target.value)}
            error={errors.fields.until}
            hint="The plan ends at the end of this day. Left empty, it has no end."
          />
          <ErrorNote message={errors.fields.userId ?? errors.form} />
          <div className="form-actions">
            <button type="submit" className="button" disabled={grantState.fetching}>
              Grant complimentary plan
            </button>
          </div>
        </form>
      )}
      {granted && (
        <p className="saved" role="status">
          {granted} now has a complimentary plan.
        </p>
      )}
    </section>
  );
}

function PaymentsTable() {
  const [{ data, fetching, error }, refetch] = useQuery({ query: RecentPayments, variables: { first: 15 }, requestPolicy: 'cache-and-network' });
  const payments = data?.payments.edges;
  return (
    <section className="stack" aria-labelledby="payments-title">
      <h2 id="payments-title">Recent payments</h2>
      <ErrorNote message={errorMessage(error)} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
      {!payments && fetching && <Loading />}
      {payments && payments.length === 0 && <Empty title="No payments yet." />}
      {payments && payments.length > 0 && (
        <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Reader</th>
                <th scope="col">Amount</th>
                <th scope="col">Status</th>
                <th scope="col">Invoice</th>
              </tr>
            </thead>
            <tbody>
              {payments.map(({ node }) => (
                <tr key={node.id}>
                  <td>
                    <When at={node.createdAt} withTime />
                  </td>
                  <td>{node.user.displayName}</td>
                  <td>{formatMoney(node.price)}</td>
                  <td>{node.status === 'PAID' ? 'Paid' : <span className="warning-text">Failed</span>}</td>
                  <td>
                    {node.invoiceUrl ? (
                      <a href={node.invoiceUrl} target="_blank" rel="noreferrer noopener">
                        Invoice
                      </a>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
