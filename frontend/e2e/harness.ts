// What the end-to-end tests share: Chromium (Debian's, through
// playwright-core), a GraphQL helper for setup and checks, the server's
// outbox, and screenshots saved under test-results/screenshots.

import { readFileSync, readdirSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { inject } from 'vitest';

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
