// What the end-to-end tests share: Chromium (Debian's, through
// playwright-core), a GraphQL helper for setup and checks, the server's
// outbox, screenshots saved under test-results/screenshots, and the phone
// layout checks.

import { readFileSync, readdirSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect, inject } from 'vitest';

export const baseUrl = inject('baseUrl');
export const dataDir = inject('dataDir');
/** The Stripe stand-in the server takes payments through (see server.ts). */
export const standinUrl = inject('standinUrl');

const SCREENSHOTS = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'test-results', 'screenshots');

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export async function newContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(20_000);
  return context;
}

export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage });
}

/** A GraphQL request straight to the server, for setup and for checking what the UI did. */
export async function gql<T = Record<string, unknown>>(
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<T> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(`GraphQL: ${body.errors.map((e) => e.message).join('; ')}`);
  return body.data as T;
}

export async function login(email: string, password: string): Promise<string> {
  const data = await gql<{ login: { accessToken: string } }>(
    'mutation($input: LoginInput!) { login(input: $input) { accessToken } }',
    { input: { email, password } },
  );
  return data.login.accessToken;
}

/** Waits until the job queue has nothing pending or running (search indexing, mail). */
export async function waitForJobs(timeoutMs = 240_000): Promise<void> {
  const token = await login('admin@lectern.dev', 'lectern-admin-demo-2026');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const data = await gql<{ pending: { totalCount: number }; running: { totalCount: number } }>(
      '{ pending: jobs(status: PENDING, first: 1) { totalCount } running: jobs(status: RUNNING, first: 1) { totalCount } }',
      {},
      token,
    );
    if (data.pending.totalCount + data.running.totalCount === 0) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error('jobs still pending');
}

/** The newest mail to `to` in the server's outbox (embedded mode writes .eml files). */
export function latestMail(to: string): string | null {
  const outbox = path.join(dataDir, 'outbox');
  let files: string[];
  try {
    files = readdirSync(outbox).filter((f) => f.endsWith('.eml')).sort();
  } catch {
    return null;
  }
  for (const file of files.reverse()) {
    const text = readFileSync(path.join(outbox, file), 'utf8');
    if (new RegExp(`^To:.*${to.replace(/[.+]/g, '\\$&')}`, 'mi').test(text)) return text;
  }
  return null;
}

/**
 * The path and query of the newest link to `path` mailed to `to` (quoted-printable
 * undone), waiting up to `timeoutMs` for the mail job.
 */
export async function mailedLink(to: string, path: string, timeoutMs = 60_000): Promise<string> {
  const pattern = new RegExp(`https?://[^\\s"<>]*(${path.replace(/[/?]/g, '\\$&')}\\?token=[^\\s"<>]+)`);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const mail = latestMail(to)?.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    const link = mail && pattern.exec(mail)?.[1];
    if (link) return link;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no mail to ${to} with a ${path} link`);
}

/**
 * Drives the Stripe stand-in through its control API (`/_standin/…`): GET
 * without a body, POST with one. Fails on an error status.
 */
export async function standin<T = unknown>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(new URL(`_standin/${path.replace(/^\//, '')}`, standinUrl), {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`stand-in ${path}: HTTP ${response.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

export const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Runs axe-core (WCAG 2 A and AA rules) on the page as it is and returns the
 * serious and critical violations, one line each.
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  // Evaluated through the debugging protocol rather than added as a <script>:
  // the page's Content-Security-Policy rightly refuses inline scripts.
  await page.evaluate(readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(options: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

/** The phone the layout checks use, and the most its header may take. */
export const PHONE = { width: 375, height: 740 };
export const HEADER_MAX = 64;

/** A context at phone size (touch, mobile viewport). */
export async function phoneContext(browser: Browser, colorScheme: 'light' | 'dark' = 'light'): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: PHONE, colorScheme, isMobile: true, hasTouch: true });
  context.setDefaultTimeout(20_000);
  return context;
}

/** Signs in through the form and waits to land on `next`. */
export async function signIn(page: Page, who: { email: string; password: string }, next = '/') {
  await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === next);
}

/** Waits for the page's heading and for its loading states to end. */
export async function settle(page: Page) {
  await page.locator('main h1').first().waitFor();
  await page.locator('.loading').first().waitFor({ state: 'detached' }).catch(() => undefined);
}

/**
 * What a phone page must satisfy: nothing scrolls sideways, the header stays
 * compact, and each of `selectors` (every match) lies inside the viewport's width.
 */
export async function expectFitsPhone(page: Page, where: string, selectors: string[], { menuOpen = false } = {}) {
  const layout = await page.evaluate((selectors) => {
    const scroller = document.scrollingElement ?? document.documentElement;
    const outside: string[] = [];
    const missing: string[] = [];
    for (const selector of selectors) {
      const nodes = Array.from(document.querySelectorAll(selector));
      if (!nodes.length) missing.push(selector);
      for (const node of nodes) {
        const box = node.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue;
        if (box.left < -0.5 || box.right > window.innerWidth + 0.5) outside.push(`${selector} [${Math.round(box.left)}, ${Math.round(box.right)}]`);
      }
    }
    return {
      scrollWidth: scroller.scrollWidth,
      innerWidth: window.innerWidth,
      header: document.querySelector('.site-header')!.getBoundingClientRect().height,
      outside,
      missing,
    };
  }, selectors);
  expect(layout.missing, `${where}: elements not found`).toEqual([]);
  expect(layout.outside, `${where}: elements outside the viewport`).toEqual([]);
  expect(layout.scrollWidth, `${where}: sideways scroll`).toBeLessThanOrEqual(layout.innerWidth);
  // An open menu is part of the header, and grows it on purpose.
  if (!menuOpen) expect(layout.header, `${where}: header height`).toBeLessThanOrEqual(HEADER_MAX);
}
