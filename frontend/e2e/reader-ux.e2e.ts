// The app on a phone and around reading (issue 15): every main page fits a
// 375 px screen (no sideways scroll, key parts inside the viewport, a compact
// header, settings in the menu), the theme switch survives a reload and is
// applied before the page paints, reaction buttons draw SVG icons, reaching
// the end of a post marks it read, cover images show, author names lead to
// author pages, and the editor adds tags and places a post in a series.

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { PHONE, baseUrl, expectFitsPhone, gql, launch, login, phoneContext, screenshot, settle, signIn, unique } from './harness';

const POST = 'ownership-and-borrowing-explained';
const POST_TITLE = 'Ownership and Borrowing, Explained';
const ADMIN = { email: 'admin@lectern.dev', password: 'lectern-admin-demo-2026' };
const AUTHOR = { email: 'author@lectern.dev', password: 'lectern-author-demo-2026' };

let browser: Browser;
const pageErrors: string[] = [];

function watch(page: Page, who: string) {
  page.on('pageerror', (error) => pageErrors.push(`${who}: ${error.message}`));
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) pageErrors.push(`${who}: ${message.text()}`);
  });
}

async function phone(colorScheme: 'light' | 'dark' = 'light'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await phoneContext(browser, colorScheme);
  const page = await context.newPage();
  watch(page, 'phone');
  return { context, page };
}

beforeAll(async () => {
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
});

describe('on a 375 px phone', () => {
  it('a visitor reads the feed, a post and search without sideways scrolling, under a compact header', async () => {
    const { context, page } = await phone();
    await page.goto('/');
    await page.locator('.post-card').first().waitFor();
    await settle(page);
    await expectFitsPhone(page, 'feed', ['.site-header', 'main h1', '.post-card', '.nav-toggle', '.brand']);
    await screenshot(page, 'phone-feed', false);

    // Sign in and Register are in the menu.
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign in' }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Register' }).waitFor();
    await page.getByRole('button', { name: 'Menu' }).click();

    await page.goto(`/posts/${POST}`);
    await settle(page);
    await expectFitsPhone(page, 'post', ['main h1', '[data-testid=post-body]', '.reactions', '.post-actions']);

    await page.goto('/search?q=index');
    await settle(page);
    await expectFitsPhone(page, 'search', ['main h1', 'main form']);
    await context.close();
  });

  it('a wide table in a post scrolls inside the post, not the page', async () => {
    const admin = await login(ADMIN.email, ADMIN.password);
    const cells = Array.from({ length: 14 }, (_, i) => `column-number-${i}`);
    const body = `A table wider than any phone.\n\n| ${cells.join(' | ')} |\n| ${cells.map(() => '---').join(' | ')} |\n| ${cells.join(' | ')} |\n`;
    const slug = `wide-table-${unique()}`;
    const created = await gql<{ createPost: { id: string } }>(
      'mutation($i: CreatePostInput!) { createPost(input: $i) { id } }',
      { i: { title: `Wide table ${slug}`, slug, body, excerpt: 'A wide table.', difficulty: 'BEGINNER', tagSlugs: [] } },
      admin,
    );
    await gql('mutation($id: ID!) { publishPost(id: $id) { id } }', { id: created.createPost.id }, admin);
    const { context, page } = await phone();
    await page.goto(`/posts/${slug}`);
    await page.locator('[data-testid=post-body] table').waitFor();
    await settle(page);
    await expectFitsPhone(page, 'post with a wide table', ['main h1', '[data-testid=post-body] table']);
    // The table itself scrolls.
    expect(await page.locator('[data-testid=post-body] table').evaluate((t) => t.scrollWidth > t.clientWidth)).toBe(true);
    await gql('mutation($id: ID!) { deletePost(id: $id) }', { id: created.createPost.id }, admin);
    await context.close();
  });

  it('an admin reaches every page, settings included, from the menu, and the notification list stays on screen', async () => {
    const { context, page } = await phone();
    await signIn(page, ADMIN);
    await settle(page);
    await expectFitsPhone(page, 'feed, signed in', ['.site-header', '.bell', '.nav-toggle']);

    // The notification list opens inside the screen.
    await page.getByRole('button', { name: /^Notifications/ }).click();
    const bellMenu = page.getByRole('region', { name: 'Latest notifications' });
    await bellMenu.waitFor();
    await expectFitsPhone(page, 'notifications open', ['.bell-menu', '.bell-menu .menu-head', '.bell-menu .menu-foot']);
    const box = (await bellMenu.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    expect(box.y + Math.min(box.height, 100)).toBeLessThanOrEqual(PHONE.height);
    await screenshot(page, 'phone-notifications', false);
    await page.keyboard.press('Escape');

    // The menu has what an admin may do, settings and signing out among it.
    const menu = page.getByRole('navigation', { name: 'Main' });
    await page.getByRole('button', { name: 'Menu' }).click();
    for (const name of ['Feed', 'Bookmarks', 'Write', 'Billing', 'Search', 'Notifications']) {
      await menu.getByRole('link', { name, exact: true }).waitFor();
    }
    await menu.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.getByRole('combobox', { name: 'Theme' }).waitFor();
    await expectFitsPhone(page, 'menu open', ['#site-nav', '#site-nav a'], { menuOpen: true });
    await screenshot(page, 'phone-menu', false);
    await menu.getByRole('link', { name: /^Settings/ }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    await settle(page);
    await expectFitsPhone(page, 'settings', ['main h1', 'main form']);

    for (const [path, heading] of [
      ['/bookmarks', 'Bookmarks'],
      ['/notifications', 'Notifications'],
      ['/admin', 'Your posts'],
      ['/admin/new', 'New post'],
      ['/admin/billing', 'Billing'],
      ['/pricing', 'Premium'],
    ] as const) {
      await page.goto(path);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await settle(page);
      await expectFitsPhone(page, path, ['main h1']);
    }
    await screenshot(page, 'phone-admin-billing');

    // Signing out from the menu.
    await page.goto('/');
    await page.getByRole('button', { name: 'Menu' }).click();
    await menu.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Menu' }).click();
    await menu.getByRole('link', { name: 'Sign in' }).waitFor();
    await context.close();
  });

  it('a reader without premium sees Pricing in the menu, and no writing or admin links', async () => {
    const email = `phone-${unique()}@example.com`;
    await gql('mutation($i: RegisterInput!) { register(input: $i) { accessToken } }', {
      i: { email, password: 'violet-otter-sings-97', displayName: 'Phone Reader' },
    });
    const { context, page } = await phone();
    await signIn(page, { email, password: 'violet-otter-sings-97' });
    await page.getByRole('button', { name: 'Menu' }).click();
    const menu = page.getByRole('navigation', { name: 'Main' });
    await menu.getByRole('link', { name: 'Pricing' }).waitFor();
    await menu.getByRole('link', { name: /^Settings/ }).waitFor();
    expect(await menu.getByRole('link', { name: 'Write' }).count()).toBe(0);
    expect(await menu.getByRole('link', { name: 'Billing' }).count()).toBe(0);
    await context.close();
  });
});

describe('the theme', () => {
  it('is chosen on a phone, kept across a reload, and applied before the page paints', async () => {
    const { context, page } = await phone('light');
    await page.goto('/');
    await settle(page);
    const background = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    expect(await background()).toBe('rgb(251, 250, 247)');
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('combobox', { name: 'Theme' }).selectOption('dark');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    expect(await background()).toBe('rgb(21, 21, 26)');

    // On the next load, record the theme at the moment <body> appears: before any paint or app script.
    await context.addInitScript(() => {
      const record = () => {
        (window as unknown as { themeAtBody?: string }).themeAtBody = document.documentElement.dataset.theme ?? 'none';
      };
      new MutationObserver((_, observer) => {
        if (document.body) {
          record();
          observer.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    await page.reload();
    await settle(page);
    expect(await page.evaluate(() => (window as unknown as { themeAtBody?: string }).themeAtBody)).toBe('dark');
    expect(await background()).toBe('rgb(21, 21, 26)');
    await page.getByRole('button', { name: 'Menu' }).click();
    expect(await page.getByRole('combobox', { name: 'Theme' }).inputValue()).toBe('dark');

    // Back to the system's (light) scheme.
    await page.getByRole('combobox', { name: 'Theme' }).selectOption('system');
    expect(await background()).toBe('rgb(251, 250, 247)');
    await page.reload();
    await settle(page);
    expect(await page.evaluate(() => document.documentElement.dataset.theme ?? null)).toBeNull();
    await context.close();
  });

  it('is in the header on a wide screen, and light overrides a dark system', async () => {
    const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 }, colorScheme: 'dark' });
    const page = await context.newPage();
    watch(page, 'wide');
    await page.goto('/');
    await settle(page);
    expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe('rgb(21, 21, 26)');
    await page.getByRole('combobox', { name: 'Theme' }).selectOption('light');
    await page.reload();
    await settle(page);
    expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe('rgb(251, 250, 247)');
    expect(await page.getByRole('combobox', { name: 'Theme' }).inputValue()).toBe('light');
    await context.close();
  });
});

describe('reading a post', () => {
  it('shows reactions as SVG icons, not emoji', async () => {
    const context = await browser.newContext({ baseURL: baseUrl });
    const page = await context.newPage();
    await page.goto(`/posts/${POST}`);
    const buttons = page.getByRole('group', { name: 'Reactions' }).getByRole('button');
    await buttons.first().waitFor();
    expect(await buttons.count()).toBe(4);
    for (const button of await buttons.all()) {
      expect(await button.locator('svg').count()).toBe(1);
      expect(await button.textContent()).not.toMatch(/\p{Extended_Pictographic}/u);
    }
    await context.close();
  });

  it('is marked read when the reader reaches its end, and not merely by opening it', async () => {
    const email = `reads-${unique()}@example.com`;
    const password = 'violet-otter-sings-97';
    await gql('mutation($i: RegisterInput!) { register(input: $i) { accessToken } }', {
      i: { email, password, displayName: 'Reader To The End' },
    });
    const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    watch(page, 'reader');
    await signIn(page, { email, password });
    await page.goto(`/posts/${POST}`);
    await page.getByTestId('post-body').waitFor();
    await page.waitForTimeout(2500);
    await page.getByRole('button', { name: 'Mark as read' }).waitFor();
    const token = await login(email, password);
    const progress = async () =>
      (await gql<{ post: { viewerProgress: { completedAt: string | null } | null } }>(
        'query($s: String!) { post(slug: $s) { viewerProgress { completedAt } } }',
        { s: POST },
        token,
      )).post.viewerProgress?.completedAt ?? null;
    expect(await progress()).toBeNull();

    await page.getByTestId('end-of-body').scrollIntoViewIfNeeded();
    await page.getByRole('button', { name: '✓ Read' }).waitFor();
    await expect.poll(progress).not.toBeNull();
    await page.reload();
    await page.getByRole('button', { name: '✓ Read' }).waitFor();
    await context.close();
  });
});

describe('covers and authors', () => {
  it('shows the cover on the feed card and in the post header, lazy on the feed, with alt text and its size reserved', async () => {
    const admin = await login(ADMIN.email, ADMIN.password);
    const cover = `${baseUrl}/favicon.svg`;
    const { post } = await gql<{ post: { id: string } }>('query($s: String!) { post(slug: $s) { id } }', { s: POST });
    await gql('mutation($id: ID!, $i: UpdatePostInput!) { updatePost(id: $id, input: $i) { id } }', { id: post.id, i: { coverImageUrl: cover } }, admin);

    const context = await browser.newContext({ baseURL: baseUrl });
    const page = await context.newPage();
    await page.goto('/');
    const card = page.locator('.post-card', { hasText: POST_TITLE });
    await page.locator('.post-card').first().waitFor();
    // The feed loads later pages as it scrolls.
    for (let i = 0; i < 10 && !(await card.count()); i++) {
      await page.mouse.wheel(0, 5000);
      await page.waitForTimeout(300);
    }
    const cardImage = card.locator('img.cover');
    await cardImage.waitFor({ state: 'attached' });
    expect(await cardImage.getAttribute('src')).toBe(cover);
    expect(await cardImage.getAttribute('alt')).toContain(POST_TITLE);
    expect(await cardImage.getAttribute('loading')).toBe('lazy');
    expect(await cardImage.getAttribute('width')).toBe('1200');
    expect(await cardImage.getAttribute('height')).toBe('630');

    await page.goto(`/posts/${POST}`);
    const header = page.locator('article.post img.post-cover');
    await header.waitFor();
    await expect.poll(() => header.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    const shape = await header.evaluate((img) => img.getBoundingClientRect().width / img.getBoundingClientRect().height);
    expect(shape).toBeCloseTo(1200 / 630, 1);
    await context.close();
  });

  it('an author name leads to the author page with their posts and series', async () => {
    const context = await browser.newContext({ baseURL: baseUrl });
    const page = await context.newPage();
    watch(page, 'visitor');
    await page.goto(`/posts/${POST}`);
    const { post } = await gql<{ post: { author: { id: string; displayName: string; bio: string }; series: { title: string } | null } }>(
      'query($s: String!) { post(slug: $s) { author { id displayName bio } series { title } } }',
      { s: POST },
    );
    await page.locator('article.post .meta').getByRole('link', { name: post.author.displayName }).click();
    await page.waitForURL(`**/authors/${post.author.id}`);
    await page.getByRole('heading', { name: post.author.displayName, level: 1 }).waitFor();
    // The demo author has a bio; it shows as written, line breaks kept.
    expect(post.author.bio).not.toBe('');
    expect(await page.locator('.author-bio').innerText()).toBe(post.author.bio);
    await page.locator('.post-card', { hasText: POST_TITLE }).first().waitFor();
    const expected = await gql<{ posts: { totalCount: number } }>('query($a: ID!) { posts(first: 1, filter: { authorId: $a }) { totalCount } }', {
      a: post.author.id,
    });
    expect(await page.locator('.post-card').count()).toBe(Math.min(10, expected.posts.totalCount));
    if (post.series) await page.locator('.author-series').getByRole('link', { name: post.series.title }).waitFor();

    await page.goto('/authors/00000000-0000-0000-0000-000000000000');
    await page.getByText('There is no such author.').waitFor();
    await context.close();
  });
});

describe('the editor', () => {
  it('makes a new tag from its name and puts the post in a series', async () => {
    const token = await login(AUTHOR.email, AUTHOR.password);
    const id = unique();
    const series = await gql<{ createSeries: { id: string; title: string } }>(
      'mutation($i: CreateSeriesInput!) { createSeries(input: $i) { id title } }',
      { i: { title: `Phone series ${id}`, description: 'For the editor test.' } },
      token,
    );
    const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    watch(page, 'writer');
    await signIn(page, AUTHOR, '/admin/new');
    await page.getByLabel('Title').fill(`Tagged ${id}`);
    await page.getByLabel('Body (markdown)').fill('Some words.');
    await page.getByLabel('Tags').fill(`rust, Fresh Tag ${id}`);
    await page.getByLabel('Series').selectOption({ label: series.createSeries.title });
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByText('Saved as a draft.').waitFor();
    const slug = new URL(page.url()).pathname.split('/').pop()!;
    const saved = await gql<{ post: { tags: { slug: string; name: string }[]; series: { id: string } | null } }>(
      'query($s: String!) { post(slug: $s) { tags { slug name } series { id } } }',
      { s: slug },
      token,
    );
    expect(saved.post.tags.map((t) => t.name).sort()).toEqual([`Fresh Tag ${id}`, 'Rust'].sort());
    expect(saved.post.series?.id).toBe(series.createSeries.id);

    // Out of the series again.
    await page.getByLabel('Series').selectOption('');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved.', { exact: true }).waitFor();
    const after = await gql<{ post: { series: { id: string } | null } }>('query($s: String!) { post(slug: $s) { series { id } } }', { s: slug }, token);
    expect(after.post.series).toBeNull();
    await context.close();
  });
});

describe('the browser console', () => {
  it('saw no uncaught page errors and no Content-Security-Policy violations', () => {
    expect(pageErrors).toEqual([]);
  });
});
