// The product in a real browser: a new reader registers, discusses a post
// with another reader (seeing the reply and its notification arrive live),
// bookmarks, works through a series, searches and asks AI; a writer drafts,
// previews and publishes. Each step checks what the server then holds where
// the page alone could mislead.

import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { accessibilityProblems, baseUrl, gql, launch, login, mailedLink, newContext, screenshot, unique, waitForJobs } from './harness';

const POST = 'ownership-and-borrowing-explained';
const POST_TITLE = 'Ownership and Borrowing, Explained';
const PASSWORD = 'violet-otter-sings-97';
const READER_PASSWORD = 'lectern-reader-demo-2026';

let browser: Browser;
let alice: BrowserContext;
let mina: BrowserContext;
let a: Page;
let m: Page;
const id = unique();
const aliceEmail = `alice-${id}@example.com`;
const pageErrors: string[] = [];

/** Every comment of a post's thread as a visitor reads it, in the thread's order. */
async function threadOf(postId: string, token?: string): Promise<{ id: string; body: string; status: string; depth: number }[]> {
  const out: { id: string; body: string; status: string; depth: number }[] = [];
  let after: string | null = null;
  for (;;) {
    const data: {
      commentThread: { nodes: { id: string; body: string; status: string; depth: number }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    } = await gql(
      'query($p: ID!, $after: String) { commentThread(postId: $p, first: 100, after: $after) { nodes { id body status depth } pageInfo { hasNextPage endCursor } } }',
      { p: postId, after },
      token,
    );
    out.push(...data.commentThread.nodes);
    if (!data.commentThread.pageInfo.hasNextPage) return out;
    after = data.commentThread.pageInfo.endCursor;
  }
}

function watchErrors(page: Page, who: string) {
  page.on('pageerror', (error) => pageErrors.push(`${who}: ${error.message}`));
  // The server's Content-Security-Policy must let the whole app run: a refused
  // script, style, image, font or connection shows up here.
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) pageErrors.push(`${who}: ${message.text()}`);
  });
}

beforeAll(async () => {
  browser = await launch();
  alice = await newContext(browser);
  mina = await newContext(browser);
  a = await alice.newPage();
  m = await mina.newPage();
  watchErrors(a, 'alice');
  watchErrors(m, 'mina');
});

afterAll(async () => {
  await browser?.close();
});

describe('a visitor', () => {
  it('scrolls the feed, which loads the next page on its own', async () => {
    const visitor = await newContext(browser);
    const v = await visitor.newPage();
    watchErrors(v, 'visitor');
    await v.goto('/');
    await v.locator('.post-card').first().waitFor();
    const total = (await gql<{ posts: { totalCount: number } }>('{ posts(first: 1) { totalCount } }')).posts.totalCount;
    expect(total).toBeGreaterThan(10);
    expect(await v.locator('.post-card').count()).toBe(10);
    await v.mouse.wheel(0, 20_000);
    await expect.poll(() => v.locator('.post-card').count(), { timeout: 15_000 }).toBe(total);
    await visitor.close();
  });

  it('sees the premium preview with the plan that unlocks it, and tag pages', async () => {
    const visitor = await newContext(browser);
    const v = await visitor.newPage();
    watchErrors(v, 'visitor');
    await v.goto('/posts/traits-and-generics-in-practice');
    await v.getByRole('heading', { name: 'Unlock this post with Premium' }).waitFor();
    expect(await v.getByTestId('post-body').count()).toBe(0);
    expect(await v.getByRole('region', { name: 'Premium preview' }).textContent()).toMatch(/Premium members/);
    await screenshot(v, 'premium-preview');

    await v.getByRole('link', { name: '#Rust' }).first().click();
    await v.getByRole('heading', { name: '#Rust' }).waitFor();
    const cards = await v.locator('.post-card h2').allTextContents();
    expect(cards).toContain('Traits and Generics in Practice');
    expect(cards).toContain(POST_TITLE);
    await visitor.close();
  });

  it('gets a clear page for a post that does not exist', async () => {
    const visitor = await newContext(browser);
    const v = await visitor.newPage();
    await v.goto('/posts/no-such-post-anywhere');
    await v.getByText('This post does not exist, or is not published yet.').waitFor();
    await visitor.close();
  });
});

describe('a reader', () => {
  it('registers, with the password rule explained next to the field', async () => {
    await a.goto('/');
    await a.getByRole('heading', { name: 'Latest posts' }).waitFor();
    await a.locator('.post-card').first().waitFor();
    await screenshot(a, 'home');

    await a.getByRole('link', { name: 'Register' }).click();
    await a.getByLabel('Name').fill('Alice Example');
    await a.getByLabel('Email').fill(aliceEmail);
    await a.getByLabel('Password').fill('password1');
    await a.getByRole('button', { name: 'Create account' }).click();
    // BAD_USER_INPUT on `password`: shown at the password field, the field marked invalid.
    const passwordError = a.locator('#field-password-error');
    await passwordError.waitFor();
    expect(await passwordError.textContent()).toMatch(/password/i);
    expect(await a.getByLabel('Password').getAttribute('aria-invalid')).toBe('true');

    await a.getByLabel('Password').fill(PASSWORD);
    await a.getByRole('button', { name: 'Create account' }).click();
    await a.getByRole('button', { name: 'Sign out' }).waitFor();
    await expect.poll(() => a.locator('.whoami').textContent()).toBe('Alice Example');
    // Registering again with the same email is a CONFLICT on `email`.
    const again = await fetch(new URL('/graphql', a.url()), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation($i: RegisterInput!) { register(input: $i) { accessToken } }',
        variables: { i: { email: aliceEmail, password: PASSWORD, displayName: 'Other' } },
      }),
    });
    expect(JSON.stringify(await again.json())).toContain('CONFLICT');
  });

  it('is asked to confirm the address before commenting, and can have the link sent again', async () => {
    const first = await mailedLink(aliceEmail, '/verify-email');
    await a.goto(`/posts/${POST}`);
    await a.getByLabel('Add a comment').fill(`Hello before confirming (${id})`);
    await a.getByRole('button', { name: 'Comment', exact: true }).click();
    const form = a.locator('form.comment-form').first();
    await form.getByRole('alert').waitFor();
    expect(await form.getByRole('alert').textContent()).toMatch(/confirm your email/i);
    await form.getByRole('button', { name: 'Send the link again' }).click();
    await form.getByText('Sent. Check your inbox.').waitFor();
    // A new link replaces the first (which no longer works).
    await expect.poll(() => mailedLink(aliceEmail, '/verify-email'), { timeout: 60_000 }).not.toBe(first);
    expect(await a.locator('li.comment', { hasText: 'Hello before confirming' }).count()).toBe(0);
    await a.goto('/');
  });

  it('confirms the email address from the link in the mail', async () => {
    await a.getByText('Please confirm your email address').waitFor();
    // The mail is a job, and the seed's search indexing is still queued: urgent mail goes first.
    await a.goto(await mailedLink(aliceEmail, '/verify-email'));
    await a.getByText('Your email address is confirmed.').waitFor();
    // A new page load: still signed in, through the session cookie.
    await a.getByRole('button', { name: 'Sign out' }).waitFor();
    await a.goto('/');
    await a.locator('.post-card').first().waitFor();
    expect(await a.getByText('Please confirm your email address').count()).toBe(0);
  });

  it('signs in with a wrong password first, and is told so', async () => {
    await m.goto('/sign-in');
    await m.getByLabel('Email').fill('mina@lectern.dev');
    await m.getByLabel('Password').fill('not-the-password-at-all');
    await m.getByRole('button', { name: 'Sign in' }).click();
    await m.getByRole('alert').waitFor();
    expect(await m.getByRole('alert').textContent()).toMatch(/email or password|password/i);
    await m.getByLabel('Password').fill(READER_PASSWORD);
    await m.getByRole('button', { name: 'Sign in' }).click();
    await m.getByRole('button', { name: 'Sign out' }).waitFor();
  });

  it('comments, gets a reply live, and the notification arrives live in the bell', async () => {
    await a.goto(`/posts/${POST}`);
    await m.goto(`/posts/${POST}`);
    await a.getByRole('heading', { name: POST_TITLE, level: 1 }).waitFor();
    await m.getByRole('heading', { name: 'Discussion' }).waitFor();
    await a.getByTestId('post-body').waitFor();
    expect(await a.getByTestId('unread-count').count()).toBe(0);

    const question = `Does moving a Vec copy its heap buffer? (${id})`;
    await a.getByLabel('Add a comment').fill(question);
    await a.getByRole('button', { name: 'Comment', exact: true }).click();
    await a.locator('[data-testid=comment] > .text', { hasText: question }).waitFor();
    // Her first comment earns the "First words" badge: a toast, and a notification in the bell.
    const badge = a.getByTestId('toast').filter({ hasText: 'First words' });
    await badge.waitFor();
    await badge.getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(() => a.getByTestId('unread-count').textContent()).toBe('1');

    // Mina's open page receives the new comment over the websocket, without a reload.
    const aliceComment = m.locator('li.comment', { hasText: question });
    await aliceComment.waitFor();
    await aliceComment.getByRole('button', { name: 'Reply' }).first().click();
    const reply = `No: the Vec's pointer, length and capacity move; the buffer stays put. (${id})`;
    await m.getByLabel('Reply to Alice Example').fill(reply);
    await m.getByRole('button', { name: 'Reply', exact: true }).last().click();
    await m.locator('[data-testid=comment] > .text', { hasText: reply }).waitFor();
    // The live event may show the reply before the mutation answers; the form
    // (whose text is inside Alice's comment) closes with that answer.
    await m.getByLabel('Reply to Alice Example').waitFor({ state: 'detached' });

    // Alice sees the reply right under her comment, one step deeper, and the bell count, both live.
    const nested = a.locator('li.comment', { hasText: question }).locator('+ li.comment[data-depth="1"]', { hasText: reply });
    await nested.waitFor();
    // Once on Mina's page too: her mutation's answer and the live event are one comment.
    expect(await m.locator('li.comment', { hasText: reply }).count()).toBe(1);
    await expect.poll(() => a.getByTestId('unread-count').textContent()).toBe('2');
    await screenshot(a, 'post-with-thread');

    await a.getByRole('button', { name: /Notifications, 2 unread/ }).click();
    const item = a.locator('.bell-menu .notification-item').first();
    expect(await item.textContent()).toMatch(/repl/i);
    await a.locator('.bell-menu .notification-item', { hasText: 'You earned the badge “First words”' }).waitFor();
    await screenshot(a, 'notifications');
    await item.click();
    await a.waitForURL(/#comment-/);
    await a.locator('li.comment.targeted').waitFor();
    expect(await a.locator('li.comment.targeted [data-testid=comment]').first().textContent()).toContain(reply);
    // The reply is read now; the badge's notification is not.
    await a.getByRole('button', { name: 'Notifications, 1 unread' }).waitFor();
    expect(await a.getByTestId('unread-count').textContent()).toBe('1');
  });

  it('writes a comment in markdown and reads it formatted, scripts shown as text', async () => {
    const text = `Try \`Rc<T>\` **here** <script>window.hacked = 1</script> (${id})`;
    await a.getByLabel('Add a comment').fill(text);
    await a.getByRole('button', { name: 'Comment', exact: true }).click();
    const mine = a.locator('li.comment', { hasText: `(${id})` }).filter({ hasText: 'here' });
    await mine.waitFor();
    expect(await mine.locator('.text code').first().textContent()).toBe('Rc<T>');
    expect(await mine.locator('.text strong').first().textContent()).toBe('here');
    expect(await mine.locator('.text').textContent()).toContain('<script>');
    expect(await a.evaluate(() => (window as unknown as { hacked?: number }).hacked)).toBeUndefined();
    // Highlighted code in the post itself: the server marked the tokens, the stylesheet colours them.
    const keyword = a.locator('[data-testid=post-body] pre code.language-rust span.hl-keyword').first();
    await keyword.waitFor();
    const colour = await keyword.evaluate((el) => getComputedStyle(el).color);
    const plain = await a.locator('[data-testid=post-body] pre code.language-rust').first().evaluate((el) => getComputedStyle(el).color);
    expect(colour).not.toBe(plain);
  });

  it('edits and deletes a comment of their own', async () => {
    const text = `A second thought (${id})`;
    await a.getByLabel('Add a comment').fill(text);
    await a.getByRole('button', { name: 'Comment', exact: true }).click();
    const mine = a.locator('li.comment', { hasText: text });
    await mine.waitFor();
    await mine.getByRole('button', { name: 'Edit' }).click();
    await a.getByLabel('Edit your comment').fill(`${text}, edited`);
    await a.getByRole('button', { name: 'Save' }).click();
    await a.locator('[data-testid=comment]', { hasText: `${text}, edited` }).getByText('edited', { exact: true }).waitFor();
    a.once('dialog', (dialog) => void dialog.accept());
    await a.locator('li.comment', { hasText: `${text}, edited` }).getByRole('button', { name: 'Delete' }).click();
    await a.locator('li.comment', { hasText: `${text}, edited` }).waitFor({ state: 'detached' });
    const server = await threadOf((await gql<{ post: { id: string } }>('query($s: String!) { post(slug: $s) { id } }', { s: POST })).post.id);
    expect(server.some((c) => c.body.includes(text))).toBe(false);
  });

  it('bookmarks the post and finds it in bookmarks', async () => {
    await a.goto(`/posts/${POST}`);
    await a.getByRole('button', { name: '☆ Bookmark' }).click();
    await a.getByRole('button', { name: '★ Bookmarked' }).waitFor();
    await a.getByRole('link', { name: 'Bookmarks' }).click();
    await a.getByRole('heading', { name: 'Bookmarks' }).waitFor();
    await a.locator('.post-card', { hasText: POST_TITLE }).waitFor();
    await screenshot(a, 'bookmarks');
  });

  it('marks posts read and sees the series progress move', async () => {
    await a.goto('/series/rust-from-zero');
    const progress = a.getByTestId('series-progress');
    await progress.waitFor();
    // Part 2 is the post of the discussion above: it is read already when its end stayed in
    // view for a moment while Alice was in the thread (reaching the end marks a post read).
    const { post } = await gql<{ post: { viewerProgress: { completedAt: string | null } | null } }>(
      'query($s: String!) { post(slug: $s) { viewerProgress { completedAt } } }',
      { s: POST },
      await login(aliceEmail, PASSWORD),
    );
    const part2 = post.viewerProgress?.completedAt ? 1 : 0;
    expect(await progress.textContent()).toBe(`${part2} of 4 read`);

    await a.locator('.series-posts a').first().click();
    await a.getByRole('button', { name: 'Mark as read' }).click();
    await a.getByRole('button', { name: '✓ Read' }).waitFor();
    await a.locator('.eyebrow a', { hasText: 'Rust from Zero' }).click();
    await progress.waitFor();
    await expect.poll(() => progress.textContent()).toBe(`${part2 + 1} of 4 read`);

    await a.locator('.series-posts').getByRole('link', { name: POST_TITLE }).click();
    // Part 2 links back to part 1 and on to part 3.
    const seriesNav = a.getByRole('navigation', { name: 'Series navigation' });
    expect(await seriesNav.locator('a[rel=prev]').getAttribute('href')).toBe('/posts/installing-rust-and-your-first-program');
    expect(await seriesNav.locator('a[rel=next]').getAttribute('href')).toBe('/posts/error-handling-with-result');
    if (!part2) await a.getByRole('button', { name: 'Mark as read' }).click();
    await a.getByRole('button', { name: '✓ Read' }).waitFor();
    await a.goBack();
    await expect.poll(() => progress.textContent()).toBe('2 of 4 read');
    expect(await a.getByRole('progressbar', { name: 'Series progress' }).getAttribute('aria-valuenow')).toBe('50');
    await screenshot(a, 'series');
  });
});

describe('search and ask AI', () => {
  beforeAll(async () => {
    // Search and ask AI read the passages the index jobs embed after seeding.
    await waitForJobs();
  });

  it('searches with highlighted snippets and switches modes', async () => {
    await a.goto('/');
    await a.getByLabel('Search posts').fill('borrowing');
    await a.getByLabel('Search posts').press('Enter');
    await a.waitForURL(/\/search\?q=borrowing/);
    const results = a.getByRole('list', { name: 'Results' });
    await results.waitFor();
    const marks = await results.locator('mark').allTextContents();
    expect(marks.length).toBeGreaterThan(0);
    expect(marks.every((t) => /borrow/i.test(t))).toBe(true);
    expect(await results.locator('h2').first().textContent()).toBe(POST_TITLE);
    await screenshot(a, 'search');

    // Words no post has: nothing by keywords, and the empty state says what to try.
    await a.getByLabel('Search query').fill('zyxwvut qwertyuiop');
    await a.getByText('Exact words', { exact: true }).click();
    await a.getByRole('button', { name: 'Search', exact: true }).click();
    await a.waitForURL(/q=zyxwvut.*mode=KEYWORD|mode=KEYWORD.*q=zyxwvut/);
    await a.getByText(/Nothing matches/).waitFor();
    // No other mode finds anything either (nonsense is below the relevance floor), so none is offered.
    expect(await a.getByRole('button', { name: 'Try it' }).count()).toBe(0);

    // A paraphrase that shares no content word with the post, found by meaning.
    await a.getByLabel('Search query').fill('who cleans up a value when nobody holds it any more');
    await a.getByText('Meaning', { exact: true }).click();
    await a.getByRole('button', { name: 'Search', exact: true }).click();
    await a.waitForURL(/mode=SEMANTIC/);
    await a.waitForURL(/q=who/);
    await results.locator('h2').first().waitFor();
    expect(await results.locator('h2').allTextContents()).toContain(POST_TITLE);
  });

  it('asks AI and watches the answer stream in, with clickable citations', async () => {
    await a.goto('/');
    await a.locator('.post-card').first().waitFor();
    await a.getByRole('button', { name: 'Ask AI' }).click();
    const panel = a.getByRole('dialog', { name: 'Ask AI' });
    await panel.waitFor();
    // Record the answer's length at every DOM change, to see it grow in steps.
    await a.evaluate(() => {
      const lengths: number[] = [];
      (window as unknown as { __lengths: number[] }).__lengths = lengths;
      new MutationObserver(() => {
        const text = document.querySelector('[data-testid=answer]')?.textContent ?? '';
        if (lengths[lengths.length - 1] !== text.length) lengths.push(text.length);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await panel.getByLabel('Your question').fill('How does Rust free memory without a garbage collector?');
    await panel.getByRole('button', { name: 'Ask', exact: true }).click();
    const answer = panel.getByTestId('answer');
    await panel.locator('.caret').waitFor();
    await screenshot(a, 'ask-ai-streaming');
    await panel.locator('.caret').waitFor({ state: 'detached' });
    await panel.getByRole('button', { name: 'Stop' }).waitFor({ state: 'detached' });

    const lengths = await a.evaluate(() => (window as unknown as { __lengths: number[] }).__lengths);
    const grew = lengths.filter((n) => n > 0);
    expect(grew.length, `answer lengths seen: ${lengths.join(',')}`).toBeGreaterThanOrEqual(5);
    expect([...grew].sort((x, y) => x - y)).toEqual(grew);
    expect(await answer.textContent()).toMatch(/covers this/);

    const citations = panel.locator('a.citation');
    expect(await citations.count()).toBeGreaterThan(0);
    const first = citations.first();
    const label = await first.getAttribute('aria-label');
    expect(label).toMatch(/^Source 1: /);
    await first.click();
    const source = panel.locator('#source-1');
    expect(await source.getAttribute('class')).toContain('highlight');
    const title = label!.replace(/^Source 1: /, '');
    expect(await source.getByRole('link').textContent()).toBe(title);
    await screenshot(a, 'ask-ai');
    await source.getByRole('link').click();
    await a.getByRole('heading', { name: title, level: 1 }).waitFor();
  });
});

/** The refresh cookie the browser holds for a context, if any. */
async function refreshCookie(context: BrowserContext) {
  return (await context.cookies()).find((cookie) => cookie.name === 'lectern_refresh');
}

describe('a session', () => {
  it('keeps no token where a script could read it, and survives a reload', async () => {
    await a.goto('/');
    await a.getByRole('button', { name: 'Sign out' }).waitFor();
    const cookie = await refreshCookie(alice);
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/auth/session' });
    const readable = await a.evaluate(() => ({
      cookie: document.cookie,
      local: Object.entries(localStorage),
      session: Object.entries(sessionStorage),
      html: document.documentElement.outerHTML,
    }));
    expect(readable.cookie).not.toContain('lectern_refresh');
    expect(readable.html).not.toContain(cookie!.value);
    // Only the flag that a session may exist; no access token (a JWT starts "eyJ"), no refresh token.
    expect(readable.local).toEqual([['lectern.session', '1']]);
    expect(readable.session).toEqual([]);

    await a.reload();
    await a.getByRole('button', { name: 'Sign out' }).waitFor();
    await expect.poll(() => a.locator('.whoami').textContent()).toBe('Alice Example');
    expect((await refreshCookie(alice))!.value).not.toBe(cookie!.value); // the reload spent one rotation
  });

  it('survives a rejected access token: refreshed (the cookie rotated) and retried once, transparently', async () => {
    await a.goto('/');
    await a.getByRole('button', { name: 'Sign out' }).waitFor();
    await a.locator('.post-card').first().waitFor();
    const before = (await refreshCookie(alice))!.value;
    const graphqlStatuses: number[] = [];
    const refreshStatuses: number[] = [];
    const record = (response: Response) => {
      const path = new URL(response.url()).pathname;
      if (path === '/graphql') graphqlStatuses.push(response.status());
      if (path === '/auth/session/refresh') refreshStatuses.push(response.status());
    };
    a.on('response', record);
    // The next request carrying the access token goes with a broken signature, as if the
    // server no longer accepted the token the client thinks is fresh.
    let broken = false;
    await a.route(
      (url) => url.pathname === '/graphql',
      async (route) => {
        const headers = route.request().headers();
        if (!broken && headers.authorization) {
          broken = true;
          await route.continue({ headers: { ...headers, authorization: `${headers.authorization.slice(0, -4)}AAAA` } });
        } else {
          await route.continue();
        }
      },
    );
    await a.getByRole('link', { name: 'Bookmarks' }).click();
    await a.locator('.post-card', { hasText: POST_TITLE }).waitFor();
    a.off('response', record);
    await a.unrouteAll();
    expect(broken).toBe(true);
    expect(await a.getByRole('button', { name: 'Sign out' }).count()).toBe(1);
    expect(graphqlStatuses).toContain(401);
    expect(graphqlStatuses.filter((s) => s === 200).length).toBeGreaterThan(0);
    expect(refreshStatuses).toEqual([200]);
    expect((await refreshCookie(alice))!.value).not.toBe(before);
  });

  it('is shared by the tabs, which never spend the cookie twice, and a sign-out in one ends it in all', async () => {
    const context = await newContext(browser);
    const one = await context.newPage();
    const two = await context.newPage();
    watchErrors(one, 'tab one');
    watchErrors(two, 'tab two');
    await one.goto('/sign-in');
    await one.getByLabel('Email').fill('mina@lectern.dev');
    await one.getByLabel('Password').fill(READER_PASSWORD);
    await one.getByRole('button', { name: 'Sign in' }).click();
    await one.getByRole('button', { name: 'Sign out' }).waitFor();
    await two.goto('/');
    await two.getByRole('button', { name: 'Sign out' }).waitFor();

    // Both tabs load at once: their start-up refreshes take turns under the Web Lock,
    // so the single-use cookie is never presented twice (which would end the session).
    await Promise.all([one.reload(), two.reload()]);
    await one.getByRole('button', { name: 'Sign out' }).waitFor();
    await two.getByRole('button', { name: 'Sign out' }).waitFor();
    await one.reload();
    await one.getByRole('button', { name: 'Sign out' }).waitFor();
    const spent = (await refreshCookie(context))!.value;

    await one.getByRole('button', { name: 'Sign out' }).click();
    await one.getByRole('link', { name: 'Sign in' }).waitFor();
    await two.getByRole('link', { name: 'Sign in' }).waitFor(); // told by the other tab, no reload
    await expect.poll(() => refreshCookie(context)).toBeUndefined();
    await two.reload();
    await two.getByRole('link', { name: 'Sign in' }).waitFor();
    expect(await two.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    expect(await two.evaluate(() => Object.entries(localStorage))).toEqual([]);

    // The session is over on the server too: the last cookie value no longer refreshes.
    const replay = await fetch(`${baseUrl}/auth/session/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-lectern-csrf': '1', cookie: `lectern_refresh=${spent}` },
      body: '{}',
    });
    expect(replay.status).toBe(401);
    await context.close();
  });
});

describe('a writer', () => {
  it('drafts with a live markdown preview, schedules, and publishes', async () => {
    const writer = await newContext(browser);
    const w = await writer.newPage();
    watchErrors(w, 'writer');
    await w.goto('/sign-in?next=/admin');
    await w.getByLabel('Email').fill('author@lectern.dev');
    await w.getByLabel('Password').fill('lectern-author-demo-2026');
    await w.getByRole('button', { name: 'Sign in' }).click();
    await w.getByRole('heading', { name: 'Your posts' }).waitFor();
    await w.getByRole('link', { name: 'New post' }).click();

    // Saving with no title is refused at the title field.
    await w.getByLabel('Body (markdown)').fill('## Why\n\nBecause **tests** matter.\n\n<script>alert(1)</script>');
    await w.getByRole('button', { name: 'Save draft' }).click();
    await w.locator('#field-title-error').waitFor();

    const title = `Testing in the Browser ${id}`;
    await w.getByLabel('Title').fill(title);
    const preview = w.getByTestId('preview');
    await preview.locator('h2', { hasText: 'Why' }).waitFor();
    expect(await preview.locator('strong').textContent()).toBe('tests');
    expect(await preview.locator('script').count()).toBe(0);
    await screenshot(w, 'editor');

    await w.getByRole('button', { name: 'Save draft' }).click();
    await w.getByText('Saved as a draft.').waitFor();
    expect(await w.getByTestId('post-status').textContent()).toBe('draft');

    const at = new Date(Date.now() + 3 * 86_400_000);
    const local = new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await w.getByLabel('Publish at').fill(local);
    await w.getByRole('button', { name: 'Schedule' }).click();
    await w.getByText('Scheduled.').waitFor();
    expect(await w.getByTestId('post-status').textContent()).toBe('scheduled');

    await w.getByRole('button', { name: 'Publish now' }).click();
    await w.getByText('Published.').waitFor();
    expect(await w.getByTestId('post-status').textContent()).toBe('published');

    const slug = new URL(w.url()).pathname.split('/').pop()!;
    const token = await login('author@lectern.dev', 'lectern-author-demo-2026');
    const stored = await gql<{ post: { status: string; title: string; bodyHtml: string } }>(
      'query($s: String!) { post(slug: $s) { status title bodyHtml } }',
      { s: slug },
      token,
    );
    expect(stored.post).toMatchObject({ status: 'PUBLISHED', title });
    expect(stored.post.bodyHtml).not.toContain('<script');

    await w.goto('/');
    await w.locator('.post-card', { hasText: title }).waitFor();
    await writer.close();
  });
});

describe('accessibility', () => {
  it('has no serious WCAG 2.1 A/AA problems on the main pages, light or dark, wide or narrow', async () => {
    const problems: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({ baseURL: a.url(), colorScheme: scheme, viewport: { width: 390, height: 844 } });
      const page = await context.newPage();
      for (const path of ['/', `/posts/${POST}`, '/series/rust-from-zero', '/search?q=index', '/sign-in', '/register', '/leaderboard', '/leaderboard?period=all', `/authors/${await authorId()}`]) {
        await page.goto(new URL(path, a.url()).toString());
        await page.locator('main h1').first().waitFor();
        await page.locator('.loading').first().waitFor({ state: 'detached' }).catch(() => undefined);
        if (scheme === 'light' && path === `/posts/${POST}`) await screenshot(page, 'mobile-post');
        for (const problem of await accessibilityProblems(page)) problems.push(`${scheme} ${path}: ${problem}`);
      }
      await context.close();
    }
    // The signed-in pages, on the reader's own session.
    for (const path of ['/bookmarks', '/notifications', `/posts/${POST}`, '/profile', '/leaderboard', '/settings']) {
      await a.goto(path);
      await a.locator('main h1').first().waitFor();
      for (const problem of await accessibilityProblems(a)) problems.push(`signed in ${path}: ${problem}`);
    }
    expect(problems).toEqual([]);
  });
});

describe('settings', () => {
  it('renames, picks a digest, and refuses a wrong current password at its field', async () => {
    await a.goto('/');
    await a.locator('a.whoami').click();
    await a.getByRole('heading', { name: 'Settings' }).waitFor();

    await a.getByLabel('Name').fill('');
    await a.getByRole('button', { name: 'Save profile' }).click();
    await a.locator('#field-displayName-error').waitFor();
    await a.getByLabel('Name').fill('Alice E.');
    await a.getByLabel('Bio').fill('Reads about Rust on the train.');
    await a.getByRole('button', { name: 'Save profile' }).click();
    await a.getByText('Saved.').waitFor();
    const { me } = await gql<{ me: { bio: string } }>('{ me { bio } }', {}, await login(aliceEmail, PASSWORD));
    expect(me.bio).toBe('Reads about Rust on the train.');
    await expect.poll(() => a.locator('a.whoami').textContent()).toBe('Alice E.');

    // The choice shows at once; reload only once the server has saved it, or
    // the reload would cancel the save it is meant to check. (The first try of
    // an operation the server has not seen yet is its hash alone, answered
    // PERSISTED_QUERY_NOT_FOUND; the client then sends the text.)
    const saved = a.waitForResponse(
      (r) => r.url().includes('/graphql') && r.ok() && (r.request().postData() ?? '').includes('SetDigestFrequency'),
    );
    await a.getByLabel('Weekly').check();
    expect(await (await saved).text()).toContain('"digestFrequency":"WEEKLY"');
    await expect.poll(() => a.getByLabel('Weekly').isChecked()).toBe(true);
    await a.reload();
    await a.getByRole('heading', { name: 'Settings' }).waitFor();
    await expect.poll(() => a.getByLabel('Weekly').isChecked()).toBe(true);

    await a.getByLabel('Current password').fill('not-my-password-at-all');
    await a.getByLabel('New password').fill('lantern-orchard-quietly-31');
    await a.getByRole('button', { name: 'Change password' }).click();
    await a.locator('#field-current-error').waitFor();
    await screenshot(a, 'settings');
  });
});

describe('an admin', () => {
  it('hides a comment from readers and shows it again', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    watchErrors(page, 'admin');
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill('admin@lectern.dev');
    await page.getByLabel('Password').fill('lectern-admin-demo-2026');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.goto(`/posts/${POST}`);
    const question = `Does moving a Vec copy its heap buffer? (${id})`;
    const comment = page.locator('li.comment', { hasText: question }).first();
    await comment.getByRole('button', { name: 'Hide' }).first().click();
    await comment.getByText('Hidden from readers').first().waitFor();

    const postId = (await gql<{ post: { id: string } }>('query($s: String!) { post(slug: $s) { id } }', { s: POST })).post.id;
    const bodies = () => threadOf(postId);
    expect((await bodies()).some((c) => c.body.includes(question))).toBe(false);
    expect((await bodies()).some((c) => c.status === 'HIDDEN' && c.body === '[hidden by a moderator]')).toBe(true);

    await comment.getByRole('button', { name: 'Show again' }).first().click();
    await comment.getByRole('button', { name: 'Hide' }).first().waitFor();
    expect((await bodies()).some((c) => c.body.includes(question))).toBe(true);
    await context.close();
  });
});

describe('a long, deep discussion', () => {
  const slug = 'writing-a-good-bug-report';
  const chain: string[] = [];
  const roots: string[] = [];
  let total = 0;
  let order: string[] = [];

  beforeAll(async () => {
    // Seeded through the API: a chain of replies twelve deep, then sixty comments on the post.
    const token = await login('author@lectern.dev', 'lectern-author-demo-2026');
    const postId = (await gql<{ post: { id: string } }>('query($s: String!) { post(slug: $s) { id } }', { s: slug })).post.id;
    const add = async (body: string, parentId: string | null) =>
      (
        await gql<{ addComment: { id: string } }>(
          'mutation($p: ID!, $parent: ID, $b: String!) { addComment(postId: $p, parentId: $parent, body: $b) { id } }',
          { p: postId, parent: parentId, b: body },
          token,
        )
      ).addComment.id;
    for (let depth = 0; depth < 12; depth += 1) chain.push(await add(`Chain at depth ${depth} (${id})`, chain.at(-1) ?? null));
    for (let n = 0; n < 60; n += 1) roots.push(await add(`Root number ${n} (${id})`, null));
    order = (await threadOf(postId)).map((c) => c.id);
    total = order.length;
    expect(total).toBeGreaterThan(50);
    expect(total).toBeLessThanOrEqual(150);
  });

  it('shows a page, then the next with the button, and fits a 390 px phone without sideways scrolling', async () => {
    const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 390, height: 844 } });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    watchErrors(page, 'phone');
    await page.goto(`/posts/${slug}`);
    const deepest = page.locator(`#comment-${chain.at(-1)}`);
    await deepest.waitFor();
    expect(await deepest.getAttribute('data-depth')).toBe('11');
    // Deeper than six steps, a reply says whom it answers instead of indenting further.
    expect(await deepest.locator('.replying-to').textContent()).toBe(`replying to ${await authorName()}`);
    const indentOf = (id: string) => page.locator(`#comment-${id}`).evaluate((li) => li.getBoundingClientRect().left);
    expect(await indentOf(chain[6]!)).toBe(await indentOf(chain[11]!));
    expect(await indentOf(chain[1]!)).toBeGreaterThan(await indentOf(chain[0]!));
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);

    expect(await page.locator('li.comment').count()).toBe(50);
    expect(await page.locator(`#comment-${roots.at(-1)}`).count()).toBe(0);
    const more = page.getByRole('button', { name: 'Show more comments' });
    await more.click();
    await page.locator(`#comment-${roots.at(-1)}`).waitFor();
    // Keyboard focus moves to the first comment the button brought.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe(`comment-${order[50]}`);
    await page.getByRole('status').filter({ hasText: 'more comment' }).waitFor({ state: 'attached' });
    expect(await page.locator('li.comment').count()).toBe(Math.min(total, 100));
    if (total <= 100) expect(await more.count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    expect(await accessibilityProblems(page)).toEqual([]);
    await deepest.scrollIntoViewIfNeeded();
    await screenshot(page, 'mobile-deep-thread', false);
    await context.close();
  });

  it('a link to a comment on a later page loads pages until it is there, and highlights it', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    watchErrors(page, 'link');
    await page.goto(`/posts/${slug}#comment-${roots.at(-1)}`);
    const targeted = page.locator('li.comment.targeted');
    await targeted.waitFor();
    expect(await targeted.getAttribute('id')).toBe(`comment-${roots.at(-1)}`);
    expect(await targeted.textContent()).toContain(`Root number 59 (${id})`);
    await expect.poll(() => targeted.evaluate((li) => {
      const box = li.getBoundingClientRect();
      return box.top >= 0 && box.bottom <= window.innerHeight;
    })).toBe(true);
    await context.close();
  });
});

async function authorId(): Promise<string> {
  return (await gql<{ post: { author: { id: string } } }>('query($s: String!) { post(slug: $s) { author { id } } }', { s: POST })).post.author.id;
}

async function authorName(): Promise<string> {
  const token = await login('author@lectern.dev', 'lectern-author-demo-2026');
  return (await gql<{ me: { displayName: string } }>('{ me { displayName } }', {}, token)).me.displayName;
}

// Last: a reset ends every session of the reader's, the one the tests above use.
describe('a forgotten password', () => {
  it('is reset from the link in the mail, and the new one signs in', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    watchErrors(page, 'reset');
    await page.goto('/sign-in');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Email').fill(aliceEmail);
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page.getByText(/we sent it a link/).waitFor();

    const link = await mailedLink(aliceEmail, '/reset-password');
    await page.goto(link);
    await page.getByLabel('New password').fill('password2');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.locator('#field-newPassword-error').waitFor();

    const newPassword = 'quiet-harbour-lanterns-58';
    await page.getByLabel('New password').fill(newPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password is changed.').waitFor();
    // The link works once.
    await page.goto(link);
    await page.getByLabel('New password').fill('another-quiet-harbour-77');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText(/invalid or has expired/).waitFor();

    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(aliceEmail);
    await page.getByLabel('Password').fill(newPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await context.close();
  });
});

describe('the browser console', () => {
  it('saw no uncaught page errors and no Content-Security-Policy violations', () => {
    expect(pageErrors).toEqual([]);
  });
});
