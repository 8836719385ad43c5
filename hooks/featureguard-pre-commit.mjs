#!/usr/bin/env node
// The pre-commit framework's entry for hook id `featureguard` (.pre-commit-hooks.yaml). The
// framework installs this package into its own environment (`language: node`) and runs this file
// as the bin `featureguard-pre-commit`. It runs `featureguard check --staged` with, in order:
// $FEATUREGUARD_CLI, the repository's own node_modules/.bin/featureguard, another `featureguard`
// on PATH, and last the FeatureGuard installed beside this file (../dist/cli.js) — so a repository
// that pins its own FeatureGuard is checked by that version. It passes the exit code through
// (0 pass, 1 an error finding blocks the commit, 2 could not run).
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = ['check', '--staged', ...process.argv.slice(2)];
const own = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
const onPath = otherOnPath('featureguard');
const candidates = [
  process.env.FEATUREGUARD_CLI && [process.execPath, process.env.FEATUREGUARD_CLI],
  existsSync('node_modules/.bin/featureguard') && ['node_modules/.bin/featureguard'],
  onPath && [onPath],
  existsSync(own) && [process.execPath, own],
].filter(Boolean);

if (candidates.length === 0) {
  console.error('featureguard: FeatureGuard is not installed here. Add it to the repository (npm install --save-dev featureguard) or put `featureguard` on PATH; the pre-commit hook runs that install.');
  process.exit(2);
}
const [cmd, ...pre] = candidates[0];
const run = spawnSync(cmd, [...pre, ...args], { stdio: 'inherit' });
process.exit(run.status ?? 2);

/**
 * The first `name` on PATH that is not this package's own CLI: pre-commit puts its environment's
 * bin folder (holding this package's `featureguard`) first on PATH, and that one comes last.
 */
function otherOnPath(name) {
  const mine = real(own);
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = dir && join(dir, name);
    if (p && existsSync(p) && real(p) !== mine) return p;
  }
  return undefined;
}

function real(p) {
  try { return realpathSync(p); } catch { return p; }
}
