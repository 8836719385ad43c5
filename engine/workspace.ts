/**
 * Opens what every run needs: the git repository, the config, the two sides of the comparison
 * and the summary and bundle caches. Shared by `impact` and `check` (and later the language server).
 */
import { join, resolve } from 'node:path';
import { BundleCache } from './cache/bundleCache';
import { SummaryCache } from './cache/summaryCache';
import { CONFIG_FILE_NAME, loadConfig } from './config/loadConfig';
import type { Config } from './config/configTypes';
import { openRepo, type GitRepo } from './git/gitRepo';
import type { LanguageFrontEnd } from './lang/frontEnd';
import { workspaceFrontEnd } from './lang/frontEnds';
import { PhaseClock } from './phaseClock';
import { gitSides, type Sides, type TargetKind } from './sources/gitSides';

/** How a CLI run chooses its sides (SPEC §2). */
export interface RunOptions {
  cwd: string;
  /** `--config FILE`, relative to `cwd`. */
  configPath?: string;
  /** `--base REV`; default `HEAD`. */
  base?: string;
  /** `--staged`: the index is the target. */
  staged?: boolean;
  /** Keep the on-disk summary and bundle caches (default true). */
  diskCache?: boolean;
  /** A bundle cache that outlives the workspace (the language server's); default: a new one. */
  bundles?: BundleCache;
  /**
   * The Python interpreter the editor has selected for this folder (VS Code's Python extension),
   * tried after `python.interpreter` and `FEATUREGUARD_PYTHON` (SPEC §9 "Which interpreter").
   */
  editorPython?: string;
}

export interface Workspace {
  repo: GitRepo;
  config: Config;
  sides: Sides;
  frontEnd: LanguageFrontEnd;
  cache: SummaryCache;
  bundles: BundleCache;
  baseLabel: string;
  targetLabel: string;
  /** The interpreter the editor has selected (`RunOptions.editorPython`). */
  editorPython?: string;
  /**
   * Wall time of the run's phases so far: `open` (repository, config), `cacheRead` (while git
   * runs), `git` (the rest of the wait for the sides).
   */
  clock: PhaseClock;
}

export async function openWorkspace(options: RunOptions): Promise<Workspace> {
  const clock = new PhaseClock();
  const rev = options.base ?? 'HEAD';
  const repo = await openRepo(options.cwd, rev);
  const configPath = options.configPath ? resolve(options.cwd, options.configPath) : join(repo.root, CONFIG_FILE_NAME);
  const config = loadConfig(configPath, repo.root, !options.configPath);
  const frontEnd = workspaceFrontEnd(config.python.paths);
  clock.lap('open');
  const targetKind: TargetKind = options.staged ? 'staged' : 'worktree';
  const cacheDir = options.diskCache === false ? undefined : join(repo.commonDir, 'featureguard');
  const sidesRead = gitSides(repo, rev, targetKind, (p) => frontEnd.handles(p), frontEnd.pathspecs, cacheDir && join(cacheDir, 'tree.json'));
  sidesRead.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
  // The summary cache is read while git works: once git's processes are started (a turn of the
  // event loop), the parse of summaries.json fills time spent waiting for them.
  await new Promise((r) => setImmediate(r));
  const cache = new SummaryCache(cacheDir && join(cacheDir, 'summaries.json'));
  const bundles = options.bundles ?? new BundleCache(cacheDir && join(cacheDir, 'bundles'));
  clock.lap('cacheRead');
  const sides = await sidesRead;
  clock.lap('git');
  return { repo, config, sides, frontEnd, cache, bundles, baseLabel: rev, targetLabel: targetKind, clock, ...(options.editorPython ? { editorPython: options.editorPython } : {}) };
}
