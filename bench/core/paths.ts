/** Where the benchmarks find FeatureGuard and keep their work (shared by every bench module). */
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The repository: the bench runs as a bundle (out/bench/run.js, built by `node esbuild.mjs
 * --bench`), so it is found from the bundle's folder upwards (the folder holding bench/ and
 * package.json).
 */
function findRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bench'))) return dir;
    const up = dirname(dir);
    if (up === dir) return resolve(__dirname, '../..');
    dir = up;
  }
}

export const ROOT = findRoot();
export const HERE = join(ROOT, 'bench');
/**
 * Its real path: in a git worktree bench/work may be a symlink to the main checkout's, and a
 * workspace cloned under the link would have its config's paths (joined under the link) judged
 * outside the repository (git's top level, which is the real path).
 */
export const WORK = existsSync(join(HERE, 'work')) ? realpathSync(join(HERE, 'work')) : join(HERE, 'work');
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
