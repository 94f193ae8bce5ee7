// Learning in the browser (issue 17): an author writes review prompts; a
// reader adds a post and a series to review and works through the queue with
// the keys (Space to reveal, 1–4 to grade) until it is empty; takes a note
// quoting a passage of a post, edits it, deletes another, searches the notes
// and downloads them as markdown; finishes a series (the reading runs on
// Playwright's clock, moved forward by a plausible reading time), gets the
// certificate the job issues, copies its public link and downloads its PDF,
// and a visitor checks it: valid, and an altered code does not verify. The
// dashboard draws its charts (ECharts, loaded with that page only), and the
// new pages fit a 375 px phone and pass axe.
//
// The reader is the seeded Linus (reader@lectern.dev), whom no other spec
// uses; this spec registers no account. Sign-ins are limited per account, so
// each person signs in as few times as possible.

import { readFileSync } from 'node:fs';

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { PHONE, accessibilityProblems, baseUrl, expectFitsPhone, gql, launch, login, newContext, phoneContext, screenshot, settle, signIn } from './harness';

const LINUS = { email: 'reader@lectern.dev', password: 'lectern-reader-demo-2026', name: 'Linus Reader' };
const GRACE = { email: 'author@lectern.dev', password: 'lectern-author-demo-2026' };
const ADMIN = { email: 'admin@lectern.dev', password: 'lectern-admin-demo-2026' };
/** Grace's post that gets review prompts, and the series Linus adds to review. */
const PROMPTED = { slug: 'writing-a-good-bug-report', title: 'Writing a Good Bug Report' };
const RUST_SERIES = 'rust-from-zero';
/** The post Linus takes notes on. */
const NOTED = 'the-n-plus-one-problem-and-dataloaders';
/** The series Linus finishes: he read its first post in the demo data; the third is premium. */
const SERIES = { slug: 'databases-in-practice', title: 'Databases in Practice', unread: ['transactions-and-isolation-levels', 'keyset-pagination'] };

let browser: Browser;
/** Linus on a desktop, on the real clock (the review queue's times are the server's). */
let linus: BrowserContext;
let l: Page;
let linusToken: string;
let linusId: string;
const pageErrors: string[] = [];

function watch(page: Page, who: string) {
  page.on('pageerror', (error) => pageErrors.push(`${who}: ${error.message}`));
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) pageErrors.push(`${who}: ${message.text()}`);
  });
}

const api = <T>(query: string, variables: Record<string, unknown> = {}) => gql<T>(query, variables, linusToken);

beforeAll(async () => {
  browser = await launch();
  linus = await newContext(browser);
  l = await linus.newPage();
  watch(l, 'linus');
  linusToken = await login(LINUS.email, LINUS.password);
  linusId = (await api<{ me: { id: string } }>('{ me { id } }')).me.id;
  const fresh = await api<{ reviewCards: { totalCount: number }; studyNotes: { totalCount: number }; myCertificates: { totalCount: number } }>(
    '{ reviewCards(first: 1) { totalCount } studyNotes(first: 1) { totalCount } myCertificates(first: 1) { totalCount } }',
  );
  expect(fresh).toEqual({ reviewCards: { totalCount: 0 }, studyNotes: { totalCount: 0 }, myCertificates: { totalCount: 0 } });
});

afterAll(async () => {
  await browser?.close();
});

describe('review prompts', () => {
  it("an author writes a post's prompts in the editor; a prompt too long is refused at the field", async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    watch(page, 'grace');
    await signIn(page, GRACE, '/admin');
    await page.goto(`/admin/edit/${PROMPTED.slug}`);
    const field = page.getByLabel('Prompts, one a line');
    await field.waitFor();
    expect(await field.inputValue()).toBe('');
    await field.fill(`What belongs in a bug report?\n\n${'x'.repeat(301)}`);
    await page.getByRole('button', { name: 'Save prompts' }).click();
    await page.locator('#field-prompts-error').waitFor();
    expect(await page.locator('#field-prompts-error').textContent()).toMatch(/300/);
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    await field.fill('What belongs in a bug report?\n  How do you make a bug reproducible?  \n');
    await page.getByRole('button', { name: 'Save prompts' }).click();
    await page.getByText('2 saved.').waitFor();
    expect(await field.inputValue()).toBe('What belongs in a bug report?\nHow do you make a bug reproducible?');
    expect(await page.locator('#field-prompts-error').count()).toBe(0);
    await context.close();
  });
});

describe('a review session', () => {
  it('adds a post and a series to review from their pages', async () => {
    await signIn(l, LINUS, '/');
    await l.goto(`/posts/${PROMPTED.slug}`);
    await l.getByTestId('post-body').waitFor();
    await l.getByRole('button', { name: 'Add to review' }).click();
    await l.getByTestId('in-review').waitFor();
    expect(await l.getByTestId('in-review').textContent()).toContain('due now');
    // The nav counts the card, without a reload.
    await expect.poll(() => l.getByTestId('nav-due').textContent()).toMatch(/^1/);
    // Taken out and added again, as a reader may.
    await l.getByRole('button', { name: 'Remove from review' }).click();
    await l.getByRole('button', { name: 'Add to review' }).waitFor();
    await l.getByRole('button', { name: 'Add to review' }).click();
    await l.getByTestId('in-review').waitFor();

    // A series: every post of it Linus may read (not the premium one).
    await l.goto(`/series/${RUST_SERIES}`);
    const review = l.getByTestId('series-review');
    await review.waitFor();
    expect(await review.textContent()).toContain('None of its posts is in your review yet.');
    await review.getByRole('button', { name: 'Add the series to review' }).click();
    await expect.poll(() => review.textContent()).toContain('3 of 3 posts in your review.');
    expect(await l.getByText('in your review').count()).toBeGreaterThanOrEqual(3);
    await expect.poll(() => l.getByTestId('nav-due').textContent()).toMatch(/^4/);

    const cards = await api<{ reviewCards: { totalCount: number } }>('{ reviewCards(first: 10) { totalCount } }');
    expect(cards.reviewCards.totalCount).toBe(4);
  });

  it('shows one card at a time; Space reveals, 1–4 grade, progress moves, and the queue empties', async () => {
    // The header's learning link leads to the dashboard, whose tabs lead to the review.
    expect(await l.getByTestId('nav-learning').getAttribute('title')).toBe('Learning: 4 cards due for review');
    await l.getByTestId('nav-learning').click();
    await l.getByRole('heading', { name: 'Your learning', level: 1 }).waitFor();
    expect(await l.getByTestId('subnav-due').textContent()).toBe('4 due');
    await l.getByRole('navigation', { name: 'Learning' }).getByRole('link', { name: /^Review/ }).click();
    await l.waitForURL('**/review');
    const progress = l.getByTestId('review-progress');
    await progress.waitFor();
    expect(await progress.textContent()).toBe('Card 1 of 4');
    const bar = l.getByRole('progressbar', { name: 'Review progress' });
    expect(await bar.getAttribute('aria-valuenow')).toBe('0');

    // The first card is the post with prompts (added first): its questions show before the answer.
    const card = l.getByTestId('review-card');
    expect(await card.getByRole('heading', { level: 2 }).textContent()).toBe(PROMPTED.title);
    expect(await l.getByTestId('review-prompts').locator('li').allTextContents()).toEqual([
      'What belongs in a bug report?',
      'How do you make a bug reproducible?',
    ]);
    expect(await l.getByTestId('review-answer').count()).toBe(0);
    expect(await l.getByRole('group', { name: 'How well did you recall it?' }).count()).toBe(0);
    // Grading keys do nothing before the answer shows.
    await l.keyboard.press('4');
    expect(await progress.textContent()).toBe('Card 1 of 4');

    await l.keyboard.press('Space');
    await l.getByTestId('review-answer').waitFor();
    const grades = l.getByRole('group', { name: 'How well did you recall it?' });
    expect(await grades.getByRole('button').allTextContents()).toEqual([
      'Again 1Forgot it',
      'Hard 2Recalled with difficulty',
      'Good 3Recalled after a moment',
      'Easy 4Recalled at once',
    ]);
    expect(await accessibilityProblems(l)).toEqual([]);
    await screenshot(l, 'review-card', false);
    await l.keyboard.press('4');
    await expect.poll(() => progress.textContent()).toBe('Card 2 of 4');
    expect(await bar.getAttribute('aria-valuenow')).toBe('25');
    // What grading did, and when the card is back: days away for EASY.
    expect(await l.getByTestId('review-last').textContent()).toMatch(new RegExp(`^${PROMPTED.title}: Easy\\. Next review (in \\d+ \\w+|tomorrow|next \\w+)`));

    // The series' posts: their outline (headings, then the excerpt).
    expect(await l.getByTestId('review-answer').count()).toBe(0);
    await l.keyboard.press('Enter');
    await l.getByTestId('review-answer').locator('li').first().waitFor();
    expect(await l.getByTestId('review-answer').locator('li').count()).toBeGreaterThan(1);
    await l.keyboard.press('3');
    await expect.poll(() => progress.textContent()).toBe('Card 3 of 4');
    expect(await l.getByTestId('review-last').textContent()).toMatch(/: Good\. Next review in \d+ minutes/);
    // The buttons grade as the keys do.
    await l.getByRole('button', { name: 'Show answer' }).click();
    await grades.getByRole('button', { name: /^Hard/ }).click();
    await expect.poll(() => progress.textContent()).toBe('Card 4 of 4');
    await l.keyboard.press('Space');
    await l.keyboard.press('1');

    // Nothing is due now: the card graded Again is back in a minute, and the page says so.
    const empty = l.getByTestId('review-empty');
    await empty.waitFor();
    expect(await empty.textContent()).toContain('All done: you reviewed 4 cards.');
    expect(await l.getByTestId('review-next-due').textContent()).toMatch(/^Your next card is due in 1 minute \(.+\)(; \d+ cards? (is|are) due by the end of today)?\.$/);
    expect(await progress.textContent()).toBe('4 of 4 reviewed');
    expect(await bar.getAttribute('aria-valuenow')).toBe('100');
    await expect.poll(() => l.getByTestId('nav-due').count()).toBe(0);
    const stats = await api<{ reviewQueue: { totalCount: number }; reviewStats: { reviewCount: number; cardsByState: Record<string, number> } }>(
      '{ reviewQueue(first: 1) { totalCount } reviewStats { reviewCount cardsByState { new learning review relearning } } }',
    );
    expect(stats.reviewQueue.totalCount).toBe(0);
    expect(stats.reviewStats.reviewCount).toBe(4);
    expect(stats.reviewStats.cardsByState).toEqual({ new: 0, learning: 3, review: 1, relearning: 0 });
    expect(await accessibilityProblems(l)).toEqual([]);
    await screenshot(l, 'review-done', false);
  });
});

describe('study notes', () => {
  it('quotes a selected passage in a new note, shows a too-long note refused at its field, edits and deletes', async () => {
    await l.goto(`/posts/${NOTED}`);
    await l.getByTestId('post-body').waitFor();
    const toggle = l.locator('button[aria-controls=notes-panel]');
    expect(await toggle.textContent()).toBe('Notes');
    await toggle.click();
    const panel = l.getByRole('complementary', { name: /Your notes/ });
    await panel.waitFor();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await panel.getByText('No notes on this post yet.').waitFor();

    // Select part of a paragraph of the post, as a reader would with the mouse.
    const selected = await l.evaluate(() => {
      const body = document.querySelector('[data-testid=post-body]')!;
      const paragraph = Array.from(body.querySelectorAll('p')).find((p) => p.childNodes.length === 1 && (p.textContent ?? '').length > 90)!;
      const text = paragraph.firstChild!;
      const range = document.createRange();
      range.setStart(text, 0);
      range.setEnd(text, 80);
      const selection = document.getSelection()!;
      selection.removeAllRanges();
      selection.addRange(range);
      return selection.toString();
    });
    const quote = selected.replace(/\s+/g, ' ').trim();
    await panel.getByRole('button', { name: 'Quote the selection' }).click();
    expect(await panel.getByTestId('new-note-quote').textContent()).toBe(quote);

    // Too long for the server: its message lands at the field.
    const body = panel.getByLabel('Your note');
    await body.fill('n'.repeat(20_001));
    expect(await panel.getByText('20,001 / 20,000 characters — over the limit of 20,000').count()).toBe(1);
    await panel.getByRole('button', { name: 'Save note' }).click();
    const fieldError = panel.locator('.note-form .field-error');
    await fieldError.waitFor();
    expect(await fieldError.textContent()).toMatch(/at most 20000 characters/);
    expect(await body.getAttribute('aria-invalid')).toBe('true');

    await body.fill('Batching turns **N** queries into one.');
    await panel.getByRole('button', { name: 'Save note' }).click();
    const notes = panel.getByTestId('study-note');
    await notes.first().waitFor();
    expect(await notes.count()).toBe(1);
    expect(await notes.first().locator('blockquote').textContent()).toBe(quote);
    expect(await notes.first().locator('.prose strong').textContent()).toBe('N');
    await l.getByRole('button', { name: 'Hide notes (1)' }).waitFor();

    // A second note, without a quote, deleted after a confirmation.
    await body.fill('A note to throw away.');
    await panel.getByRole('button', { name: 'Save note' }).click();
    await expect.poll(() => notes.count()).toBe(2);
    const second = notes.filter({ hasText: 'A note to throw away.' });
    await second.getByRole('button', { name: 'Delete note' }).click();
    await second.getByText('Delete this note?').waitFor();
    await second.getByRole('button', { name: 'Keep' }).click();
    expect(await notes.count()).toBe(2);
    await second.getByRole('button', { name: 'Delete note' }).click();
    await second.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect.poll(() => notes.count()).toBe(1);

    // Edited in place.
    const first = notes.first();
    await first.getByRole('button', { name: 'Edit note' }).click();
    const editor = first.getByLabel('Note', { exact: true });
    expect(await editor.inputValue()).toBe('Batching turns **N** queries into one.');
    await editor.fill('Batching turns N queries into one: the DataLoader waits a tick, then asks once.');
    await first.getByRole('button', { name: 'Save note' }).click();
    await first.getByText(/^Edited /).waitFor();
    expect(await first.locator('.prose').textContent()).toContain('the DataLoader waits a tick');
    expect(await first.locator('blockquote').textContent()).toBe(quote);
    expect(await accessibilityProblems(l)).toEqual([]);
    await screenshot(l, 'notes-panel', false);

    const stored = await api<{ post: { viewerNotes: { body: string; quote: string | null }[] } }>(
      'query($s: String!) { post(slug: $s) { viewerNotes { body quote } } }',
      { s: NOTED },
    );
    expect(stored.post.viewerNotes).toEqual([{ body: 'Batching turns N queries into one: the DataLoader waits a tick, then asks once.', quote }]);
  });

  it('the notes page lists and searches every note, and downloads them as markdown', async () => {
    await l.goto('/notes');
    await l.getByRole('heading', { name: 'Your notes', level: 1 }).waitFor();
    const notes = l.getByTestId('study-note');
    await notes.first().waitFor();
    expect(await l.getByTestId('notes-count').textContent()).toBe('1 note');
    expect(await notes.first().getByRole('link', { name: 'The N+1 Problem and DataLoaders' }).count()).toBe(1);

    const search = l.getByLabel('Search your notes');
    await search.fill('dataloader');
    await expect.poll(() => l.getByTestId('notes-count').textContent()).toBe('1 note matching “dataloader”');
    await l.waitForURL('**/notes?q=dataloader');
    await search.fill('no such words here');
    await l.getByText('No note matches.').waitFor();
    expect(await notes.count()).toBe(0);
    await search.fill('');
    await expect.poll(() => l.getByTestId('notes-count').textContent()).toBe('1 note');

    const [download] = await Promise.all([l.waitForEvent('download'), l.getByRole('button', { name: 'Download as markdown' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^lectern-notes-\d{4}-\d{2}-\d{2}\.md$/);
    const markdown = readFileSync((await download.path())!, 'utf8');
    expect(markdown).toContain('The N+1 Problem and DataLoaders');
    expect(markdown).toContain(`/posts/${NOTED}`);
    expect(markdown).toContain('the DataLoader waits a tick');
    expect(markdown).toMatch(/^> /m);
    expect(await accessibilityProblems(l)).toEqual([]);
    await screenshot(l, 'notes-page', false);
  });
});

describe('a certificate', () => {
  let code = '';

  /**
   * Opens a post, lets the page's clock run for a plausible read (a quarter
   * of its reading time, at least 10 s, and a little more), and scrolls to
   * the end, which marks it read.
   */
  async function readToEnd(page: Page, slug: string) {
    await page.goto(`/posts/${slug}`);
    await page.getByTestId('post-body').waitFor();
    await page.getByRole('button', { name: 'Mark as read' }).waitFor();
    const { post } = await api<{ post: { readingMinutes: number } }>('query($s: String!) { post(slug: $s) { readingMinutes } }', { s: slug });
    const minutes = post.readingMinutes;
    await page.clock.fastForward(Math.max(10, Math.ceil(minutes * 60 * 0.25)) * 1000 + 5000);
    await page.getByTestId('end-of-body').scrollIntoViewIfNeeded();
    await page.getByRole('button', { name: '✓ Read' }).waitFor();
  }

  it('finishing every post of a series issues one, listed with its PDF and its public link', async () => {
    // The series' third post is premium: an admin gives Linus a complimentary plan first.
    const admin = await login(ADMIN.email, ADMIN.password);
    await gql('mutation($i: GrantComplimentaryPlanInput!) { grantComplimentaryPlan(input: $i) { id } }', { i: { userId: linusId } }, admin);

    const reading = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 } });
    reading.setDefaultTimeout(20_000);
    await reading.clock.install();
    await reading.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
    const r = await reading.newPage();
    watch(r, 'linus reading');
    await signIn(r, LINUS, `/series/${SERIES.slug}`);
    await r.getByTestId('series-progress').waitFor();
    expect(await r.getByTestId('series-progress').textContent()).toBe('1 of 3 read');
    for (const slug of SERIES.unread) await readToEnd(r, slug);
    // The job issues the certificate, and the reader hears of it at once: a toast (and the bell).
    const toast = r.getByTestId('toast').filter({ hasText: `Your certificate for “${SERIES.title}”` });
    await toast.waitFor({ timeout: 60_000 });
    const toastLink = await toast.getByRole('link', { name: 'See your certificate' }).getAttribute('href');
    await r.goto(`/series/${SERIES.slug}`);
    await expect.poll(() => r.getByTestId('series-progress').textContent()).toBe('3 of 3 read');
    await r.getByText('You finished this series.').waitFor();

    const mine = async () =>
      (await api<{ myCertificates: { nodes: { code: string; seriesTitle: string; recipientName: string; valid: boolean; verificationUrl: string }[] } }>(
        '{ myCertificates(first: 5) { nodes { code seriesTitle recipientName valid verificationUrl } } }',
      )).myCertificates.nodes;
    await expect.poll(async () => (await mine()).length, { timeout: 60_000 }).toBe(1);
    const [issued] = await mine();
    expect(issued).toMatchObject({ seriesTitle: SERIES.title, recipientName: LINUS.name, valid: true, verificationUrl: `${baseUrl}/certificates/${issued!.code}` });
    code = issued!.code;
    expect(toastLink).toBe(`/certificates/${code}`);

    await r.getByRole('link', { name: 'your learning dashboard' }).click();
    await r.waitForURL((url) => url.pathname === '/learning' && url.hash === '#certificates');
    const item = r.getByTestId('certificate');
    await item.waitFor();
    expect(await item.getAttribute('data-code')).toBe(code);
    expect(await item.getByRole('heading', { level: 3 }).textContent()).toBe(SERIES.title);
    expect(await item.locator('.badge').textContent()).toBe('Valid');
    // The public link, copied.
    expect(await item.getByLabel('Public link (anyone can check it)').inputValue()).toBe(issued!.verificationUrl);
    await item.getByRole('button', { name: 'Copy the link' }).click();
    await item.getByText('Link copied.').waitFor();
    expect(await r.evaluate(() => navigator.clipboard.readText())).toBe(issued!.verificationUrl);
    // The PDF, fetched with the reader's token and saved.
    const [download] = await Promise.all([r.waitForEvent('download'), item.getByRole('button', { name: 'Download PDF' }).click()]);
    expect(download.suggestedFilename()).toBe('certificate-databases-in-practice.pdf');
    const pdf = readFileSync((await download.path())!);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(500);
    await screenshot(r, 'certificates-list', false);
    await reading.close();
  });

  it('anyone checks it on its page: valid; an altered code does not verify, and is not an error', async () => {
    const visitor = await newContext(browser);
    const v = await visitor.newPage();
    watch(v, 'visitor');
    await v.goto(`/certificates/${code}`);
    const verdict = v.getByTestId('certificate-verdict');
    await verdict.waitFor();
    expect(await verdict.getAttribute('data-status')).toBe('VALID');
    expect(await verdict.getByRole('heading', { level: 2 }).textContent()).toBe('Valid certificate');
    expect(await v.getByTestId('certificate-name').textContent()).toBe(LINUS.name);
    expect(await v.getByTestId('certificate-series').textContent()).toBe(SERIES.title);
    expect(await v.getByRole('heading', { level: 1 }).textContent()).toBe(SERIES.title);
    expect(await v.locator('.certificate-fields .code').textContent()).toBe(code.match(/.{4}/g)!.join('-'));
    expect(await accessibilityProblems(v)).toEqual([]);
    await screenshot(v, 'certificate-valid', false);

    // The code as printed on the PDF (grouped, lower case) reads the same.
    await v.goto(`/certificates/${code.toLowerCase().match(/.{4}/g)!.join('-')}`);
    await expect.poll(() => verdict.getAttribute('data-status')).toBe('VALID');

    // One character changed: no certificate has that code.
    const altered = code.slice(0, -1) + (code.endsWith('A') ? 'B' : 'A');
    await v.goto(`/certificates/${altered}`);
    await expect.poll(() => verdict.getAttribute('data-status')).toBe('UNKNOWN');
    expect(await verdict.getByRole('heading', { level: 2 }).textContent()).toBe('Does not verify');
    expect(await verdict.textContent()).toContain('No certificate has this code');
    expect(await v.getByRole('alert').count()).toBe(0);
    expect(await v.getByTestId('certificate-name').count()).toBe(0);
    expect(await accessibilityProblems(v)).toEqual([]);
    await screenshot(v, 'certificate-does-not-verify', false);
    // Not a code at all: the same answer.
    await v.goto('/certificates/not-a-real-code');
    await expect.poll(() => verdict.getAttribute('data-status')).toBe('UNKNOWN');
    await visitor.close();
  });
});

describe('the learning dashboard', () => {
  it('draws its charts with ECharts (SVG), which load with this page only, with text alternatives and tables', async () => {
    // The charting library is not in what the feed loads.
    const scripts: string[] = [];
    l.on('request', (request) => {
      if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname);
    });
    await l.goto('/');
    await l.locator('.post-card').first().waitFor();
    expect(scripts.some((s) => /\/assets\/Learning-/.test(s))).toBe(false);
    await l.getByTestId('nav-learning').click();
    await l.getByRole('heading', { name: 'Your learning', level: 1 }).waitFor();
    expect(scripts.some((s) => /\/assets\/Learning-/.test(s))).toBe(true);

    const stats = (
      await api<{ learningStats: { postsFinished: number; seriesFinished: number; totalMinutes: number } }>(
        '{ learningStats { postsFinished seriesFinished totalMinutes } }',
      )
    ).learningStats;
    expect(stats.seriesFinished).toBe(1);
    await l.getByTestId('learning-figures').waitFor();
    expect(await l.getByTestId('posts-finished').textContent()).toBe(String(stats.postsFinished));
    expect(await l.getByTestId('series-finished').textContent()).toBe('1');
    expect(stats.totalMinutes).toBeGreaterThan(0);

    // Every chart is an SVG drawn by ECharts, with marks for its data.
    for (const id of ['heatmap', 'minutes-per-day', 'minutes-per-week', 'topics', 'reviews-per-day', 'cards-by-state']) {
      const svg = l.getByTestId(id).locator('svg');
      await svg.waitFor();
      expect(await svg.locator('path').count(), id).toBeGreaterThan(3);
    }
    // The heat map: each of the 365 days (at 1280 px; the calendar draws a frame and the series a colour a day), today's coloured.
    const cells = await l.getByTestId('heatmap').locator('svg path').evaluateAll((paths) => paths.map((p) => p.getAttribute('fill')));
    expect(cells.length).toBeGreaterThanOrEqual(2 * 365);
    expect(new Set(cells).size).toBeGreaterThan(1);
    // Text alternatives: a sentence for each chart, and the numbers in a table.
    const heat = l.locator('.chart-frame[role=img]').first();
    expect(await heat.getAttribute('aria-label')).toMatch(/^365 days from .+, [1-9]\d* active days?, .* read; the most on .+\.$/);
    const perDay = l.locator('figure', { has: l.getByRole('heading', { name: 'Minutes per day' }) });
    await perDay.getByText('Show the numbers').click();
    expect(await perDay.locator('tbody tr').count()).toBe(30);
    const reviews = l.locator('figure', { has: l.getByRole('heading', { name: 'Reviews per day' }) });
    expect(await reviews.locator('.chart-frame').getAttribute('aria-label')).toMatch(/^4 reviews on 1 of the last 30 days; 1 graded Again\.$/);
    const byState = l.locator('figure', { has: l.getByRole('heading', { name: 'Cards by state' }) });
    expect(await byState.locator('.chart-frame').getAttribute('aria-label')).toBe('4 cards: 0 new, 3 learning, 1 remembered, 0 relearning.');

    // The reading history, latest first.
    const history = l.getByTestId('reading-history');
    await history.waitFor();
    const titles = await history.locator('li a').allTextContents();
    expect(titles.slice(0, 2)).toEqual(['Keyset Pagination: Paging Without OFFSET', 'Transactions and Isolation Levels Without the Jargon']);
    expect(await accessibilityProblems(l)).toEqual([]);
    await screenshot(l, 'learning-dashboard');
  });
});

describe('on a 375 px phone', () => {
  it('the learning pages fit, the notes drawer leaves the post readable, and axe passes in the dark theme', async () => {
    const context = await phoneContext(browser, 'dark');
    const page = await context.newPage();
    watch(page, 'phone');
    await signIn(page, LINUS, '/');
    // The menu leads to them.
    await page.getByRole('button', { name: 'Menu' }).click();
    const menu = page.getByRole('navigation', { name: 'Main' });
    for (const name of ['Learning', 'Notes']) await menu.getByRole('link', { name, exact: true }).waitFor();
    await menu.getByRole('link', { name: /^Review/ }).click();
    await page.getByRole('heading', { name: 'Review', level: 1 }).waitFor();
    await settle(page);
    await expectFitsPhone(page, 'review', ['main h1', '.subnav', '.review-reminders']);
    const problems: string[] = [];
    const check = async (where: string) => {
      for (const problem of await accessibilityProblems(page)) problems.push(`${where}: ${problem}`);
    };
    await check('review');

    await page.goto('/learning');
    await page.getByRole('heading', { name: 'Your learning', level: 1 }).waitFor();
    await page.getByTestId('heatmap').locator('svg').waitFor();
    await page.getByTestId('certificate').waitFor();
    await settle(page);
    await expectFitsPhone(page, 'learning', ['main h1', '.learning-figures', '.chart-figure', '.chart svg', '.certificate-item', '.copy-row', '.history-list li']);
    // A phone shows the last weeks of the heat map, cells still big enough to see.
    const sizes = await page
      .getByTestId('heatmap')
      .locator('svg path')
      .evaluateAll((paths) => paths.map((p) => (p as SVGGraphicsElement).getBBox().width).sort((a, b) => a - b));
    // (The calendar draws each day's frame, and the series its colour: two paths a day.)
    expect(sizes.length).toBeGreaterThan(2 * 7 * 14);
    expect(sizes.length).toBeLessThan(2 * 7 * 20);
    expect(sizes[Math.floor(sizes.length / 2)]).toBeGreaterThanOrEqual(10);
    await check('learning');
    await screenshot(page, 'phone-learning');

    await page.goto('/notes');
    await page.getByTestId('study-note').first().waitFor();
    await settle(page);
    await expectFitsPhone(page, 'notes', ['main h1', '.search-form', '[data-testid=study-note]']);
    await check('notes');

    // The notes drawer covers the lower part of the screen only; the post stays readable above it and scrolls.
    await page.goto(`/posts/${NOTED}`);
    await page.getByTestId('post-body').waitFor();
    await page.getByRole('button', { name: 'Notes (1)' }).click();
    const drawer = page.locator('#notes-panel');
    await drawer.getByTestId('study-note').waitFor();
    await expectFitsPhone(page, 'post with notes', ['main h1', '#notes-panel', '#notes-panel textarea']);
    const box = (await drawer.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(PHONE.height * 0.45);
    expect(box.y + box.height).toBeLessThanOrEqual(PHONE.height + 1);
    await page.evaluate(() => window.scrollBy(0, 600));
    await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
    // Some block of the post (a paragraph, a code block) lies whole between the header and the drawer.
    const paragraphVisible = await page.evaluate((drawerTop) => {
      const header = document.querySelector('.site-header')!.getBoundingClientRect().bottom;
      return Array.from(document.querySelectorAll('[data-testid=post-body] > *')).some((p) => {
        const r = p.getBoundingClientRect();
        return r.top >= header && r.bottom <= drawerTop;
      });
    }, box.y);
    await screenshot(page, 'phone-notes-drawer', false);
    expect(paragraphVisible).toBe(true);
    await check('post with notes');
    await drawer.getByRole('button', { name: 'Close notes' }).click();
    await drawer.waitFor({ state: 'detached' });

    await page.goto(`/certificates/${(await api<{ myCertificates: { nodes: { code: string }[] } }>('{ myCertificates(first: 1) { nodes { code } } }')).myCertificates.nodes[0]!.code}`);
    await page.getByTestId('certificate-verdict').waitFor();
    await expectFitsPhone(page, 'certificate', ['main h1', '.verdict', '.certificate-fields']);
    await check('certificate');
    await screenshot(page, 'phone-certificate', false);
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('the browser console', () => {
  it('saw no uncaught page errors and no Content-Security-Policy violations', () => {
    expect(pageErrors).toEqual([]);
  });
});
