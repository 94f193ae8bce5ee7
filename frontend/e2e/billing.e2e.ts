// Payments in a real browser, through the Stripe stand-in the server is
// configured with (see server.ts): a new reader looks at the plans, cancels a
// first checkout, pays at the stand-in's hosted page, waits on the return page
// while the webhook is held back, and sees it flip to premium live when the
// webhook arrives; then reads a premium post and finds the plan in Settings.
// An admin sees the subscriber and grants (and revokes) a complimentary plan.
// At phone width the pricing page and the billing section stay usable.

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { accessibilityProblems, baseUrl, gql, launch, login, mailedLink, newContext, screenshot, standin, standinUrl, unique } from './harness';

const PREMIUM_POST = 'traits-and-generics-in-practice';
const PASSWORD = 'amber-heron-counts-42';
const ADMIN = { email: 'admin@lectern.dev', password: 'lectern-admin-demo-2026' };

let browser: Browser;
let reader: BrowserContext;
let r: Page;
const id = unique();
const readerEmail = `payer-${id}@example.com`;
const readerName = `Payer ${id}`;
const pageErrors: string[] = [];

type StandinEvent = { id: string; type: string };

function watchErrors(page: Page, who: string) {
  page.on('pageerror', (error) => pageErrors.push(`${who}: ${error.message}`));
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) pageErrors.push(`${who}: ${message.text()}`);
  });
}

/** Whether the page is wider than its viewport (something sticks out sideways). */
async function overflowsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
}

/** Whether the element is fully inside the viewport horizontally. */
async function fitsWidth(page: Page, selector: ReturnType<Page['locator']>): Promise<boolean> {
  const box = await selector.boundingBox();
  const width = page.viewportSize()?.width ?? 0;
  return box !== null && box.x >= 0 && box.x + box.width <= width + 1;
}

async function signIn(page: Page, email: string, password: string) {
  await page.goto('/sign-in?next=%2F');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Signed in: the form sends the reader on (Sign out sits in the menu at phone width).
  await page.waitForURL((url) => url.pathname === '/');
}

beforeAll(async () => {
  browser = await launch();
  reader = await newContext(browser);
  r = await reader.newPage();
  watchErrors(r, 'reader');
});

afterAll(async () => {
  // Whatever happened, leave the stand-in delivering webhooks for the other files.
  await standin('delivery', { on: true }).catch(() => undefined);
  await browser?.close();
});

describe('a visitor', () => {
  it('sees the plans with their prices, and is asked to sign in to subscribe', async () => {
    const visitor = await newContext(browser);
    const v = await visitor.newPage();
    watchErrors(v, 'visitor');
    // From the locked premium post, the paywall leads to the plans.
    await v.goto(`/posts/${PREMIUM_POST}`);
    await v.getByRole('heading', { name: 'Unlock this post with Premium' }).waitFor();
    await v.getByRole('region', { name: 'Premium preview' }).getByRole('link', { name: 'See the plans' }).click();
    await v.waitForURL(/\/pricing$/);

    const monthly = v.getByRole('region', { name: 'Monthly' });
    const yearly = v.getByRole('region', { name: 'Yearly' });
    await monthly.waitFor();
    expect(await monthly.locator('.plan-price').textContent()).toMatch(/\$9\.00\s*per month/);
    expect(await yearly.locator('.plan-price').textContent()).toMatch(/\$90\.00\s*per year/);
    // Signed out: the button is a sign-in link that comes back here.
    expect(await monthly.getByRole('link', { name: 'Sign in to subscribe' }).getAttribute('href')).toBe('/sign-in?next=/pricing');
    expect(await accessibilityProblems(v)).toEqual([]);
    await screenshot(v, 'pricing-visitor');
    await visitor.close();
  });
});

describe('a reader', () => {
  it('registers, and is asked to confirm the email address before subscribing', async () => {
    await r.goto('/register?next=/pricing');
    await r.getByLabel('Name').fill(readerName);
    await r.getByLabel('Email').fill(readerEmail);
    await r.getByLabel('Password').fill(PASSWORD);
    await r.getByRole('button', { name: 'Create account' }).click();
    await r.waitForURL(/\/pricing$/);
    await r.getByText('Please confirm your email address before subscribing').waitFor();
    expect(await r.getByRole('region', { name: 'Monthly' }).getByRole('button', { name: 'Subscribe' }).isDisabled()).toBe(true);

    await r.goto(await mailedLink(readerEmail, '/verify-email'));
    await r.getByText('Your email address is confirmed.').waitFor();
  });

  it('opens a checkout, cancels it, and is told calmly', async () => {
    await r.goto('/pricing');
    const subscribe = r.getByRole('region', { name: 'Monthly' }).getByRole('button', { name: 'Subscribe' });
    await subscribe.click();
    await r.waitForURL((url) => url.href.startsWith(new URL('checkout/', standinUrl).href));
    expect(await r.locator('#plan').textContent()).toBe('Monthly');
    await r.locator('#cancel').click();
    await r.waitForURL(`${baseUrl}/pricing?canceled=1`);
    await r.getByText('Checkout canceled').waitFor();
    expect(await r.getByRole('alert').count()).toBe(0);
  });

  it('pays at the hosted checkout, and the return page flips to premium live when the webhook lands', async () => {
    const before = new Set((await standin<StandinEvent[]>('events')).map((e) => e.id));
    await r.goto('/pricing');
    await r.getByRole('region', { name: 'Monthly' }).getByRole('button', { name: 'Subscribe' }).click();
    await r.waitForURL((url) => url.href.startsWith(new URL('checkout/', standinUrl).href));
    await r.locator('#pay').waitFor();

    // Hold the webhooks back, so the return page has to wait for them.
    await standin('delivery', { on: false });
    try {
      await r.locator('#pay').click();
      await r.waitForURL((url) => url.href.startsWith(`${baseUrl}/billing/return?session_id=`));
      await r.getByRole('heading', { name: 'Activating your subscription…' }).waitFor();
      await screenshot(r, 'billing-return-waiting');
      // Still waiting a few seconds later (more than one fallback poll): nothing granted without the webhook.
      await r.waitForTimeout(4000);
      expect(await r.getByRole('heading', { name: "You're premium" }).count()).toBe(0);
      // Marks this document: a reload would lose the mark.
      await r.evaluate(() => ((window as unknown as { billingMark: number }).billingMark = 42));

      const held = (await standin<StandinEvent[]>('events')).filter((e) => !before.has(e.id));
      expect(held.map((e) => e.type)).toContain('checkout.session.completed');
      for (const event of held) {
        const { status } = await standin<{ status: number }>(`events/${event.id}/deliver`, {});
        expect(status, `${event.type} delivery`).toBeLessThan(300);
      }
    } finally {
      await standin('delivery', { on: true });
    }

    await r.getByRole('heading', { name: "You're premium" }).waitFor({ timeout: 30_000 });
    expect(await r.evaluate(() => (window as unknown as { billingMark?: number }).billingMark)).toBe(42);
    expect(await r.getByRole('status').first().textContent()).toMatch(/Monthly plan is active/);
    expect(await accessibilityProblems(r)).toEqual([]);
    await screenshot(r, 'billing-return-premium');

    // The server agrees.
    const me = await gql<{ me: { hasPremiumAccess: boolean; subscription: { planId: string; status: string; entitled: boolean } } }>(
      '{ me { hasPremiumAccess subscription { planId status entitled } } }',
      {},
      await login(readerEmail, PASSWORD),
    );
    expect(me.me).toEqual({ hasPremiumAccess: true, subscription: { planId: 'monthly', status: 'ACTIVE', entitled: true } });
  });

  it('reads a premium post in full', async () => {
    await r.goto(`/posts/${PREMIUM_POST}`);
    await r.getByTestId('post-body').waitFor();
    expect(await r.getByRole('heading', { name: 'Unlock this post with Premium' }).count()).toBe(0);
    expect(((await r.getByTestId('post-body').textContent()) ?? '').length).toBeGreaterThan(200);
  });

  it('finds the plan, its renewal date and the payment in Settings', async () => {
    await r.goto('/settings');
    const billing = r.getByRole('region', { name: 'Billing' });
    await billing.getByTestId('plan-name').waitFor();
    expect(await billing.getByTestId('plan-name').textContent()).toBe('Monthly');
    expect(await billing.getByTestId('plan-status').textContent()).toBe('Active');
    expect(await billing.textContent()).toContain('$9.00 / month');
    expect(await billing.getByTestId('plan-next').textContent()).toMatch(/^Renews on /);
    await billing.getByRole('button', { name: 'Manage billing' }).waitFor();
    await billing.getByRole('button', { name: 'Cancel subscription' }).waitFor();
    // The first invoice, paid.
    const payment = billing.locator('.payment-row').first();
    await payment.waitFor();
    expect(await payment.textContent()).toMatch(/\$9\.00.*Paid/);
    // The pricing page now says so, and the nav no longer offers the plans.
    await r.goto('/pricing');
    await r.getByRole('heading', { name: "You're premium" }).waitFor();
    expect(await r.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Pricing' }).count()).toBe(0);
    await screenshot(r, 'pricing-premium');
  });

  it('cancels at the period end and resumes, live', async () => {
    await r.goto('/settings');
    const billing = r.getByRole('region', { name: 'Billing' });
    r.once('dialog', (dialog) => void dialog.accept());
    await billing.getByRole('button', { name: 'Cancel subscription' }).click();
    await expect.poll(() => billing.getByTestId('plan-next').textContent(), { timeout: 15_000 }).toMatch(/^Cancels on /);
    await billing.getByRole('button', { name: 'Resume subscription' }).click();
    await expect.poll(() => billing.getByTestId('plan-next').textContent(), { timeout: 15_000 }).toMatch(/^Renews on /);
    await billing.getByRole('button', { name: 'Cancel subscription' }).waitFor();
  });

  it('at phone width, uses the pricing page and the billing section', async () => {
    const phone = await browser.newContext({ baseURL: baseUrl, viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
    phone.setDefaultTimeout(20_000);
    const p = await phone.newPage();
    watchErrors(p, 'phone');

    // Signed out: the plans stack, each fully on screen, reachable from the menu.
    await p.goto('/');
    await p.getByRole('button', { name: 'Menu' }).click();
    await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Pricing' }).click();
    const monthly = p.getByRole('region', { name: 'Monthly' });
    const yearly = p.getByRole('region', { name: 'Yearly' });
    await monthly.waitFor();
    expect(await overflowsSideways(p)).toBe(false);
    expect(await fitsWidth(p, monthly)).toBe(true);
    expect(await fitsWidth(p, monthly.getByRole('link', { name: 'Sign in to subscribe' }))).toBe(true);
    const [a, b] = [await monthly.boundingBox(), await yearly.boundingBox()];
    expect(b!.y).toBeGreaterThan(a!.y + a!.height - 1); // one above the other
    await screenshot(p, 'pricing-phone');

    // Signed in: the billing section fits, its buttons can be pressed.
    await signIn(p, readerEmail, PASSWORD);
    await p.goto('/settings');
    const billing = p.getByRole('region', { name: 'Billing' });
    await billing.getByTestId('plan-name').waitFor();
    await billing.scrollIntoViewIfNeeded();
    expect(await overflowsSideways(p)).toBe(false);
    for (const control of [billing.getByRole('button', { name: 'Manage billing' }), billing.getByRole('button', { name: 'Cancel subscription' }), billing.locator('.payment-row').first()]) {
      expect(await fitsWidth(p, control)).toBe(true);
    }
    await screenshot(p, 'billing-phone');
    await phone.close();
  });
});

describe('an admin', () => {
  it('sees the subscriber and the figures, and grants and revokes a complimentary plan', async () => {
    const other = `comp-${id}@example.com`;
    await gql('mutation($i: RegisterInput!) { register(input: $i) { accessToken } }', {
      i: { email: other, password: PASSWORD, displayName: `Comp ${id}` },
    });
    const admin = await newContext(browser);
    const page = await admin.newPage();
    watchErrors(page, 'admin');
    await signIn(page, ADMIN.email, ADMIN.password);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Billing' }).click();
    await page.getByRole('heading', { name: 'Billing', level: 1 }).waitFor();

    const figures = page.getByRole('definition');
    await figures.first().waitFor();
    expect(Number(await figures.nth(0).textContent())).toBeGreaterThanOrEqual(1);
    expect(await page.locator('.figures').textContent()).toMatch(/\$\d/);
    const subscriptions = page.getByRole('region', { name: /^Subscriptions/ });
    const payments = page.getByRole('region', { name: 'Recent payments' });
    await subscriptions.getByRole('row', { name: new RegExp(readerName) }).waitFor();
    expect(await subscriptions.getByRole('row', { name: new RegExp(readerName) }).textContent()).toMatch(/Monthly/);
    expect(await payments.getByRole('row', { name: new RegExp(readerName) }).textContent()).toMatch(/\$9\.00/);

    await page.getByLabel('Find a reader by name or email').fill(other);
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    await page.getByRole('button', { name: `Choose Comp ${id}` }).click();
    await page.getByLabel('Until (optional)').fill('2099-12-31');
    await page.getByRole('button', { name: 'Grant complimentary plan' }).click();
    await page.getByText(`Comp ${id} now has a complimentary plan.`).waitFor();

    const row = subscriptions.getByRole('row', { name: new RegExp(`Comp ${id}`) });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/Complimentary until December 31, 2099/);
    await screenshot(page, 'admin-billing');

    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: /Revoke/ }).click();
    // The row goes, or stays as an ended plan.
    await expect.poll(async () => (await row.allTextContents()).join(' '), { timeout: 15_000 }).not.toMatch(/Complimentary until/);
    const after = await gql<{ users: { nodes: { hasPremiumAccess: boolean | null }[] } }>(
      'query($s: String!) { users(search: $s, first: 1) { nodes { hasPremiumAccess } } }',
      { s: other },
      await login(ADMIN.email, ADMIN.password),
    );
    expect(after.users.nodes).toEqual([{ hasPremiumAccess: false }]);
    await admin.close();
  });
});

describe('the pages', () => {
  it('raised no script errors and no Content-Security-Policy refusals', () => {
    expect(pageErrors).toEqual([]);
  });
});
