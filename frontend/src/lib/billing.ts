// Money, intervals, statuses and dates of subscriptions, in words. Pure
// functions (the locale is a parameter, the browser's by default) so the
// pricing page, the billing settings and the admin page say the same thing,
// and the tests can pin a locale.

import type { BillingInterval, SubscriptionSource, SubscriptionStatus } from '../gql/graphql';

export interface MoneyLike {
  /** Minor units (cents for usd). */
  amount: number;
  /** ISO 4217 code; the server sends it lowercase. */
  currency: string;
}

/**
 * An amount in minor units as the locale writes it: 900 usd is "$9.00",
 * 1000 jpy is "¥1,000" (the currency's own number of decimals). An unknown
 * currency code falls back to the amount and the code.
 */
export function formatMoney(money: MoneyLike, locale?: string): string {
  const currency = money.currency.toUpperCase();
  let format: Intl.NumberFormat;
  try {
    format = new Intl.NumberFormat(locale, { style: 'currency', currency });
  } catch {
    return `${(money.amount / 100).toFixed(2)} ${currency}`;
  }
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(money.amount / 10 ** digits);
}

export function intervalWord(interval: BillingInterval): string {
  return interval === 'YEAR' ? 'year' : 'month';
}

/** "$9.00 / month"; just the amount when the interval is unknown. */
export function formatPrice(money: MoneyLike, interval: BillingInterval | null | undefined, locale?: string): string {
  const amount = formatMoney(money, locale);
  return interval ? `${amount} / ${intervalWord(interval)}` : amount;
}

/** The amounts of several currencies, one after the other ("$90.00 · €12.00"); "—" for none. */
export function formatMoneyList(list: readonly MoneyLike[], locale?: string): string {
  return list.length ? list.map((m) => formatMoney(m, locale)).join(' · ') : '—';
}

const STATUS_WORDS: Record<SubscriptionStatus, string> = {
  ACTIVE: 'Active',
  TRIALING: 'Trial',
  PAST_DUE: 'Payment failed',
  CANCELED: 'Ended',
  UNPAID: 'Unpaid',
  PAUSED: 'Paused',
  INCOMPLETE: 'Awaiting payment',
  INCOMPLETE_EXPIRED: 'Payment not completed',
};

/** A subscription's status in words; a complimentary plan in force is "Complimentary". */
export function statusWords(status: SubscriptionStatus, source?: SubscriptionSource, cancelAtPeriodEnd = false): string {
  if (source === 'COMPLIMENTARY' && (status === 'ACTIVE' || status === 'TRIALING')) return 'Complimentary';
  if (cancelAtPeriodEnd && (status === 'ACTIVE' || status === 'TRIALING')) return 'Active, cancelling';
  return STATUS_WORDS[status] ?? status;
}

export function formatDate(at: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long' }).format(new Date(at));
}

export interface SubscriptionDates {
  source: SubscriptionSource;
  status: SubscriptionStatus;
  currentPeriodEnd: string | null;
  cancelAtPeriodEnd: boolean;
  canceledAt: string | null;
  graceEndsAt: string | null;
}

/** The one line that says what happens next, and whether it is a warning. */
export interface NextStep {
  text: string;
  warning: boolean;
}

/**
 * What happens next to a subscription, in a sentence: "Renews on …",
 * "Cancels on …", "Access ends on …" (a failed payment, with a warning),
 * "Complimentary until …", "Ended on …". Null when there is nothing to say.
 */
export function nextStep(sub: SubscriptionDates, locale?: string): NextStep | null {
  const on = (at: string) => formatDate(at, locale);
  if (sub.source === 'COMPLIMENTARY') {
    if (sub.status === 'CANCELED') return sub.canceledAt ? { text: `Ended on ${on(sub.canceledAt)}`, warning: false } : null;
    return { text: sub.currentPeriodEnd ? `Complimentary until ${on(sub.currentPeriodEnd)}` : 'Complimentary, with no end date', warning: false };
  }
  switch (sub.status) {
    case 'PAST_DUE':
    case 'UNPAID': {
      const ends = sub.graceEndsAt ?? sub.currentPeriodEnd;
      return { text: ends ? `Your last payment failed. Access ends on ${on(ends)}.` : 'Your last payment failed.', warning: true };
    }
    case 'CANCELED':
      return sub.canceledAt ? { text: `Ended on ${on(sub.canceledAt)}`, warning: false } : null;
    case 'ACTIVE':
    case 'TRIALING':
      if (!sub.currentPeriodEnd) return null;
      return { text: `${sub.cancelAtPeriodEnd ? 'Cancels on' : 'Renews on'} ${on(sub.currentPeriodEnd)}`, warning: false };
    default:
      return null;
  }
}

/**
 * The last second of a calendar day (`2027-06-01`, a date input's value) in the
 * browser's time zone, as an instant: "until June 1" includes all of June 1.
 */
export function endOfDayIso(date: string): string {
  const [year, month, day] = date.split('-').map(Number);
  if (!year || !month || !day) throw new Error(`not a date: ${date}`);
  return new Date(year, month - 1, day, 23, 59, 59).toISOString();
}
