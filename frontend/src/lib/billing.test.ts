import { describe, expect, it } from 'vitest';

import { endOfDayIso, formatDate, formatMoney, formatMoneyList, formatPrice, nextStep, statusWords, type SubscriptionDates } from './billing';

// Noon UTC: the same calendar day in every time zone the tests may run in.
const JUNE_1 = '2027-06-01T12:00:00Z';
const JUNE_8 = '2027-06-08T12:00:00Z';

const paid = (over: Partial<SubscriptionDates> = {}): SubscriptionDates => ({
  source: 'STRIPE',
  status: 'ACTIVE',
  currentPeriodEnd: JUNE_1,
  cancelAtPeriodEnd: false,
  canceledAt: null,
  graceEndsAt: null,
  ...over,
});

describe('formatMoney', () => {
  it('reads the amount in minor units, with the currency’s decimals', () => {
    expect(formatMoney({ amount: 900, currency: 'usd' }, 'en-US')).toBe('$9.00');
    expect(formatMoney({ amount: 9000, currency: 'usd' }, 'en-US')).toBe('$90.00');
    expect(formatMoney({ amount: 123456, currency: 'usd' }, 'en-US')).toBe('$1,234.56');
    expect(formatMoney({ amount: 5, currency: 'usd' }, 'en-US')).toBe('$0.05');
    // Yen have no minor unit: 1000 is ¥1,000, not ¥10.
    expect(formatMoney({ amount: 1000, currency: 'jpy' }, 'en-US')).toBe('¥1,000');
    // Three decimals.
    expect(formatMoney({ amount: 1500, currency: 'kwd' }, 'en-US')).toMatch(/1\.500/);
  });

  it('writes it as the locale does', () => {
    expect(formatMoney({ amount: 900, currency: 'eur' }, 'de-DE')).toBe('9,00\u00a0€');
    expect(formatMoney({ amount: 900, currency: 'EUR' }, 'en-US')).toBe('€9.00');
  });

  it('falls back to the amount and the code for a code Intl refuses', () => {
    expect(formatMoney({ amount: 900, currency: 'us dollars' }, 'en-US')).toBe('9.00 US DOLLARS');
  });

  it('adds the interval for a price, and lists several currencies', () => {
    expect(formatPrice({ amount: 900, currency: 'usd' }, 'MONTH', 'en-US')).toBe('$9.00 / month');
    expect(formatPrice({ amount: 9000, currency: 'usd' }, 'YEAR', 'en-US')).toBe('$90.00 / year');
    expect(formatPrice({ amount: 9000, currency: 'usd' }, null, 'en-US')).toBe('$90.00');
    expect(formatMoneyList([{ amount: 1650, currency: 'usd' }, { amount: 900, currency: 'eur' }], 'en-US')).toBe('$16.50 · €9.00');
    expect(formatMoneyList([], 'en-US')).toBe('—');
  });
});

describe('statusWords', () => {
  it('names each status for people', () => {
    expect(statusWords('ACTIVE')).toBe('Active');
    expect(statusWords('PAST_DUE')).toBe('Payment failed');
    expect(statusWords('CANCELED')).toBe('Ended');
    expect(statusWords('INCOMPLETE')).toBe('Awaiting payment');
  });

  it('says complimentary and cancelling where they apply', () => {
    expect(statusWords('ACTIVE', 'COMPLIMENTARY')).toBe('Complimentary');
    expect(statusWords('CANCELED', 'COMPLIMENTARY')).toBe('Ended');
    expect(statusWords('ACTIVE', 'STRIPE', true)).toBe('Active, cancelling');
    expect(statusWords('PAST_DUE', 'STRIPE', true)).toBe('Payment failed');
  });
});

describe('nextStep', () => {
  it('gives the renewal date of an active plan', () => {
    expect(formatDate(JUNE_1, 'en-US')).toBe('June 1, 2027');
    expect(nextStep(paid(), 'en-US')).toEqual({ text: 'Renews on June 1, 2027', warning: false });
    expect(nextStep(paid({ status: 'TRIALING' }), 'en-US')?.text).toBe('Renews on June 1, 2027');
  });

  it('gives the end date of a plan that cancels at the period end', () => {
    expect(nextStep(paid({ cancelAtPeriodEnd: true }), 'en-US')).toEqual({ text: 'Cancels on June 1, 2027', warning: false });
  });

  it('warns when a payment failed, with the end of the grace period', () => {
    expect(nextStep(paid({ status: 'PAST_DUE', graceEndsAt: JUNE_8 }), 'en-US')).toEqual({
      text: 'Your last payment failed. Access ends on June 8, 2027.',
      warning: true,
    });
    expect(nextStep(paid({ status: 'PAST_DUE', graceEndsAt: null, currentPeriodEnd: null }), 'en-US')).toEqual({
      text: 'Your last payment failed.',
      warning: true,
    });
  });

  it('says until when a complimentary plan lasts, or that it has no end', () => {
    const comp = paid({ source: 'COMPLIMENTARY', currentPeriodEnd: JUNE_8 });
    expect(nextStep(comp, 'en-US')?.text).toBe('Complimentary until June 8, 2027');
    expect(nextStep({ ...comp, currentPeriodEnd: null }, 'en-US')?.text).toBe('Complimentary, with no end date');
  });

  it('says when an ended plan ended, and nothing for one that never started', () => {
    expect(nextStep(paid({ status: 'CANCELED', canceledAt: JUNE_8 }), 'en-US')?.text).toBe('Ended on June 8, 2027');
    expect(nextStep(paid({ status: 'CANCELED' }), 'en-US')).toBeNull();
    expect(nextStep(paid({ status: 'INCOMPLETE' }), 'en-US')).toBeNull();
    expect(nextStep(paid({ currentPeriodEnd: null }), 'en-US')).toBeNull();
  });
});

describe('endOfDayIso', () => {
  it('is the last second of that day where the browser is', () => {
    const end = new Date(endOfDayIso('2027-06-01'));
    expect([end.getFullYear(), end.getMonth(), end.getDate(), end.getHours(), end.getMinutes()]).toEqual([2027, 5, 1, 23, 59]);
    expect(endOfDayIso('2027-12-31')).toMatch(/^202[78]-/);
  });

  it('refuses what is not a date', () => {
    expect(() => endOfDayIso('')).toThrow();
    expect(() => endOfDayIso('soon')).toThrow();
  });
});
