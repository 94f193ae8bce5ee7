#!/usr/bin/env node
// GraphQL-over-HTTP conformance check: runs every audit of `serverAudits`
// from the npm package graphql-http (the reference audit suite of the spec)
// against a running server.
//
//   node scripts/graphql-http-audit.mjs [URL]     (default http://127.0.0.1:18282/graphql)
//
// scripts/graphql-http-audit.sh starts a throwaway server and runs this.
//
// graphql-http and graphql are installed, at the pinned versions below, into
// a cache directory outside the repo ($LECTERN_AUDIT_CACHE, default
// ~/.cache/lectern/audit), only when they are missing or at another version.
//
// Output: one line per audit (result, id, name), with the reason, the status,
// the content type and the start of the body for each one that did not pass;
// then `warnings: N` and `N passed, N failed`.
//   ok     the audit passed
//   error  a MUST audit failed: counts as failed, and the exit code is 1
//   warn   a SHOULD or MAY audit did not pass: printed, not counted as failed
//   fatal  the audit could not run (server unreachable, timeout): counts as
//          failed whatever its level, exit code 1
// Audits run one after another, each request with a timeout
// ($AUDIT_TIMEOUT_MS, default 10000).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

const PINNED = { 'graphql-http': '1.23.1', graphql: '16.11.0' };
const CACHE_DIR =
  process.env.LECTERN_AUDIT_CACHE || join(homedir(), '.cache', 'lectern', 'audit');
const TIMEOUT_MS = Number(process.env.AUDIT_TIMEOUT_MS || 10000);

const args = process.argv.slice(2);
if (args.includes('-h') || args.includes('--help')) {
  console.log('usage: node scripts/graphql-http-audit.mjs [URL]');
  console.log('  URL defaults to http://127.0.0.1:18282/graphql');
  process.exit(0);
}
const url = args[0] || 'http://127.0.0.1:18282/graphql';

function installedVersion(name) {
  const manifest = join(CACHE_DIR, 'node_modules', name, 'package.json');
  if (!existsSync(manifest)) return null;
  try {
    return JSON.parse(readFileSync(manifest, 'utf8')).version;
  } catch {
    return null;
  }
}

function ensureInstalled() {
  const missing = Object.entries(PINNED).filter(([name, v]) => installedVersion(name) !== v);
  if (missing.length === 0) return;
  mkdirSync(CACHE_DIR, { recursive: true });
  const specs = Object.entries(PINNED).map(([name, v]) => `${name}@${v}`);
  console.error(`installing ${specs.join(' ')} into ${CACHE_DIR}`);
  // stdout of npm goes to stderr so this script's stdout stays the report.
  execFileSync(
    'npm',
    ['install', '--prefix', CACHE_DIR, '--no-audit', '--no-fund', '--save-exact', ...specs],
    { stdio: ['ignore', process.stderr, 'inherit'] },
  );
  for (const [name, v] of Object.entries(PINNED)) {
    if (installedVersion(name) !== v) {
      throw new Error(`${name}@${v} is still not installed in ${CACHE_DIR}`);
    }
  }
}

function level(name) {
  return name.split(' ', 1)[0]; // MUST, SHOULD or MAY
}

function oneLine(text, max = 200) {
  const flat = String(text).replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}...` : flat;
}

async function describeResponse(res) {
  if (!res) return '';
  const type = res.headers?.get?.('content-type') ?? '-';
  let body = '';
  try {
    body = oneLine(await res.text());
  } catch {
    body = '(body already read)';
  }
  return `got ${res.status}, content-type ${type}, body ${body || '(empty)'}`;
}

ensureInstalled();
const require = createRequire(join(CACHE_DIR, 'package.json'));
const { serverAudits } = require('graphql-http');

const fetchFn = (input, init = {}) =>
  fetch(input, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });

console.log(`graphql-http ${PINNED['graphql-http']} serverAudits against ${url}`);

let passed = 0;
let failed = 0;
let warnings = 0;
for (const { id, name, fn } of serverAudits({ url, fetchFn })) {
  let result;
  try {
    result = await fn();
  } catch (err) {
    // graphql-http throws (instead of returning a result) only when the audit
    // itself could not run.
    failed += 1;
    console.log(`fatal  ${id}  ${name}`);
    console.log(`       ${oneLine(err?.cause?.message || err?.message || err)}`);
    continue;
  }
  if (result.status === 'ok') {
    passed += 1;
    console.log(`ok     ${id}  ${name}`);
    continue;
  }
  const detail = await describeResponse(result.response);
  if (level(name) === 'MUST') {
    failed += 1;
    console.log(`error  ${id}  ${name}`);
  } else {
    warnings += 1;
    console.log(`warn   ${id}  ${name}`);
  }
  console.log(`       ${result.reason}; ${detail}`);
}

console.log(`warnings: ${warnings}`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
