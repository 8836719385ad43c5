/** Where the benchmarks find FeatureGuard and keep their work (shared by bench/*.mjs). */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, '..');
export const WORK = join(HERE, 'work');
export const RESULTS = join(HERE, 'results');
export const BUILT_CLI = join(ROOT, 'dist/cli.js');
/**
 * The CLI the runs use: a copy of dist/ (cli.js and what it loads beside it) taken when the bench
 * starts, so a rebuild by someone else during a long run cannot mix two builds or break the run
 * half-way; one copy per bench process (bench/work/dist-<pid>, removed at the end), so two bench
 * runs at once do not replace each other's. Anything not copied still resolves from the
 * repository's node_modules.
 */
export const CLI = join(WORK, `dist-${process.pid}/cli.js`);
export const TSC = join(ROOT, 'node_modules/.bin/tsc');
export const TIME = '/usr/bin/time';
