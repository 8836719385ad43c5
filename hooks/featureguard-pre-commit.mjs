#!/usr/bin/env node
// The pre-commit framework's entry for hook id `featureguard` (.pre-commit-hooks.yaml). It needs
// nothing installed into pre-commit's environment: it runs `featureguard check --staged` with the
// FeatureGuard the repository already uses — $FEATUREGUARD_CLI, the repository's
// node_modules/.bin/featureguard, `featureguard` on PATH, or this checkout's own dist/cli.js —
// and passes its exit code through (0 pass, 1 an error finding blocks the commit, 2 could not run).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = ['check', '--staged', ...process.argv.slice(2)];
const here = dirname(fileURLToPath(import.meta.url));
const candidates = [
  process.env.FEATUREGUARD_CLI && [process.execPath, process.env.FEATUREGUARD_CLI],
  existsSync('node_modules/.bin/featureguard') && ['node_modules/.bin/featureguard'],
  onPath('featureguard') && ['featureguard'],
  existsSync(join(here, '..', 'dist', 'cli.js')) && [process.execPath, join(here, '..', 'dist', 'cli.js')],
].filter(Boolean);

if (candidates.length === 0) {
  console.error('featureguard: FeatureGuard is not installed here. Add it to the repository (npm install --save-dev featureguard) or put `featureguard` on PATH; the pre-commit hook runs that install.');
  process.exit(2);
}
const [cmd, ...pre] = candidates[0];
const run = spawnSync(cmd, [...pre, ...args], { stdio: 'inherit' });
process.exit(run.status ?? 2);

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, name))) return true;
  return false;
}
