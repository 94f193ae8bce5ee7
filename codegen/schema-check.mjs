#!/usr/bin/env node
// Fails when schema.graphql has a breaking change (graphql-js
// findBreakingChanges: a removed type, field, argument or enum value, a
// changed type, a new required argument, ...) that no entry added to
// SCHEMA_CHANGES.md acknowledges by its coordinate in backticks
// (e.g. `Post.body`).
//
// What it compares with, first that applies:
//   - SCHEMA_BASE_REF, when set (CI on a pull request: the target branch);
//   - the merge base with origin/main, on a branch that has left main;
//   - on main itself, the schema before its latest change (the parent of the
//     newest commit that touched schema.graphql).
// Only SCHEMA_CHANGES.md lines added since that base count as acknowledgements
// (committed or not, so the check can run before a commit).

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { checkSchemas } from './schema-diff.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const graphql = createRequire(path.join(root, 'frontend', 'package.json'))('graphql');

const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
const tryGit = (...args) => {
  try {
    return git(...args);
  } catch {
    return null;
  }
};

function baseRef() {
  if (process.env.SCHEMA_BASE_REF) return { ref: process.env.SCHEMA_BASE_REF, why: 'SCHEMA_BASE_REF' };
  const head = tryGit('rev-parse', 'HEAD');
  if (!head) return null;
  const main = tryGit('rev-parse', '--verify', '-q', 'origin/main');
  if (main) {
    const mergeBase = tryGit('merge-base', 'HEAD', 'origin/main');
    if (mergeBase && mergeBase !== head) return { ref: mergeBase, why: 'merge base with origin/main' };
  }
  const last = tryGit('log', '-1', '--format=%H', '--', 'schema.graphql');
  if (!last) return null;
  const parent = tryGit('rev-parse', '--verify', '-q', `${last}^`);
  return parent ? { ref: parent, why: `before the latest schema change (${last.slice(0, 10)})` } : null;
}

const base = baseRef();
if (!base) {
  console.log('schema check: no git history to compare with; skipped.');
  process.exit(0);
}
const oldSdl = tryGit('show', `${base.ref}:schema.graphql`);
if (oldSdl === null) {
  console.log(`schema check: ${base.ref} has no schema.graphql; nothing to compare.`);
  process.exit(0);
}
const newSdl = readFileSync(path.join(root, 'schema.graphql'), 'utf8');
// Lines of SCHEMA_CHANGES.md that the base did not have (committed or not).
const readChanges = () => {
  try {
    return readFileSync(path.join(root, 'SCHEMA_CHANGES.md'), 'utf8');
  } catch {
    return '';
  }
};
const baseLines = new Set((tryGit('show', `${base.ref}:SCHEMA_CHANGES.md`) ?? '').split('\n'));
const acknowledgement = readChanges()
  .split('\n')
  .filter((line) => !baseLines.has(line))
  .join('\n');

const { breaking, unacknowledged, dangerous } = checkSchemas(graphql, oldSdl, newSdl, acknowledgement);
console.log(`schema check against ${base.ref.slice(0, 12)} (${base.why}): ${breaking.length} breaking, ${dangerous.length} dangerous change(s).`);
for (const description of dangerous) console.log(`  dangerous: ${description}`);
for (const change of breaking) {
  const ok = !unacknowledged.includes(change);
  console.log(`  ${ok ? 'acknowledged' : 'NOT ACKNOWLEDGED'}: ${change.description}`);
}
if (unacknowledged.length) {
  console.error(
    `\n${unacknowledged.length} breaking schema change(s) are not acknowledged. Add an entry to SCHEMA_CHANGES.md that names ` +
      `each one in backticks (${unacknowledged.map((c) => `\`${c.coordinate}\``).join(', ')}), says why, and what clients must do.`,
  );
  process.exit(1);
}
