/**
 * A long-lived view of one workspace folder for the editor (SPEC §2, last row): base is HEAD,
 * target is the open editor buffers over the working tree. Git state and the config are read once
 * and refreshed on demand (save, file watcher, HEAD change); a keystroke only swaps one buffer in
 * the overlay, so static impact re-parses one file and looks everything else up by content hash.
 */
import { relative, sep } from 'node:path';
import { analyzeImpact, featureFiles, type ImpactResult } from '../analysis/impact';
import { summarizeTree } from '../analysis/summarizeTree';
import { BundleCache } from '../cache/bundleCache';
import { SummaryCache } from '../cache/summaryCache';
import { throwIfCancelled, type CancellationToken } from '../errors';
import type { BundleInput } from '../exec/bundleFeature';
import { IncrementalBundler } from '../exec/incrementalBundler';
import { SymbolGraph } from '../graph/symbolGraph';
import type { Report } from '../report/reportTypes';
import { checkImpact, closeCheckCaches, newCheckCaches, type CheckCaches, type DataOptions } from '../runCheck';
import { buildReport, featureReport } from '../runImpact';
import { blobHash, OverlayTree, type OverlayEntry } from '../sources/sourceTree';
import { openWorkspace, type RunOptions, type Workspace } from '../workspace';
import { warmBaseValues, type WarmProgress } from './warmBase';

export interface SessionResult {
  report: Report;
  impact: ImpactResult;
}

export class WorkspaceSession {
  private buffers = new Map<string, OverlayEntry>();
  private readonly caches: CheckCaches = newCheckCaches();
  /** Summaries stay in memory across runs; the disk cache is the CLI's. */
  private readonly summaries = new SummaryCache();
  /** The last run's graphs: the base is reused as is, the target relinks only edited modules. */
  private previous?: { baseGraph: ImpactResult['baseGraph']; targetGraph: ImpactResult['targetGraph'] };
  private disposed = false;
  /** The features the warm-up finished, by what their base values depend on (see `warmBase`). */
  private readonly warmed = new Set<string>();
  /** Passed to every check and warm-up (`DataOptions.collect`): the language server collects garbage there. */
  collect?: DataOptions['collect'];

  private constructor(
    private options: RunOptions,
    private ws: Workspace,
  ) {}

  /** Opens the workspace containing `options.cwd`; fails with a `UserError` like the CLI. */
  static async open(options: RunOptions): Promise<WorkspaceSession> {
    // Bundles, like summaries, stay in memory across runs and refreshes.
    const withBundles = { ...options, diskCache: false, bundles: new BundleCache(undefined, new IncrementalBundler<BundleInput>()) };
    return new WorkspaceSession(withBundles, await openWorkspace(withBundles));
  }

  get root(): string {
    return this.ws.repo.root;
  }

  get config() {
    return this.ws.config;
  }

  /** The Python interpreter the editor has selected (SPEC §9), for the runs after the next `refresh()`. */
  get editorPython(): string | undefined {
    return this.options.editorPython;
  }

  set editorPython(path: string | undefined) {
    this.options = { ...this.options, editorPython: path };
  }

  /** Re-reads git state and the config (after a save, a checkout, or a config edit). */
  async refresh(): Promise<void> {
    this.ws = await openWorkspace(this.options);
  }

  /** The repository-relative path of an absolute file path, or undefined when outside. */
  relativePath(absPath: string): string | undefined {
    const rel = relative(this.ws.repo.root, absPath);
    if (rel.startsWith('..') || rel === '') return undefined;
    return sep === '/' ? rel : rel.split(sep).join('/');
  }

  /** Sets an open buffer's text (unsaved edits included); `undefined` closes it. */
  setBuffer(path: string, text: string | undefined): void {
    if (text === undefined) this.buffers.delete(path);
    else this.buffers.set(path, { text, hash: blobHash(text) });
  }

  /** Static impact of the buffers over the working tree against HEAD. */
  async impact(token: CancellationToken): Promise<SessionResult> {
    const started = performance.now();
    const ws = this.editorWorkspace();
    const impact = await this.analyze(ws, token);
    const features = impact.features.map((a) => featureReport(a, impact, 'not-checked'));
    return { impact, report: buildReport(ws, impact, features, { rowsSampled: 0, featuresChecked: 0 }, started) };
  }

  /** Static impact plus data checks; unchanged features reuse earlier results. */
  async check(token: CancellationToken, options: DataOptions): Promise<SessionResult> {
    const started = performance.now();
    const ws = this.editorWorkspace();
    const impact = await this.analyze(ws, token);
    try {
      return { impact, report: await checkImpact(ws, impact, { collect: this.collect, ...options }, this.caches, token, started) };
    } finally {
      // A check still in flight at `dispose()` may have started a model worker after it: end it too.
      if (this.disposed) closeCheckCaches(this.caches);
    }
  }

  /**
   * Computes HEAD's values of every feature into the results cache (memory and disk), one
   * feature after another in one worker, so that the next check runs only the target side. Stops at once when
   * `token` is cancelled; called again, it goes on where it stopped (features finished earlier,
   * for the same code, are skipped without a look-up). The caller runs it only when the workspace
   * is trusted: it runs workspace code.
   */
  async warmBase(token: CancellationToken, onProgress?: (p: WarmProgress) => void): Promise<WarmProgress> {
    const ws = this.ws;
    const modules = await summarizeTree(ws.sides.base, ws.frontEnd, this.summaries, featureFiles(ws.config));
    throwIfCancelled(token);
    // HEAD's graph shares the last run's base graph where the modules are the same objects.
    const graph = new SymbolGraph(modules, ws.frontEnd, this.previous?.baseGraph);
    if (this.warmed.size > MAX_WARMED) this.warmed.clear();
    return warmBaseValues({ ws, graph, caches: this.caches, warmed: this.warmed, token, onProgress, collect: this.collect });
  }

  /** The commit HEAD stood for at the last refresh (null: no commits yet). */
  get headCommit(): string | null {
    return this.ws.sides.baseCommit;
  }

  /**
   * Ends what the session keeps running between checks: the model worker (SPEC §10), whose
   * sessions stay open for the next check. Called when the editor drops the folder or shuts down.
   */
  dispose(): void {
    this.disposed = true;
    closeCheckCaches(this.caches);
    this.options.bundles?.incremental?.dispose();
  }

  private async analyze(ws: Workspace, token: CancellationToken): Promise<ImpactResult> {
    const { base, target, changedPaths } = ws.sides;
    const impact = await analyzeImpact({ base, target, changedPaths, config: ws.config, frontEnd: ws.frontEnd, cache: this.summaries, token, previous: this.previous });
    this.previous = { baseGraph: impact.baseGraph, targetGraph: impact.targetGraph };
    this.summaries.retainUsed();
    return impact;
  }

  /** A file's text on one side: `base` (HEAD) or `target` (buffers over the working tree). */
  /** Every column of a snapshot (read once and kept with the samples); undefined when it cannot be read. */
  async snapshotColumns(snapshot: string): Promise<string[] | undefined> {
    return this.caches.snapshots.fileColumns(this.ws.config, snapshot).catch(() => undefined);
  }

  async readFile(side: 'base' | 'target', path: string): Promise<string | undefined> {
    const ws = this.editorWorkspace();
    const tree = side === 'base' ? ws.sides.base : ws.sides.target;
    return (await tree.readMany([path])).get(path);
  }

  /** The workspace with editor buffers laid over the working tree. */
  private editorWorkspace(): Workspace {
    const { sides } = this.ws;
    const overrides = new Map<string, OverlayEntry>();
    for (const [p, entry] of this.buffers) if (entry?.hash !== sides.target.hash(p)) overrides.set(p, entry);
    if (overrides.size === 0) return this.ws;
    const target = new OverlayTree('editor', sides.target, overrides);
    const changed = new Set(sides.changedPaths);
    for (const p of overrides.keys()) {
      if (sides.base.hash(p) !== target.hash(p)) changed.add(p);
      else changed.delete(p);
    }
    return { ...this.ws, sides: { ...sides, target, changedPaths: [...changed] }, targetLabel: 'editor' };
  }
}

/** Warmed-feature keys kept: a few thousand commits' worth of changed features. */
const MAX_WARMED = 20_000;
