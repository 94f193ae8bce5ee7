// XP, streaks, badges, leaderboards and referrals in the browser (issue 16):
// reading a post to its end moves the header chip (XP and streak); a first
// comment earns a badge, shown as a toast and in the bell; a second reader
// climbs the weekly board while the first watches it move, live; the profile
// and the board fit a phone; a private profile is private; and a friend who
// registers with the copied referral link and confirms the address rewards
// the referrer; a reader who came without a code enters one in settings, on a
// phone (a wrong one refused at the field); and a post finished too quickly
// (its end reached first) earns its XP while the reader stays on it.
//
// Reading time: the app sends the time since the post opened, and the server
// gives XP only for a plausible read (a share of the reading time, at least
// 10 s). The reading contexts run on Playwright's clock, which the test moves
// forward by that much instead of waiting.

import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { accessibilityProblems, baseUrl, expectFitsPhone, gql, launch, login, mailedLink, newContext, phoneContext, screenshot, settle, signIn, unique } from './harness';

// Seeded readers no other spec uses: each starts without XP. Registering is
// limited to 10 accounts an hour from one address, and the other specs use
// most of those; only the referred friend registers here.
const PASSWORD = 'lectern-reader-demo-2026';
const PRIYA = { email: 'priya@lectern.dev', password: PASSWORD, name: 'Priya Natarajan' };
const TOMAS = { email: 'tomas@lectern.dev', password: PASSWORD, name: 'Tomás Ribeiro' };

let browser: Browser;
let priya: BrowserContext;
let p: Page;
let priyaId: string;
// The friend Priya invites: the one account this spec registers (with a refused try first).
let friend: BrowserContext;
let f: Page;
const pageErrors: string[] = [];
const id = unique();
const FRIEND = { email: `friend-${id}@example.com`, password: 'copper-kettle-whistles-42', name: 'Fern Friend' };

function watch(page: Page, who: string) {
  page.on('pageerror', (error) => pageErrors.push(`${who}: ${error.message}`));
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) pageErrors.push(`${who}: ${message.text()}`);
  });
}

interface Standing {
  id: string;
  xp: number;
  level: number;
  streak: { current: number };
  badges: { badge: { slug: string } }[];
}

/** Sign-ins are limited (10 an account in 15 minutes): the tests reuse one token per reader. */
const tokens = new Map<string, { token: string; at: number }>();
async function tokenOf(who: { email: string; password: string }): Promise<string> {
  const held = tokens.get(who.email);
  if (held && Date.now() - held.at < 10 * 60_000) return held.token;
  const token = await login(who.email, who.password);
  tokens.set(who.email, { token, at: Date.now() });
  return token;
}

async function standingOf(who: { email: string; password: string }): Promise<Standing> {
  const token = await tokenOf(who);
  return (await gql<{ me: Standing }>('{ me { id xp level streak { current } badges { badge { slug } } } }', {}, token)).me;
}

interface Unread {
  slug: string;
  title: string;
  readingMinutes: number;
}

/**
 * Posts `who` may read in full and has not finished, shortest first; at
 * least two minutes long, so their end is below the first screen (a post
 * that fits on it is only read with the button).
 */
async function unreadPosts(who: { email: string; password: string }): Promise<Unread[]> {
  const token = await tokenOf(who);
  const { posts } = await gql<{ posts: { nodes: (Unread & { isLocked: boolean; viewerProgress: { completedAt: string | null } | null })[] } }>(
    '{ posts(first: 100) { nodes { slug title readingMinutes isLocked viewerProgress { completedAt } } } }',
    {},
    token,
  );
  return posts.nodes
    .filter((post) => !post.isLocked && !post.viewerProgress?.completedAt && post.readingMinutes >= 2)
    .sort((a, b) => a.readingMinutes - b.readingMinutes || a.slug.localeCompare(b.slug));
}

/**
 * Opens a post, lets the page's clock run for a plausible read (a quarter of
 * its reading time, at least 10 s, and a little more), and scrolls to the end,
 * which marks it read.
 */
async function readToEnd(page: Page, post: Unread) {
  await page.goto(`/posts/${post.slug}`);
  await page.getByTestId('post-body').waitFor();
  await page.getByRole('button', { name: 'Mark as read' }).waitFor();
  await page.clock.fastForward(Math.max(10, Math.ceil(post.readingMinutes * 60 * 0.25)) * 1000 + 5000);
  await page.getByTestId('end-of-body').scrollIntoViewIfNeeded();
  await page.getByRole('button', { name: '✓ Read' }).waitFor();
}

/** A desktop context whose pages run on a clock the test may move forward. */
async function readingContext(timezoneId?: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 }, timezoneId });
  context.setDefaultTimeout(20_000);
  await context.clock.install();
  return context;
}

const chip = (page: Page) => page.getByTestId('standing-chip');
/** What the chip shows: "level/XP/streak". */
const chipSays = async (page: Page) => {
  const c = chip(page);
  return `${await c.getAttribute('data-level')}/${await c.getAttribute('data-xp')}/${await c.getAttribute('data-streak')}`;
};
const toast = (page: Page, text: string | RegExp) => page.getByTestId('toast').filter({ hasText: text });

beforeAll(async () => {
  browser = await launch();
  priya = await readingContext('Europe/Berlin');
  await priya.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
  p = await priya.newPage();
  watch(p, 'priya');
  priyaId = (await standingOf(PRIYA)).id;
});

afterAll(async () => {
  await browser?.close();
});

describe('reading', () => {
  let first: Unread;

  it('reading a post to its end earns XP and a streak day, and the header chip shows both', async () => {
    const before = await standingOf(PRIYA);
    expect(before).toMatchObject({ xp: 0, level: 1, streak: { current: 0 } });
    await signIn(p, PRIYA);
    await chip(p).waitFor();
    expect(await chipSays(p)).toBe('1/0/0');
    const seen = await chip(p).evaluate((el) => {
      const copy = el.cloneNode(true) as HTMLElement;
      copy.querySelectorAll('.visually-hidden').forEach((hidden) => hidden.remove());
      return copy.textContent?.replace(/\s+/g, ' ').trim();
    });
    expect(seen).toMatch(/^Lv 1\s*0$/);
    // Its name says what the shapes mean.
    await p.getByRole('link', { name: /^Level 1\s*, 0 XP, streak 0 days: your profile$/ }).waitFor();
    // A flame drawn as SVG, not an emoji.
    expect(await chip(p).locator('svg').count()).toBe(1);
    expect(await chip(p).textContent()).not.toMatch(/\p{Extended_Pictographic}/u);

    first = (await unreadPosts(PRIYA))[0]!;
    await readToEnd(p, first);
    // The read's 10 XP and the streak's first day, without a reload.
    await expect.poll(() => chipSays(p)).toMatch(/^1\/\d+\/1$/);
    expect(await chip(p).locator('.streak').textContent()).toBe('1');
    // Then the badges the read earned (checked by a job): "First read", and "First words" for the
    // comments the demo data gave her. Each is a toast, and the chip counts their XP.
    const firstRead = toast(p, 'First read');
    const words = toast(p, 'First words');
    await firstRead.waitFor();
    await words.waitFor();
    expect(await firstRead.getAttribute('role')).toBe('status');
    expect(await firstRead.textContent()).toContain('Finished a first post.');
    // It slides in (this browser has no reduced-motion preference).
    expect(await firstRead.evaluate((el) => getComputedStyle(el).animationName)).toBe('toast-in');
    await expect.poll(() => chipSays(p)).toBe('1/25/1');
    await p.getByRole('link', { name: /^Level 1\s*, 25 XP, streak 1 day: your profile$/ }).waitFor();
    expect(await standingOf(PRIYA)).toMatchObject({ xp: 25, streak: { current: 1 } });
    await screenshot(p, 'xp-after-read', false);
    // One toast dismissed by hand; left alone, the other goes by itself.
    await words.getByRole('button', { name: 'Dismiss' }).click();
    await words.waitFor({ state: 'detached' });
    await firstRead.waitFor({ state: 'detached', timeout: 30_000 });
  });

  it('the profile shows level, progress, XP, streak, badges with their icons, and the recent activity', async () => {
    await chip(p).click();
    await p.waitForURL('**/profile');
    await p.getByRole('heading', { name: PRIYA.name, level: 1 }).waitFor();
    expect(await p.getByTestId('profile-level').textContent()).toBe('1');
    expect(await p.getByTestId('profile-xp').textContent()).toBe('25');
    expect(await p.getByTestId('profile-streak').textContent()).toBe('1 day');
    const bar = p.getByRole('progressbar', { name: 'Progress to level 2' });
    expect(await bar.getAttribute('aria-valuenow')).toBe('25');
    const earned = p.getByTestId('earned-badge');
    expect((await earned.locator('strong').allTextContents()).sort()).toEqual(['First read', 'First words']);
    for (const badge of await earned.all()) expect(await badge.locator('svg').count()).toBe(1);
    // The catalogue's other badges, still to earn.
    await p.getByRole('list', { name: 'Badges still to earn' }).getByText('Bookworm').waitFor();
    const activity = p.locator('.activity-list li');
    expect(await activity.count()).toBe(3);
    await screenshot(p, 'profile');
    await activity.getByRole('link', { name: 'Read a post' }).click();
    await p.waitForURL(`**/posts/${first.slug}`);
  });
});

describe('the weekly leaderboard', () => {
  it('moves live while another reader climbs it, without a reload', async () => {
    await p.goto('/leaderboard');
    await p.getByRole('tab', { name: 'Week', selected: true }).waitFor();
    const rows = p.getByTestId('board-entry');
    const mine = p.locator('[data-testid=board-entry][aria-current=true]');
    await mine.waitFor();
    expect(await mine.getAttribute('data-user')).toBe(priyaId);
    expect(await mine.textContent()).toContain('25 XP');
    await p.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    const order = () => rows.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-user')));
    const tomasId = (await standingOf(TOMAS)).id;
    expect(await order()).not.toContain(tomasId);

    const tomas = await readingContext();
    const t = await tomas.newPage();
    watch(t, 'tomas');
    await signIn(t, TOMAS);
    const posts = await unreadPosts(TOMAS);
    // Like Priya: 10 XP for the post, 5 and 10 for the two badges it brings (25, level with her),
    // then 10 more for a second post (35), above her.
    await readToEnd(t, posts[0]!);
    await expect.poll(order, { timeout: 30_000 }).toContain(tomasId);
    const place = p.locator(`[data-testid=board-entry][data-user="${tomasId}"]`);
    await expect.poll(() => place.textContent(), { timeout: 30_000 }).toContain('25 XP');
    await readToEnd(t, posts[1]!);
    await expect.poll(() => place.textContent(), { timeout: 30_000 }).toContain('35 XP');
    const now = await order();
    expect(now.indexOf(tomasId)).toBeLessThan(now.indexOf(priyaId));
    expect(await mine.getAttribute('data-user')).toBe(priyaId);
    // The ranks shown follow the order.
    const ranks = await rows.evaluateAll((nodes) => nodes.map((n) => Number(n.querySelector('.rank')?.textContent?.replace(/\D/g, ''))));
    expect(ranks).toEqual(ranks.map((_, i) => i + 1));
    expect(await p.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    await screenshot(p, 'leaderboard-live', false);

    // Tomás sees himself highlighted on his own board, and the other periods too.
    await t.goto('/leaderboard?period=month');
    await t.getByRole('tab', { name: 'Month', selected: true }).waitFor();
    await t.locator(`[data-testid=board-entry][aria-current=true][data-user="${tomasId}"]`).waitFor();
    await t.getByRole('tab', { name: 'Month' }).press('ArrowRight');
    await t.getByRole('tab', { name: 'All time', selected: true }).waitFor();
    await t.waitForURL('**/leaderboard?period=all');
    await t.locator(`[data-testid=board-entry][aria-current=true][data-user="${tomasId}"]`).waitFor();
    await tomas.close();
  });
});

describe('on a 375 px phone', () => {
  it('the leaderboard and profiles fit, the chip fits the header, and the menu leads to both', async () => {
    const context = await phoneContext(browser);
    const page = await context.newPage();
    watch(page, 'phone');
    await signIn(page, PRIYA);
    await settle(page);
    await expectFitsPhone(page, 'feed with the chip', ['.site-header', '.standing-chip', '.bell', '.nav-toggle', '.brand']);

    const menu = page.getByRole('navigation', { name: 'Main' });
    await page.getByRole('button', { name: 'Menu' }).click();
    await menu.getByRole('link', { name: 'Leaderboard' }).click();
    await page.getByRole('heading', { name: 'Leaderboard', level: 1 }).waitFor();
    await page.getByTestId('board-entry').first().waitFor();
    await settle(page);
    await expectFitsPhone(page, 'leaderboard', ['main h1', '[role=tablist]', '[data-testid=board-entry]', '.place .xp']);
    await screenshot(page, 'phone-leaderboard', false);

    await page.getByRole('button', { name: 'Menu' }).click();
    await menu.getByRole('link', { name: 'Your profile' }).click();
    await page.getByRole('heading', { name: PRIYA.name, level: 1 }).waitFor();
    await settle(page);
    await expectFitsPhone(page, 'own profile', ['main h1', '.standing-figures', '.progress-card', '.badge-card', '.activity-list li']);
    await screenshot(page, 'phone-profile');

    await page.goto(`/users/${(await standingOf(TOMAS)).id}`);
    await page.getByRole('heading', { name: TOMAS.name, level: 1 }).waitFor();
    await settle(page);
    await expectFitsPhone(page, 'public profile', ['main h1', '.standing-figures', '.badge-card.earned']);
    await context.close();
  });
});

describe('settings', () => {
  const saveStreakSettings = () =>
    p.locator('section', { has: p.getByRole('heading', { name: 'XP and streaks' }) }).getByRole('button', { name: 'Save' }).click();

  it("offer the browser's time zone while the account counts days in UTC, and save it", async () => {
    await p.goto('/settings');
    const offer = p.getByTestId('zone-offer');
    await offer.waitFor();
    expect(await offer.textContent()).toContain('Europe/Berlin');
    // The browser's zone is already chosen, to be saved.
    expect(await p.getByLabel('Time zone').inputValue()).toBe('Europe/Berlin');
    await saveStreakSettings();
    await p.getByText('Saved.').waitFor();
    await offer.waitFor({ state: 'detached' });
    expect((await gql<{ me: { timeZone: string } }>('{ me { timeZone } }', {}, await tokenOf(PRIYA))).me.timeZone).toBe('Europe/Berlin');
  });

  it('make a profile private: others see only the name and bio', async () => {
    await p.goto('/settings');
    await p.getByLabel('Private profile').check();
    await saveStreakSettings();
    await p.getByText('Saved.').waitFor();
    const privately = () =>
      gql<{ user: { profilePrivate: boolean; level: number | null; xp: number | null; badges: unknown } }>(
        'query($id: ID!) { user(id: $id) { profilePrivate level xp badges { earnedAt } } }',
        { id: priyaId },
      );
    expect((await privately()).user).toEqual({ profilePrivate: true, level: null, xp: null, badges: null });

    const visitor = await newContext(browser);
    const v = await visitor.newPage();
    watch(v, 'visitor');
    await v.goto(`/users/${priyaId}`);
    await v.getByRole('heading', { name: PRIYA.name, level: 1 }).waitFor();
    await v.getByText('This profile is private.').waitFor();
    expect(await v.getByTestId('standing').count()).toBe(0);
    expect(await v.getByTestId('earned-badge').count()).toBe(0);
    // The name stays on the board.
    await v.goto('/leaderboard');
    await v.locator(`[data-testid=board-entry][data-user="${priyaId}"]`).getByRole('link', { name: PRIYA.name }).waitFor();

    // Her own profile still shows everything, and says it is private.
    await p.goto('/profile');
    await p.getByText(/Your profile is private/).waitFor();
    await p.getByTestId('profile-xp').waitFor();

    await p.goto('/settings');
    await p.getByLabel('Private profile').waitFor();
    expect(await p.getByLabel('Private profile').isChecked()).toBe(true);
    await p.getByLabel('Private profile').uncheck();
    await saveStreakSettings();
    await p.getByText('Saved.').waitFor();
    expect((await privately()).user.profilePrivate).toBe(false);
    await visitor.close();
    // A new visitor: anonymous answers may be kept for a minute (PERSISTED_QUERY_MAX_AGE_SECS),
    // so the first visitor's browser could still hold the private copy.
    const later = await newContext(browser);
    const l = await later.newPage();
    await l.goto(`/users/${priyaId}`);
    await l.getByTestId('profile-xp').waitFor();
    await later.close();
  });

  it('copy the referral link; a friend registers with it and confirms the address, and the referral is rewarded', async () => {
    await p.goto('/settings');
    const field = p.getByLabel('Your referral link');
    await field.waitFor();
    const link = await field.inputValue();
    expect(link).toMatch(new RegExp(`^${baseUrl.replace(/[.]/g, '\\.')}/register\\?ref=[A-Z0-9]{8}$`));
    await p.getByRole('button', { name: 'Copy' }).click();
    await p.getByText('Link copied.').waitFor();
    expect(await p.evaluate(() => navigator.clipboard.readText())).toBe(link);
    expect(await p.getByTestId('referral').count()).toBe(0);

    // The friend's browser asks for reduced motion.
    friend = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce' });
    friend.setDefaultTimeout(20_000);
    f = await friend.newPage();
    watch(f, 'friend');
    // A code that does not exist is refused at its field, and nothing is created.
    await f.goto('/register?ref=NOPE2345');
    await f.getByText('A friend invited you').waitFor();
    await f.getByLabel('Name').fill(FRIEND.name);
    await f.getByLabel('Email').fill(FRIEND.email);
    await f.getByLabel('Password').fill(FRIEND.password);
    expect(await f.getByLabel('Referral code').inputValue()).toBe('NOPE2345');
    await f.getByRole('button', { name: 'Create account' }).click();
    await f.locator('#field-referralCode-error').waitFor();
    expect(await f.locator('#field-referralCode-error').textContent()).toMatch(/no such referral code/i);
    expect(await f.getByLabel('Referral code').getAttribute('aria-invalid')).toBe('true');

    // The copied link.
    const url = new URL(link);
    await f.goto(url.pathname + url.search);
    await f.getByLabel('Name').fill(FRIEND.name);
    await f.getByLabel('Email').fill(FRIEND.email);
    await f.getByLabel('Password').fill(FRIEND.password);
    expect(await f.getByLabel('Referral code').inputValue()).toBe(url.searchParams.get('ref'));
    await f.getByRole('button', { name: 'Create account' }).click();
    await f.getByRole('button', { name: 'Sign out' }).waitFor();

    await p.reload();
    const row = p.getByTestId('referral').filter({ hasText: FRIEND.name });
    await row.waitFor();
    expect(await row.textContent()).toContain('Pending');

    await f.goto(await mailedLink(FRIEND.email, '/verify-email'));
    await f.getByText('Your email address is confirmed.').waitFor();
    // 100 XP for the referrer: level 2, said live on her open page.
    await toast(p, 'You reached level 2').waitFor();
    await expect.poll(() => chipSays(p)).toBe('2/125/1');
    await p.reload();
    await expect.poll(() => row.textContent()).toContain('Rewarded');
    expect(await standingOf(PRIYA)).toMatchObject({ xp: 125, level: 2 });
    await screenshot(p, 'referrals');
  });

  it('the friend\'s first comment earns "First words": a toast, and a notification in the bell', async () => {
    await f.goto(`/posts/${(await unreadPosts(FRIEND))[0]!.slug}`);
    await f.getByRole('heading', { name: 'Discussion' }).waitFor();
    expect(await f.getByTestId('unread-count').count()).toBe(0);
    await f.getByLabel('Add a comment').fill(`Thanks for the invitation, Priya (${id})`);
    await f.getByRole('button', { name: 'Comment', exact: true }).click();

    const words = toast(f, 'First words');
    await words.waitFor();
    expect(await words.getAttribute('role')).toBe('status');
    expect(await words.textContent()).toContain('Wrote a first comment.');
    // Reduced motion: it appears without sliding in.
    expect(await words.evaluate((el) => getComputedStyle(el).animationName)).toBe('none');
    await screenshot(f, 'badge-toast', false);
    // The bell counts it, live. (Scrolling down to the comment form may have passed the
    // post's end and marked it read, too soon for XP; the badge check after the comment
    // then also finds a first finished post, and "First read" comes with it.)
    const notices = async () =>
      (await gql<{ notifications: { nodes: { title: string }[] } }>('{ notifications(first: 10) { nodes { title } } }', {}, await tokenOf(FRIEND))).notifications.nodes.map(
        (n) => n.title,
      );
    await expect.poll(notices).toContain('You earned the badge “First words”');
    const titles = await notices();
    expect(titles.filter((t) => !/“First (words|read)”/.test(t))).toEqual([]);
    await expect.poll(() => f.getByTestId('unread-count').textContent()).toBe(String(titles.length));
    await f.getByRole('button', { name: `Notifications, ${titles.length} unread` }).click();
    await f.locator('.bell-menu .notification-item', { hasText: 'You earned the badge “First words”' }).waitFor();
    await f.keyboard.press('Escape');
    // The badges' XP and a streak day (a comment counts), in the chip.
    await expect.poll(() => chipSays(f)).toBe(`1/${titles.length === 2 ? 15 : 10}/1`);
    await friend.close();
  });
});

describe('a referral code entered later', () => {
  it('on a phone: a reader who came without one enters it in settings; a wrong code is refused at the field', async () => {
    const referralCode = async (who: { email: string; password: string }) =>
      (await gql<{ me: { referralCode: string } }>('{ me { referralCode } }', {}, await tokenOf(who))).me.referralCode;
    const before = await standingOf(PRIYA);
    const context = await phoneContext(browser);
    const page = await context.newPage();
    watch(page, 'tomas phone');
    await signIn(page, TOMAS, '/settings');
    // Nobody referred Tomás, and his account is days old: the form is there, with its deadline.
    const form = page.getByRole('form', { name: 'Were you referred?' });
    await form.waitFor();
    await settle(page);
    expect(await form.locator('#field-referralCode-hint time').count()).toBe(1);
    await expectFitsPhone(page, 'settings with the referral code form', ['.referral-code-form', '#field-referralCode', '.referral-code-form button']);

    const field = page.getByLabel('Referral code');
    const apply = page.getByRole('button', { name: 'Apply code' });
    const error = page.locator('#field-referralCode-error');
    await field.fill('NOPE2345');
    await apply.click();
    await error.waitFor();
    expect(await error.textContent()).toMatch(/no such referral code/i);
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'phone-referral-code-refused', false);
    await field.fill(await referralCode(TOMAS));
    await apply.click();
    await expect.poll(() => error.textContent()).toMatch(/your own referral code/i);

    // Priya's code, typed loosely (lower case, a space): accepted. Tomás's address is confirmed,
    // so she gets her XP at once, and the form gives way to who referred him.
    const code = await referralCode(PRIYA);
    await field.fill(`${code.slice(0, 4).toLowerCase()} ${code.slice(4)}`);
    await apply.click();
    const note = page.getByTestId('referred-by');
    await note.waitFor();
    expect(await note.textContent()).toBe(`${PRIYA.name} referred you, and got their XP for it.`);
    await form.waitFor({ state: 'detached' });
    expect(await note.evaluate((el) => el === document.activeElement)).toBe(true);
    await expectFitsPhone(page, 'settings after the code', ['[data-testid=referred-by]']);
    await screenshot(page, 'phone-referral-code-accepted', false);
    expect((await standingOf(PRIYA)).xp).toBe(before.xp + 100);
    // Still so after a reload: the server says it, not the page.
    await page.reload();
    await note.waitFor();
    expect(await form.count()).toBe(0);
    await context.close();

    // In Priya's list, rewarded.
    await p.goto('/settings');
    await p.getByTestId('referral').filter({ hasText: TOMAS.name }).filter({ hasText: 'Rewarded' }).waitFor();
  });
});

describe('a post finished too quickly', () => {
  it('earns its XP while the reader stays on it, with one more request and none after', async () => {
    const [post] = await unreadPosts(PRIYA);
    const token = await tokenOf(PRIYA);
    const progressOf = async () =>
      (await gql<{ post: { secondsForXp: number; viewerProgress: { secondsSpent: number; completedAt: string | null } | null } }>(
        'query($s: String!) { post(slug: $s) { secondsForXp viewerProgress { secondsSpent completedAt } } }',
        { s: post!.slug },
        token,
      )).post;
    const { secondsForXp } = await progressOf();
    const before = await standingOf(PRIYA);
    // What the page sends: the seconds of each markPostRead.
    const sent: number[] = [];
    const onRequest = (request: Request) => {
      const body = request.method() === 'POST' ? (request.postDataJSON() as { operationName?: string; variables?: { secondsSpent?: number } } | null) : null;
      if (body?.operationName === 'MarkPostRead') sent.push(body.variables?.secondsSpent ?? -1);
    };
    p.on('request', onRequest);

    // Straight to the end: finished, with a few seconds, too few for XP.
    await p.goto(`/posts/${post!.slug}`);
    await p.getByTestId('post-body').waitFor();
    await p.getByRole('button', { name: 'Mark as read' }).waitFor();
    await p.getByTestId('end-of-body').scrollIntoViewIfNeeded();
    await p.getByRole('button', { name: '✓ Read' }).waitFor();
    const finished = await progressOf();
    expect(finished.viewerProgress?.completedAt).toBeTruthy();
    expect(finished.viewerProgress!.secondsSpent).toBeLessThan(secondsForXp);
    expect((await standingOf(PRIYA)).xp).toBe(before.xp);
    expect(await chip(p).getAttribute('data-xp')).toBe(String(before.xp));
    expect(sent).toHaveLength(1);

    // She stays on the post (the page's clock moves on by the reading time): the rest of the time
    // goes to the server in one request, and the read earns its XP, shown in the chip.
    await p.clock.fastForward(secondsForXp * 1000);
    await expect.poll(() => sent.length).toBe(2);
    await expect.poll(async () => Number(await chip(p).getAttribute('data-xp'))).toBeGreaterThanOrEqual(before.xp + 10);
    const earned = await progressOf();
    expect(earned.viewerProgress!.secondsSpent).toBeGreaterThanOrEqual(secondsForXp);
    const { me } = await gql<{ me: { recentActivity: { source: string; link: string | null }[] } }>(
      '{ me { recentActivity(first: 5) { source link } } }',
      {},
      token,
    );
    expect(me.recentActivity).toContainEqual({ source: 'POST_READ', link: `/posts/${post!.slug}` });
    await expect.poll(async () => (await chip(p).getAttribute('data-xp')) === String((await standingOf(PRIYA)).xp)).toBe(true);

    // Nothing more once the XP is earned: not while she stays, not when she leaves.
    await p.clock.fastForward(10 * 60_000);
    await p.goto('/');
    await p.locator('.post-card').first().waitFor();
    expect(sent).toHaveLength(2);
    expect((await progressOf()).viewerProgress!.secondsSpent).toBe(earned.viewerProgress!.secondsSpent);
    p.off('request', onRequest);
  });
});

describe('the browser console', () => {
  it('saw no uncaught page errors and no Content-Security-Policy violations', () => {
    expect(pageErrors).toEqual([]);
  });
});
