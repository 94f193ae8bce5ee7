// GraphiQL as an admin uses it, in a browser that can reach nothing but the
// server: the page and all of its code come from the binary (a request
// anywhere else fails the test), it runs under the server's
// Content-Security-Policy without a single violation, a stale placeholder
// header from an older version of the page is not sent, the sign-in helper
// fills the Authorization header, and a subscription carries it over the
// websocket.

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { baseUrl, launch, newContext, screenshot } from './harness';

let browser: Browser;
let context: BrowserContext;
let page: Page;
const offsite: string[] = [];
const problems: string[] = [];

beforeAll(async () => {
  browser = await launch();
  context = await newContext(browser);
  // No network but the server: anything else (a CDN, a font service) is refused and recorded.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(baseUrl) || url.startsWith('data:')) return route.continue();
    offsite.push(url);
    return route.abort('blockedbyclient');
  });
  page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || /Content.Security.Policy/i.test(message.text())) {
      problems.push(`console ${message.type()}: ${message.text()}`);
    }
  });
});

afterAll(async () => {
  await browser?.close();
});

/** The text of one of GraphiQL's CodeMirror editors. */
function editorText(selector: string): Promise<string> {
  return page.evaluate((selector) => {
    const element = document.querySelector(selector) as (Element & { CodeMirror?: { getValue(): string } }) | null;
    return element?.CodeMirror?.getValue() ?? '';
  }, selector);
}

interface QueryEditor {
  setValue(value: string): void;
  operationName: string | null;
}

/**
 * Puts a named operation into the query editor and runs it. GraphiQL reads the
 * operation's name from the editor a moment after each edit (debounced), so
 * this waits until it has seen the new one: a click before that would send the
 * new document with the old name.
 */
async function run(name: string, query: string): Promise<void> {
  await page.evaluate((query) => {
    const element = document.querySelector('.graphiql-query-editor .CodeMirror') as Element & { CodeMirror: QueryEditor };
    element.CodeMirror.setValue(query);
  }, query);
  await page.waitForFunction((name) => {
    const element = document.querySelector('.graphiql-query-editor .CodeMirror') as Element & { CodeMirror: QueryEditor };
    return element.CodeMirror.operationName === name;
  }, name);
  await page.locator('.graphiql-execute-button').click();
}

const response = () => editorText('.graphiql-response .CodeMirror');

/** Opens GraphiQL and waits until it has loaded the schema. */
async function open(): Promise<void> {
  const introspected = page.waitForResponse(
    (r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes('__schema'),
  );
  await page.goto('/graphql');
  await page.locator('.graphiql-container').waitFor();
  expect((await introspected).status()).toBe(200);
}

describe('GraphiQL', () => {
  it('runs a first query without any setup, even with a stale placeholder header stored', async () => {
    await open();
    // What the previous version of the page kept in localStorage.
    await page.evaluate(() =>
      localStorage.setItem('graphiql:headers', JSON.stringify({ Authorization: 'Bearer <accessToken from login>' })),
    );
    await open();
    await run('Anonymous', 'query Anonymous { me { email } }');
    await expect.poll(response, { timeout: 20_000 }).toContain('"me": null');
    expect(await response()).not.toContain('UNAUTHENTICATED');
  });

  it('signs in with the helper, which fills the Authorization header', async () => {
    await page.getByLabel('Email').fill('admin@lectern.dev');
    await page.getByLabel('Password').fill('lectern-admin-demo-2026');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#sign-in-status', { hasText: 'Signed in as admin@lectern.dev' }).waitFor();
    await page.getByRole('button', { name: 'Headers' }).click();
    await expect.poll(() => editorText('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror')).toMatch(
      /"Authorization": "Bearer [\w-]+\.[\w-]+\.[\w-]+"/,
    );
    expect(await page.getByLabel('Password').inputValue()).toBe('');

    await run('SignedIn', 'query SignedIn { me { email } }');
    await expect.poll(response, { timeout: 20_000 }).toContain('"email": "admin@lectern.dev"');
    await screenshot(page, 'graphiql-signed-in');
  });

  it('opens its dialogs and docs under the policy', async () => {
    await page.getByRole('button', { name: /settings/i }).click();
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: /documentation/i }).click();
    await page.locator('.graphiql-doc-explorer').waitFor();
  });

  it('sends the headers in connection_init for subscriptions', async () => {
    // askAi refuses anonymous sockets, so an answer proves the token travelled.
    await run(
      'Ask',
      'subscription Ask { askAi(question: "What does the borrow checker do?") { __typename ... on AskAiDone { finishReason } } }',
    );
    await expect.poll(response, { timeout: 60_000 }).toContain('"__typename": "AskAiDone"');
  });

  it('loaded nothing from elsewhere and broke no rule of the policy', () => {
    expect(offsite).toEqual([]);
    expect(problems).toEqual([]);
  });
});
