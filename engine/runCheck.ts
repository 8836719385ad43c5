/**
 * `featureguard check`: static impact, then for every affected feature the base and target code
 * run on rows sampled from its snapshot, compared with the stored values (SPEC §4). Snapshots are
 * read once while unchanged; base and target of a feature run side by side in workers (a side
 * that runs alone, its base cached, in as many as the cores allow: exec/workerLanes.ts); a
 * feature whose code closures and snapshot are unchanged since the last run reuses its result.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ColumnScanCache, type ScannedColumns } from './cache/columnScanCache';
import { costsForShards, readCostsFile, recordCosts, shardCosts } from './cache/featureCosts';
import { cacheable, maxCacheBytes, ResultsCache, sideKey } from './cache/resultsCache';
import { thresholdsFrom } from './checks/thresholds';
import { forgetDerivedViews } from './checks/values';
import type { AffectedFeature, ImpactResult } from './analysis/impact';
import type { ModuleSummary } from './lang/frontEnd';
import { CancelledError, neverCancelled, throwIfCancelled, type CancellationToken } from './errors';
import { releaseDoublesTemplate } from './data/cellValue';
import { SnapshotLoader, type LoadedSnapshot } from './data/snapshotLoader';
import { columnsUsed } from './exec/columnsUsed';
import { findPython, requireModules, type PythonInterpreter } from './exec/python/interpreter';
import { checkHamiltonParameters } from './exec/python/hamiltonParameters';
import { pythonColumnsUsed } from './exec/python/pythonColumns';
import { runPythonFeatures, runPythonSide } from './exec/python/pythonSide';
import { bundleFeature, bundleFeatures, type BundleResult } from './exec/bundleFeature';
import { runFeatureSide, sideOutcome, workerJob, type SideOutcome } from './exec/featureRunner';
import { DEFAULT_MEMORY_MB, prestartWorkers, runBatch } from './exec/runInWorker';
import { dealToLanes, lanesPerSide, workerBudget } from './exec/workerLanes';
import type { FeatureReport, ModelReport, Report } from './report/reportTypes';
import { checkModels, modelsReached, preloadModels, prereadModelColumns, type ChangedFeature, type ModelCheckInput } from './models/checkModels';
import { ModelHost } from './models/modelHost';
import { buildReport, featureReport, impactOf } from './runImpact';
import { shardFeatures, type Shard } from './shard/partition';
import { releaseSortScratch } from './stats/sortNumbers';
import { checkFeature } from './verdict/checkFeature';
import { openWorkspace, type RunOptions, type Workspace } from './workspace';

export interface DataOptions {
  /** `--no-data`: static impact only. */
  noData?: boolean;
  /** False in an untrusted workspace: no workspace code runs. */
  execute?: boolean;
  memoryMb?: number;
  /** `--refresh`: remote snapshots are read again, whatever `.git/featureguard/snapshots/` holds. */
  refresh?: boolean;
  /** False (`--no-cache`): nothing read from remote snapshots is kept on disk. */
  diskCache?: boolean;
  /** Set by `check --shard`: the run the shard belongs to, under which its measured costs are kept (featureCosts.ts). */
  shardRun?: string;
  /**
   * Only run the sides and keep their values in the results cache (the language server's warm-up
   * of base values, `session/warmBase.ts`): no statistics, no stored column, no models.
   */
  valuesOnly?: boolean;
  /** Called as each feature's check (or, with `valuesOnly`, its run) is done, in order; `ran`: some side ran (was not cached). */
  onFeatureDone?: (feature: AffectedFeature, ran: boolean) => void;
  /**
   * Called where a long-lived caller may collect garbage (the language server, see
   * `server/collectGarbage.ts`): once the snapshots are read, before the run waits for its workers
   * (`read`); once the stored columns read after the workers got their inputs are in (`stored`,
   * while the workers run); once a feature's values are in, before its statistics (`values`: the
   * workers' replies, decoded, are garbage then); and after each feature's check, whose values are
   * then garbage (`feature`).
   */
  collect?: (after: 'read' | 'stored' | 'values' | 'feature') => void;
}

/** `check --shard I/N`: only this shard's part of the affected features is checked (see `engine/shard/partition.ts`). */
export interface ShardOptions {
  shard?: Shard;
}

export type CheckOptions = RunOptions & DataOptions & ShardOptions;

/** State kept between runs by a long-lived caller (the language server); the CLI uses a fresh one. */
export interface CheckCaches {
  snapshots: SnapshotLoader;
  /** Feature results by the hash of everything they depend on. */
  results: Map<string, Partial<FeatureReport>>;
  /** The target values of features that models read, by result key: a cached feature result still feeds its models. */
  modelValues: Map<string, readonly unknown[]>;
  /** The model worker with its open sessions (started at the first model). */
  models?: ModelHost;
  /** One side's values by everything they depend on, in memory and under `.git/featureguard/results/`. */
  sides: ResultsCache;
  /** The columns each module's code names, by content (`.git/featureguard/columns.json`; opened by the first check). */
  columns?: ColumnScanCache;
}

export function newCheckCaches(): CheckCaches {
  return { snapshots: new SnapshotLoader(), results: new Map(), modelValues: new Map(), sides: new ResultsCache() };
}

/** Ends what the caches hold open (the model worker). */
export function closeCheckCaches(caches: CheckCaches): void {
  caches.models?.close();
  caches.models = undefined;
}

export async function runCheck(options: CheckOptions, token: CancellationToken = neverCancelled): Promise<Report> {
  const started = performance.now();
  const ws = await openWorkspace(options);
  const caches = newCheckCaches();
  let report: Report;
  try {
    // With models configured, their worker starts while the impact is computed (one core is idle).
    if (ws.config.models.size && !options.noData && options.execute !== false) {
      caches.models = new ModelHost(ws.repo.root);
      caches.models.warm({ timeoutMs: ws.config.timeoutMs, memoryMb: options.memoryMb ?? DEFAULT_MEMORY_MB });
    }
    const impact = await impactOf(ws, token);
    if (options.shard) {
      // Balanced by what each feature last cost when the results cache knows it (featureCosts.ts).
      const shardRun = sideKey(['shard-run', options.shard.total, impact.features.map((a) => [a.feature.name, a.baseFingerprint, a.targetFingerprint])]);
      const known = options.diskCache === false ? new Map<string, number>() : costsForShards(readCostsFile(resultsDir(ws)), shardRun).costs;
      const { cost, basis } = shardCosts(impact.features.map((a) => a.feature.name), known);
      const mine = shardFeatures(impact.features.map((a) => a.feature), options.shard, ws.config, cost);
      report = await checkImpact(ws, { ...impact, features: impact.features.filter((a) => mine.has(a.feature.name)) }, { ...options, shardRun }, caches, token, started);
      report.shard = {
        index: options.shard.index,
        total: options.shard.total,
        costBasis: basis,
        features: impact.features.map((a) => a.feature.name),
        models: [...ws.config.models.keys()],
        rowsBySnapshot: caches.snapshots.rowsBySnapshot(),
      };
    } else report = await checkImpact(ws, impact, options, caches, token, started);
  } finally {
    closeCheckCaches(caches);
  }
  report.summary.timings = { impact: Math.round(report.summary.durationMs - sum(report.summary.timings)), ...report.summary.timings };
  return report;
}

/** `.git/featureguard/results/`: side results (resultsCache.ts) and feature costs (featureCosts.ts). */
function resultsDir(ws: Workspace): string {
  return join(ws.repo.commonDir, 'featureguard', 'results');
}

function sum(t: Record<string, number> | undefined): number {
  return Object.values(t ?? {}).reduce((a, b) => a + b, 0);
}

/** Wall time spent per phase of the data checks; base and target run side by side, so the slower counts. */
class PhaseTimes {
  readonly ms: Record<string, number> = { read: 0, bundle: 0, execute: 0, statistics: 0 };
  /** What each checked feature cost (both sides' run times and its statistics), for sharding. */
  readonly costs = new Map<string, number>();

  rounded(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.ms).map(([k, v]) => [k, Math.round(v)]));
  }
}

function isPython(a: AffectedFeature): boolean {
  return /\.pyi?$/.test(a.feature.file);
}

/** Runs the data checks of every affected feature and assembles the report. */
export async function checkImpact(ws: Workspace, impact: ImpactResult, options: DataOptions, caches: CheckCaches, token: CancellationToken, started = performance.now()): Promise<Report> {
  caches.snapshots.startRun();
  caches.snapshots.setRemoteCache(options.diskCache === false ? undefined : join(ws.repo.commonDir, 'featureguard', 'snapshots'), !!options.refresh);
  // `--no-cache`: side results are neither read nor written (in memory either).
  const sideCache = options.diskCache === false ? undefined : caches.sides;
  sideCache?.setDir(resultsDir(ws));
  // `--refresh` reads snapshots again: no sampled column is taken from the cache either.
  caches.snapshots.setSampleCache(options.refresh ? undefined : sideCache);
  const cacheStats = { baseHits: 0, targetHits: 0, misses: 0 };
  const times = new PhaseTimes();
  const features = impact.features.map((affected) => ({ affected, report: featureReport(affected, impact, 'not-checked') }));
  const runnable = features.filter(({ affected, report }) => report.verdict !== 'broken' && affected.feature.snapshot && !options.noData && options.execute !== false);
  // Python features run in the user's interpreter: found and checked before anything runs, so a
  // missing interpreter or module is one line (exit 2), not a finding per feature.
  const pythonFeatures = runnable.filter((r) => isPython(r.affected)).map((r) => r.affected.feature);
  const python = pythonFeatures.length ? findPython(ws.config, ws.repo.root, ws.editorPython) : undefined;
  if (python) requireModules(python, pythonFeatures);
  if (python) await checkHamiltonParameters(pythonFeatures, ws.config, impact.targetGraph, (name) => caches.snapshots.fileColumns(ws.config, name));
  const limits = { timeoutMs: ws.config.timeoutMs, memoryMb: options.memoryMb ?? DEFAULT_MEMORY_MB };
  const modelInput = (signal: AbortSignal): ModelCheckInput => {
    caches.models ??= new ModelHost(ws.repo.root);
    return { config: ws.config, snapshots: caches.snapshots, host: caches.models, limits, thresholds: thresholdsFrom(ws.config.thresholds), signal };
  };
  // The workers (one per side, or a side's share of the cores: workerLanes.ts) boot while the
  // snapshots are read and the code is bundled, when some feature has no cached result (a run
  // that reuses every result starts no process).
  let stopIdle = () => undefined as void;
  // Ends the workers when the run ends early: cancelled by a newer edit, or failed.
  const workers = new AbortController();
  const watch = setInterval(() => token.isCancellationRequested && workers.abort(), CANCEL_POLL_MS);
  try {
    // Bundling (esbuild, a process of its own) starts with the workers, before the snapshots are
    // read, and overlaps the reading; the bundle phase is the time then still waited for it.
    let bundling: Promise<SharedBundles> | undefined;
    const storedLater = new Map<string, string[]>();
    // When no result can be reused (no results cache, or an empty one: a CI machine, every shard
    // of a sharded check), the workers start now, booting while the columns are found and read,
    // rather than once every feature's key has been looked up.
    const nodeRunnable = runnable.filter((r) => !isPython(r.affected)).map((r) => r.affected);
    const early = nodeRunnable.length > 0 && caches.results.size === 0 && !sideCache?.mayHold();
    const budget = (sides: number) => workerBudget(!!options.valuesOnly, sides);
    const workersFor = (sides: number, features: number) => sides * lanesPerSide(budget(sides), sides, features);
    if (early) {
      const sides = nodeRunnable.some((a) => a.baseSymbol) ? 2 : 1;
      stopIdle = prestartWorkers(limits, ws.repo.root, workersFor(sides, nodeRunnable.length));
    }
    const jobs = await prepareJobs(ws, impact, runnable.map((r) => r.affected), limits, caches, sideCache, cacheStats, times, python, (nodeSides, pendingJobs) => {
      const nodePending = pendingJobs.filter((j) => !j.python).length;
      if (nodeSides > 0 && !early) stopIdle = prestartWorkers(limits, ws.repo.root, workersFor(nodeSides, nodePending));
      const node = pendingJobs.filter((j) => !j.python && runsSomeSide(j));
      bundling = sharedBundles(ws, impact, node);
      bundling.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
      if (node.length === 1) prebundle(ws, impact, node[0]);
    }, !!options.valuesOnly, storedLater);
    options.collect?.('read');
    // Models the affected features reach are opened while the features run.
    const reached = modelsReached(ws.config, runnable.map((r) => r.affected));
    const models = reached.size && !options.valuesOnly ? modelInput(workers.signal) : undefined;
    if (models) preloadModels(models, reached);
    // Node workers share bundles and batches; Python features run in their own interpreter.
    const pending = jobs.filter((j) => !j.cached && !j.python && runsSomeSide(j));
    throwIfCancelled(token);
    const bundleWait = performance.now();
    const shared = await (bundling ?? sharedBundles(ws, impact, pending));
    times.ms.bundle += performance.now() - bundleWait;
    // The stored columns are read once the first inputs are on their way to the workers; a
    // feature's check waits for them (job.load), and a failed read fails it there, as before.
    const readStored = () => {
      const loads = [...storedLater].map(([name, columns]) => caches.snapshots.load(ws.config, name, columns).catch(() => undefined));
      storedLater.clear();
      // Decoding them leaves as much garbage as the first read: collected while the workers run.
      if (loads.length) void Promise.all(loads).then(() => options.collect?.('stored'));
    };
    const ran = runSharedBatches(ws, pending, shared, caches, workers.signal, budget, readStored);
    for (const [job, outcomes] of runPythonBatches(ws, jobs.filter((j) => !j.cached && j.python && runsSomeSide(j)), caches, workers.signal)) ran.set(job, outcomes);
    if (models) prereadModelColumns(models, reached);
    await checkEach(ws, impact, jobs, runnable.map((r) => r.report), ran, caches, sideCache, times, token, workers.signal, options);
    const modelled = models ? await modelChecks(ws, jobs, runnable.map((r) => r.report), caches, models, times, token) : { reports: [], warnings: [] };
    const report = buildReport(ws, impact, features.map((f) => f.report), { rowsSampled: caches.snapshots.rowsSampled(), featuresChecked: jobs.length }, started);
    if (modelled.reports.length) report.models = modelled.reports;
    if (modelled.warnings.length) report.warnings = [...(report.warnings ?? []), ...modelled.warnings];
    if (jobs.length) report.summary.timings = times.rounded();
    if (jobs.length && sideCache) report.summary.cache = cacheStats;
    if (python && jobs.some((j) => j.python)) report.summary.python = { path: python.path, version: python.version };
    if (sideCache && maxCacheBytes() > 0) recordCosts(resultsDir(ws), times.costs, options.shardRun);
    return report;
  } finally {
    clearInterval(watch);
    workers.abort();
    stopIdle();
    sideCache?.prune();
    // What only this run needed (the language server keeps the caches, not these).
    forgetDerivedViews();
    releaseSortScratch();
    releaseDoublesTemplate();
  }
}

/**
 * Runs the models that read the features whose values changed (SPEC §10), with their target values
 * from this run or, for a feature whose result was reused, from the run that computed it.
 */
async function modelChecks(ws: Workspace, jobs: Job[], reports: FeatureReport[], caches: CheckCaches, input: ModelCheckInput, times: PhaseTimes, token: CancellationToken): Promise<{ reports: ModelReport[]; warnings: string[] }> {
  const started = performance.now();
  const changed: ChangedFeature[] = jobs.map((job, i) => {
    const report = reports[i];
    const runs = report.verdict !== 'identical' && report.verdict !== 'not-checked';
    const target = runs ? caches.modelValues.get(job.key) : undefined;
    return { feature: job.affected.feature, ...(target ? { target } : {}), ...(report.location ? { location: report.location } : {}), findings: report.findings };
  });
  const warnings: string[] = [];
  throwIfCancelled(token);
  const out = await checkModels(input, changed, warnings);
  throwIfCancelled(token);
  times.ms.models = (times.ms.models ?? 0) + performance.now() - started;
  return { reports: out, warnings };
}

/** Checks each job as its outcomes arrive, in job order, filling its feature's report. */
async function checkEach(ws: Workspace, impact: ImpactResult, jobs: Job[], reports: FeatureReport[], ran: Map<Job, BatchOutcomes>, caches: CheckCaches, sideCache: ResultsCache | undefined, times: PhaseTimes, token: CancellationToken, signal: AbortSignal, options: DataOptions): Promise<void> {
  try {
    for (const [i, job] of jobs.entries()) {
      throwIfCancelled(token);
      Object.assign(reports[i], job.cached ?? (await dataCheck(ws, impact, job, caches, sideCache, times, ran.get(job) ?? {}, signal, !!options.valuesOnly, options.collect)));
      options.onFeatureDone?.(job.affected, !job.cached && runsSomeSide(job));
      ran.get(job)?.consumed?.();
      // Its outcomes hold the feature's values (and the statistics derived from them): let them go.
      ran.delete(job);
      options.collect?.('feature');
    }
  } finally {
    // Unblocks the workers of features not checked (a cancelled or failed run also kills them).
    for (const outcomes of ran.values()) outcomes.consumed?.();
  }
}

/** One feature's data check, ready to run: its rows, its result key, and a result when cached. */
interface Job {
  affected: AffectedFeature;
  /** The feature's rows, built when the feature is checked (hundreds of tables must not coexist). */
  load: () => Promise<LoadedSnapshot>;
  /** Changes whenever the snapshot file or its sampling changes. */
  identity: string;
  key: string;
  limits: { timeoutMs: number; memoryMb: number };
  /** The columns of its rows (undefined: all). */
  columns?: string[];
  cached?: Partial<FeatureReport>;
  /** The interpreter of a Python feature. */
  python?: PythonInterpreter;
  /** Each side's results-cache key (none with `--no-cache`, or for a base side that does not exist). */
  sideKeys?: { base?: string; target?: string };
  /** Sides whose outcome the results cache has: they are not run (their values are read when the feature is checked). */
  cachedSides?: { base?: true; target?: true };
  /** The run's cache counters, set with `cachedSides`: a side found there and gone when read becomes a miss. */
  cacheStats?: { baseHits: number; targetHits: number; misses: number };
  /** Bundles started early for a feature checked alone (`prebundle`). */
  prebundled?: { base?: Promise<BundleResult>; target?: Promise<BundleResult> };
}

/** Whether some side of the job still has to run (one whose outcome is not cached). */
function runsSomeSide(j: Job): boolean {
  return (!!j.affected.baseSymbol && !j.cachedSides?.base) || !j.cachedSides?.target;
}

/**
 * Looks each feature's result up in the cache, then reads, for each snapshot, the union of the
 * columns the other features need in one pass. `onPending` is called, before the reads, when some
 * feature has no cached result: only then do workers have anything to do.
 */
async function prepareJobs(
  ws: Workspace,
  impact: ImpactResult,
  affected: AffectedFeature[],
  limits: Job['limits'],
  caches: CheckCaches,
  sideCache: ResultsCache | undefined,
  stats: { baseHits: number; targetHits: number; misses: number },
  times: PhaseTimes,
  python: PythonInterpreter | undefined,
  onPending: (nodeSides: number, pending: Job[]) => void,
  valuesOnly = false,
  storedLater?: Map<string, string[]>,
): Promise<Job[]> {
  const readStarted = performance.now();
  const needed = new Map<AffectedFeature, string[] | undefined>();
  const sideColumnsOf = new Map<AffectedFeature, ColumnsNeeded['sides']>();
  const jobs: Job[] = [];
  for (const a of affected) {
    const feature = a.feature;
    const identity = await caches.snapshots.identityOf(ws.config, feature.snapshot!);
    const load = () => caches.snapshots.load(ws.config, feature.snapshot!, needed.get(a));
    const snapshot = ws.config.snapshots.get(feature.snapshot!)!;
    const acknowledged = ws.config.acknowledged.get(feature.name);
    const runtime = isPython(a) && python ? { python: python.path, version: python.version } : undefined;
    const key = resultKey([feature, a.baseFingerprint, a.targetFingerprint, identity, limits, snapshot.sliceBy, ws.config.thresholds, acknowledged, runtime]);
    const hit = caches.results.get(key);
    // Lines move when code above the feature is edited; the result does not.
    const cached = hit && { ...hit, findings: hit.findings?.map((f) => ({ ...f, location: a.location })) };
    jobs.push({ affected: a, load, identity, key, limits, ...(cached ? { cached } : {}), ...(isPython(a) && python ? { python } : {}) });
  }
  const pending = jobs.filter((j) => !j.cached);
  for (const j of jobs) if (j.cached) countCachedJob(j, stats);
  // On disk beside the other caches unless `--no-cache` (then in memory, for this run).
  const scans: Scans = { cache: (caches.columns ??= new ColumnScanCache(sideCache ? join(ws.repo.commonDir, 'featureguard', 'columns.json') : undefined)), run: new Map() };
  const bySnapshot = new Map<string, AffectedFeature[]>();
  for (const { affected: a } of pending) {
    const name = a.feature.snapshot!;
    const columns = await columnsToRead(ws, impact, a, await caches.snapshots.fileColumns(ws.config, name), scans);
    needed.set(a, columns.all);
    sideColumnsOf.set(a, columns.sides);
    bySnapshot.set(name, [...(bySnapshot.get(name) ?? []), a]);
  }
  scans.cache.save();
  const packages = sideCache && pending.some((j) => !j.python) ? packagesIdentity(ws.repo.root) : undefined;
  // The sides that will run in Node: the workers to start follow from them (runSharedBatches,
  // workerLanes.ts); the warm-up, which runs one side in the background, starts one.
  let baseRuns = false;
  let targetRuns = false;
  for (const j of pending) {
    j.columns = needed.get(j.affected);
    if (sideCache) lookUpSides(ws, impact, j, sideColumnsOf.get(j.affected)!, limits, sideCache, stats, packages);
    if (j.python) continue;
    baseRuns ||= !!j.affected.baseSymbol && !j.cachedSides?.base;
    targetRuns ||= !j.cachedSides?.target;
  }
  if (pending.length) onPending(Number(baseRuns) + Number(targetRuns), pending);
  const jobOf = new Map(jobs.map((j) => [j.affected, j]));
  for (const [name, group] of bySnapshot) {
    const lists = group.map((a) => needed.get(a));
    const union = lists.some((l) => l === undefined) ? undefined : [...new Set(lists.flat() as string[])];
    // The stored columns come along in the same pass while they are small together; beyond that
    // each is read when its feature is checked and dropped after (see dataCheck).
    const stored = group.map((a) => a.feature.column);
    const rows = ws.config.snapshots.get(name)!.sampleRows || Infinity;
    // Values only (the warm-up) compare with nothing: no stored column (150 MB of the language
    // server's heap for the 50 features of the 500-module benchmark workspace).
    const withStored = union && !valuesOnly && rows * stored.length <= STORED_IN_ONE_PASS ? [...new Set([...union, ...stored])] : union;
    // Where Node workers will take this snapshot's inputs, the stored columns are read after the
    // first inputs have gone to them (`storedLater`): the workers build rows and run the first
    // features meanwhile, instead of waiting for columns only the statistics need.
    const toWorkers = group.some((a) => !jobOf.get(a)!.python && runsSomeSide(jobOf.get(a)!));
    if (storedLater && withStored !== union && toWorkers) {
      storedLater.set(name, withStored!);
      await caches.snapshots.load(ws.config, name, union);
    } else await caches.snapshots.load(ws.config, name, withStored);
  }
  times.ms.read += performance.now() - readStarted;
  return jobs;
}

/** Each side's features in one bundle, keyed `__f<i>` by job; undefined for a side that fails to bundle. */
interface SharedBundles {
  base?: { code: string; keys: Map<Job, string> };
  target?: { code: string; keys: Map<Job, string> };
}

async function sharedBundles(ws: Workspace, impact: ImpactResult, jobs: Job[]): Promise<SharedBundles> {
  if (jobs.length < 2) return {};
  const side = async (tree: Workspace['sides']['base'], graph: ImpactResult['baseGraph'], withSymbol: (j: Job) => boolean) => {
    const members = jobs.filter(withSymbol);
    if (members.length === 0) return undefined;
    const keys = new Map(members.map((j, i) => [j, `__f${i}`]));
    const files = [...new Set(members.flatMap((j) => graph.moduleClosure(j.affected.feature.file)))];
    const bundle = await bundleFeatures(tree, ws.frontEnd, members.map((j) => ({ file: j.affected.feature.file, exportName: j.affected.feature.exportName, key: keys.get(j)! })), files, ws.bundles);
    return bundle.ok ? { code: bundle.code, keys } : undefined;
  };
  const [base, target] = await Promise.all([
    side(ws.sides.base, impact.baseGraph, (j) => !!j.affected.baseSymbol && !j.cachedSides?.base),
    side(ws.sides.target, impact.targetGraph, (j) => !j.cachedSides?.target),
  ]);
  return { base, target };
}

/**
 * A feature checked alone is bundled per side by `runFeatureSide`; started here, before the
 * snapshot is read, the bundles are ready (or nearly) when the rows are.
 */
function prebundle(ws: Workspace, impact: ImpactResult, job: Job): void {
  const { feature } = job.affected;
  const start = (tree: Workspace['sides']['base'], graph: ImpactResult['baseGraph']) => {
    const p = bundleFeature(tree, ws.frontEnd, feature.file, feature.exportName, graph.moduleClosure(feature.file), ws.bundles);
    p.catch(() => undefined); // awaited by runFeatureSide; not an unhandled rejection meanwhile
    return p;
  };
  job.prebundled = {
    ...(job.affected.baseSymbol && !job.cachedSides?.base ? { base: start(ws.sides.base, impact.baseGraph) } : {}),
    ...(!job.cachedSides?.target ? { target: start(ws.sides.target, impact.targetGraph) } : {}),
  };
}

/** What the shared batches produce for a job, per side, as each becomes known. */
interface BatchOutcomes {
  base?: Promise<SideOutcome>;
  target?: Promise<SideOutcome>;
  /** Tells the workers this job's results were used, so they may go on (see `runBatch`). */
  consumed?: () => void;
}

/**
 * Starts each side's pending features in one worker per snapshot (rows built once, a fresh worker
 * after a feature that times out or crashes), base and target side by side; a side that runs alone
 * deals its features to as many workers as `budget` allows. Returns at once: each
 * job's outcomes arrive as promises, so a feature is checked — and its values dropped — while the
 * workers go on with the next ones.
 */
function runSharedBatches(ws: Workspace, jobs: Job[], shared: SharedBundles, caches: CheckCaches, signal: AbortSignal, budget: (sides: number) => number, onSent: () => void = () => undefined): Map<Job, BatchOutcomes> {
  const out = new Map<Job, BatchOutcomes>(jobs.map((j) => [j, {}]));
  const resolvers = new Map<Job, { base?: (o: SideOutcome) => void; target?: (o: SideOutcome) => void }>(jobs.map((j) => [j, {}]));
  /**
   * Settles a job's side once and forgets the resolver: a resolver keeps its promise, and so the
   * feature's values, reachable — held for every feature until the run ends, that was gigabytes
   * at a million rows.
   */
  const settle = (j: Job, which: 'base' | 'target', outcome: SideOutcome) => {
    const r = resolvers.get(j)!;
    const resolve = r[which];
    delete r[which];
    resolve?.(outcome);
  };
  const consumed = new Map<Job, Promise<void>>();
  for (const j of jobs) consumed.set(j, new Promise<void>((resolve) => (out.get(j)!.consumed = resolve)));
  for (const which of ['base', 'target'] as const) {
    const bundle = shared[which];
    if (!bundle) continue;
    for (const j of jobs) {
      if (!bundle.keys.has(j)) continue;
      out.get(j)![which] = new Promise<SideOutcome>((resolve) => (resolvers.get(j)![which] = resolve));
    }
  }
  const bySnapshot = new Map<string, Job[]>();
  for (const j of jobs) bySnapshot.set(j.affected.feature.snapshot!, [...(bySnapshot.get(j.affected.feature.snapshot!) ?? []), j]);
  const runAll = async () => {
    for (const [name, group] of bySnapshot) {
      const lists = group.map((j) => j.columns);
      const sample = (await caches.snapshots.load(ws.config, name, lists.some((l) => l === undefined) ? undefined : [...new Set(lists.flat() as string[])])).sample;
      const membersOf = (which: 'base' | 'target') => group.filter((j) => shared[which]?.keys.has(j));
      const members = { base: membersOf('base'), target: membersOf('target') };
      const sides = Number(members.base.length > 0) + Number(members.target.length > 0);
      const side = async (which: 'base' | 'target') => {
        const bundle = shared[which];
        if (!bundle || members[which].length === 0) return;
        // One worker per side, or several for a side that runs alone (see workerLanes.ts).
        const lanes = dealToLanes(members[which], lanesPerSide(budget(sides), sides, members[which].length));
        await Promise.all(lanes.map(async (lane) => {
          const jobsOf = lane.map((j) => workerJob(j.affected.feature, bundle.keys.get(j)!, sample.rowCount));
          await runBatch({ code: bundle.code, requireFrom: ws.repo.root, rowCount: sample.rowCount, columns: sample.columns, jobs: jobsOf }, group[0].limits, (i, outcome) => {
            settle(lane[i], which, sideOutcome(outcome, { bundleMs: 0, executeMs: 0 }));
            return consumed.get(lane[i]);
          }, signal);
          // A cancelled batch leaves the rest without outcomes: nobody may wait for them for ever.
          for (const j of lane) settle(j, which, cancelled());
        }));
      };
      // Each side's batch is sent as its run starts (runBatch sends before its first wait).
      const running = Promise.all([side('base'), side('target')]);
      onSent();
      await running;
    }
    onSent();
  };
  // A failure to start is every pending job's failure, never an unhandled rejection.
  runAll().catch((err) => {
    onSent();
    const failed: SideOutcome = { ok: false, reason: 'crash', message: `the workers failed: ${(err as Error)?.message ?? err}` };
    for (const j of resolvers.keys()) {
      settle(j, 'base', failed);
      settle(j, 'target', failed);
    }
  });
  return out;
}

/**
 * Starts each side's pending Python features in one interpreter process per snapshot (columns
 * decoded once, a fresh process after a feature that times out or ends it), base and target side
 * by side. Returns at once with a promise per job and side, like `runSharedBatches`.
 */
function runPythonBatches(ws: Workspace, jobs: Job[], caches: CheckCaches, signal: AbortSignal): Map<Job, BatchOutcomes> {
  const out = new Map<Job, BatchOutcomes>();
  const bySnapshot = new Map<string, Job[]>();
  for (const j of jobs) bySnapshot.set(j.affected.feature.snapshot!, [...(bySnapshot.get(j.affected.feature.snapshot!) ?? []), j]);
  for (const [name, group] of bySnapshot) {
    const sides = [
      { which: 'base' as const, tree: ws.sides.base, members: group.filter((j) => j.affected.baseSymbol && !j.cachedSides?.base) },
      { which: 'target' as const, tree: ws.sides.target, members: group.filter((j) => !j.cachedSides?.target) },
    ];
    for (const { which, tree, members } of sides) {
      if (members.length === 0) continue;
      const resolvers: ((o: SideOutcome) => void)[] = [];
      for (const j of members) {
        const entry = out.get(j) ?? {};
        entry[which] = new Promise<SideOutcome>((resolve) => resolvers.push(resolve));
        out.set(j, entry);
      }
      const settle = (i: number, o: SideOutcome) => {
        const r = resolvers[i];
        delete resolvers[i];
        r?.(o);
      };
      (async () => {
        const lists = members.map((j) => j.columns);
        const loaded = await caches.snapshots.load(ws.config, name, lists.some((l) => l === undefined) ? undefined : [...new Set(lists.flat() as string[])]);
        await runPythonFeatures(members[0].python!.path, tree, ws.config, ws.repo.root, members.map((j) => j.affected.feature), loaded, members[0].limits, settle, signal, lists);
      })()
        .catch((err) => {
          for (let i = 0; i < members.length; i++) settle(i, { ok: false, reason: 'crash', message: `the Python worker failed: ${(err as Error)?.message ?? err}` });
        })
        .finally(() => {
          for (let i = 0; i < members.length; i++) settle(i, cancelled());
        });
    }
  }
  return out;
}

async function dataCheck(ws: Workspace, impact: ImpactResult, job: Job, caches: CheckCaches, sideCache: ResultsCache | undefined, times: PhaseTimes, batched: BatchOutcomes, signal: AbortSignal, valuesOnly = false, collect?: DataOptions['collect']): Promise<Partial<FeatureReport>> {
  const { affected, limits } = job;
  // The stored columns may still be being read (checkImpact's storedLater).
  const loadStarted = performance.now();
  const loaded = await job.load();
  times.ms.read += performance.now() - loadStarted;
  const feature = affected.feature;
  // An empty sample says nothing about the edit: not "identical", not checked.
  if (loaded.rows.length === 0) return { verdict: 'not-checked', metrics: { rows: 0 } };
  const run = async (tree: Workspace['sides']['base'], graph: ImpactResult['baseGraph'], batched: Promise<SideOutcome> | undefined, which: 'base' | 'target'): Promise<SideOutcome> => {
    const key = job.sideKeys?.[which];
    if (job.cachedSides?.[which]) {
      const hit = key ? sideCache?.get(key) : undefined;
      if (hit) return { ok: true, result: hit, timings: { bundleMs: 0, executeMs: 0 } };
      // Gone since the look-up (pruned by another process, or unreadable): a miss, run alone
      // (it was left out of the shared batch).
      const stats = job.cacheStats;
      if (stats) {
        if (which === 'base') stats.baseHits--;
        else stats.targetHits--;
        stats.misses++;
      }
    }
    const outcome = await runSide(tree, graph, batched, which);
    if (key && sideCache && cacheable(outcome)) sideCache.set(key, outcome.result);
    return outcome;
  };
  const runSide = async (tree: Workspace['sides']['base'], graph: ImpactResult['baseGraph'], batched: Promise<SideOutcome> | undefined, which: 'base' | 'target'): Promise<SideOutcome> => {
    if (job.python) {
      const waitStarted = performance.now();
      const pre = await batched;
      if (pre) pre.timings = { bundleMs: pre.timings?.bundleMs ?? 0, executeMs: performance.now() - waitStarted };
      return pre ?? runPythonSide(job.python.path, tree, ws.config, ws.repo.root, feature, loaded, limits, signal);
    }
    // A feature outside the shared batch, or one whose shared bundle failed to load (another
    // feature's module may throw at load time), runs on its own.
    // Waiting for the workers is this feature's execution time.
    const waitStarted = performance.now();
    const pre = await batched;
    if (pre) pre.timings = { bundleMs: 0, executeMs: performance.now() - waitStarted };
    if (pre && (pre.ok || pre.reason !== 'load')) return pre;
    return runFeatureSide(tree, ws.frontEnd, feature, feature.file, loaded.sample, ws.repo.root, limits, graph.moduleClosure(feature.file), ws.bundles, signal, job.prebundled?.[which]);
  };
  const [base, target] = await Promise.all([
    affected.baseSymbol ? run(ws.sides.base, impact.baseGraph, batched.base, 'base') : Promise.resolve(undefined),
    run(ws.sides.target, impact.targetGraph, batched.target, 'target'),
  ]);
  // Never a result (nor a cached one) from a run that was stopped half-way.
  if ((base && !base.ok && base.reason === 'cancelled') || (!target.ok && target.reason === 'cancelled')) throw new CancelledError();
  if (valuesOnly) return { verdict: 'not-checked' };
  times.ms.bundle += Math.max(base?.timings?.bundleMs ?? 0, target.timings?.bundleMs ?? 0);
  times.ms.execute += Math.max(base?.timings?.executeMs ?? 0, target.timings?.executeMs ?? 0);
  const readStarted = performance.now();
  // The stored column is read for this feature alone and dropped with its values afterwards: a
  // run over hundreds of features must not hold every stored column at once.
  const stored = loaded.column(feature.column) ?? (await caches.snapshots.readColumn(ws.config, feature.snapshot!, feature.column));
  times.ms.read += performance.now() - readStarted;
  const fileColumns = await caches.snapshots.fileColumns(ws.config, feature.snapshot!);
  // The statistics allocate tens of megabytes at a million rows: they reuse the space of the
  // replies' garbage instead of adding to it.
  collect?.('values');
  const statsStarted = performance.now();
  const snapshot = ws.config.snapshots.get(feature.snapshot!)!;
  const result = checkFeature({
    feature,
    location: affected.location,
    rows: loaded.rows,
    stored,
    sliceBy: snapshot.sliceBy,
    fileColumns,
    base,
    target,
    thresholds: thresholdsFrom(ws.config.thresholds),
    acknowledged: ws.config.acknowledged.get(feature.name),
    ...(snapshot.sampleBlocks ? { blocks: { rows: snapshot.sampleBlocks.rows, warmupRows: snapshot.sampleBlocks.warmupRows } } : {}),
  });
  const statsMs = performance.now() - statsStarted;
  times.ms.statistics += statsMs;
  times.costs.set(feature.name, (base?.ok ? base.result.runMs : 0) + (target.ok ? target.result.runMs : 0) + statsMs);
  // A model reading this feature is fed its target values, now or when the result is reused.
  if (target.ok && modelsRead(ws, feature)) {
    caches.modelValues.set(job.key, target.result.values);
    if (caches.modelValues.size > MAX_MODEL_VALUES) caches.modelValues.delete(caches.modelValues.keys().next().value!);
  }
  // A copy: the report's findings list grows by the model findings of this run, the cached one must not.
  caches.results.set(job.key, { ...result, findings: [...(result.findings ?? [])] });
  if (caches.results.size > MAX_CACHED_RESULTS) caches.results.delete(caches.results.keys().next().value!);
  return result;
}

/** The columns a feature's rows need (undefined: all), and what each side's code can read (null: any). */
interface ColumnsNeeded {
  all: string[] | undefined;
  sides: { base?: string[] | null; target: string[] | null };
}

/**
 * The snapshot columns a feature's rows need: those the base or target code can read and the
 * slices (the stored column is read beside them). All of them when the code imports a package (not looked into) or
 * enumerates rows (see `columnsUsed`). Each side's own columns key its cached values: an edit that
 * makes the target read one more column leaves the base's key as it was.
 */
async function columnsToRead(ws: Workspace, impact: ImpactResult, affected: AffectedFeature, fileColumns: string[], scans: Scans): Promise<ColumnsNeeded> {
  const feature = affected.feature;
  const sides = [
    ...(affected.baseSymbol ? [{ which: 'base' as const, tree: ws.sides.base, graph: impact.baseGraph }] : []),
    { which: 'target' as const, tree: ws.sides.target, graph: impact.targetGraph },
  ];
  const bySide: ColumnsNeeded['sides'] = { target: null };
  for (const { which, tree, graph } of sides) {
    bySide[which] = await sideColumns(affected, tree, graph, fileColumns, scans);
  }
  const snapshot = ws.config.snapshots.get(feature.snapshot!)!;
  const lists = [bySide.base, bySide.target].filter((l) => l !== undefined);
  const all = lists.some((l) => l === null) ? undefined : [...new Set([...lists.flat(), ...snapshot.sliceBy] as string[])];
  return { all, sides: bySide };
}

/**
 * Which columns modules name: kept between runs (`cache`) and, within a run, by snapshot columns,
 * side and path (`run`), so that the features sharing a closure look each module up once.
 */
interface Scans {
  cache: ColumnScanCache;
  run: Map<readonly string[], Map<Workspace['sides']['base'], Map<string, ScannedColumns>>>;
}

/** The columns one side's code can read, sorted; null when it may read any. */
async function sideColumns(affected: AffectedFeature, tree: Workspace['sides']['base'], graph: ImpactResult['baseGraph'], fileColumns: string[], scans: Scans): Promise<string[] | null> {
  const files = graph.moduleClosure(affected.feature.file);
  // A TypeScript package may read any column; Python packages (pandas) are handed columns by name.
  const python = isPython(affected);
  const importsPackage = !python && files.some((f) => importsAPackage(graph.modules.get(f)!));
  if (importsPackage) return null;
  // Features share most of their modules: each file is scanned once, by content, and kept for the
  // next run (columnScanCache.ts); a file with no content hash is scanned for this run alone.
  const bySide = scans.run.get(fileColumns) ?? scans.run.set(fileColumns, new Map()).get(fileColumns)!;
  const known = bySide.get(tree) ?? bySide.set(tree, new Map()).get(tree)!;
  const unknown = files.filter((f) => !known.has(f));
  if (unknown.length) {
    const keys = new Map(unknown.map((f) => [f, scans.cache.key(f, tree.hash(f), fileColumns)]));
    const unscanned = unknown.filter((f) => keys.get(f) === undefined || !scans.cache.has(keys.get(f)!));
    const texts = unscanned.length ? await tree.readMany(unscanned) : new Map<string, string>();
    for (const f of unscanned) {
      const cols = (/\.pyi?$/.test(f) ? pythonColumnsUsed : columnsUsed)(texts.get(f) ?? '', fileColumns) ?? null;
      const k = keys.get(f);
      if (k !== undefined) scans.cache.set(k, cols);
      known.set(f, cols);
    }
    for (const f of unknown) if (!known.has(f)) known.set(f, scans.cache.get(keys.get(f)!)!);
  }
  const used = new Set<string>();
  for (const f of files) {
    const cols = known.get(f);
    if (!cols) return null;
    for (const c of cols) used.add(c);
  }
  return [...used].sort();
}

/** Whether a module imports a package, remembered per summary (features share most modules). */
function importsAPackage(module: ModuleSummary): boolean {
  let known = packageImporters.get(module);
  if (known === undefined) packageImporters.set(module, (known = module.imports.some((i) => !i.specifier.startsWith('.'))));
  return known;
}
const packageImporters = new WeakMap<ModuleSummary, boolean>();

/** Whether some configured model reads the feature (by `consumers`, or as a bound input). */
function modelsRead(ws: Workspace, feature: AffectedFeature['feature']): boolean {
  return modelsReached(ws.config, [{ feature }]).size > 0;
}

/** Target value lists kept for models: a few features' worth of sampled rows. */
const MAX_MODEL_VALUES = 64;

/** How often a run looks at its cancellation token while workers run. */
const CANCEL_POLL_MS = 50;

const cancelled = (): SideOutcome => ({ ok: false, reason: 'cancelled', message: 'the check was cancelled' });

/** Stored values (rows × features) read in one pass with the inputs: about 80 MB of numbers. */
const STORED_IN_ONE_PASS = 10_000_000;

/** Enough for every feature of a large workspace, a few versions each. */
const MAX_CACHED_RESULTS = 1000;

function resultKey(parts: unknown[]): string {
  return createHash('sha1').update(JSON.stringify(parts)).digest('hex');
}

/**
 * Each side's results-cache key and, when the cache has it, its outcome. The key is everything a
 * side's values depend on: the side's closure fingerprint and the content hash of every module of
 * its closure (top-level code runs when the bundle loads), the feature's config as far as running
 * goes, the snapshot's identity (file content, sample rows, seed), the columns the code reads,
 * the time and memory limits, and the runtime (Node's major version — the editor's server runs on
 * VS Code's Electron build of it, the CLI on the system's, and both should share the base values —
 * and the installed packages' manifests, or the Python interpreter's path, version and import roots).
 */
function lookUpSides(ws: Workspace, impact: ImpactResult, j: Job, sideColumns: ColumnsNeeded['sides'], limits: Job['limits'], cache: ResultsCache, stats: { baseHits: number; targetHits: number; misses: number }, packages: string | undefined): void {
  const f = j.affected.feature;
  const feature = { name: f.name, source: f.source, file: f.file, exportName: f.exportName, snapshot: f.snapshot, column: f.column, kind: f.kind, output: f.output, examples: f.examples };
  const runtime = j.python ? { python: j.python.path, version: j.python.version, paths: ws.config.python.paths } : { node: process.versions.node.split('.')[0], packages };
  const common = { feature, identity: j.identity, timeoutMs: limits.timeoutMs, memoryMb: limits.memoryMb, runtime };
  const sides = [
    ...(j.affected.baseSymbol ? [{ which: 'base' as const, fingerprint: j.affected.baseFingerprint, tree: ws.sides.base, graph: impact.baseGraph }] : []),
    { which: 'target' as const, fingerprint: j.affected.targetFingerprint, tree: ws.sides.target, graph: impact.targetGraph },
  ];
  j.sideKeys = {};
  for (const { which, fingerprint, tree, graph } of sides) {
    const modules = graph.moduleClosure(f.file).map((m) => `${m}\0${tree.hash(m)}`);
    // A TypeScript feature's values depend on the columns its code reads; a Python feature may be
    // handed a whole frame of the columns it is given (those of both sides).
    const columns = j.python ? (j.columns ?? null) : sideColumns[which];
    const key = sideKey({ side: fingerprint, modules, columns, ...common });
    j.sideKeys[which] = key;
    // Its values are read when the feature is checked (see `dataCheck`), not held from now on.
    if (!cache.has(key)) {
      stats.misses++;
      continue;
    }
    (j.cachedSides ??= {})[which] = true;
    j.cacheStats = stats;
    if (which === 'base') stats.baseHits++;
    else stats.targetHits++;
  }
}

/** A job whose whole result was reused (the language server): neither side runs. */
function countCachedJob(j: Job, stats: { baseHits: number; targetHits: number }): void {
  if (j.affected.baseSymbol) stats.baseHits++;
  stats.targetHits++;
}

/** The installed packages a Node feature may require, by their manifests' size and mtime. */
function packagesIdentity(root: string): string {
  return ['package.json', 'package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'node_modules/.package-lock.json']
    .map((name) => {
      try {
        const st = statSync(join(root, name));
        return `${name}:${st.size}:${st.mtimeMs}`;
      } catch {
        return '';
      }
    })
    .join('|');
}
