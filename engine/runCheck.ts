/**
 * `featureguard check`: static impact, then for every affected feature the base and target code
 * run on rows sampled from its snapshot, compared with the stored values (SPEC §4). Snapshots are
 * read once while unchanged; base and target of a feature run side by side in two workers; a
 * feature whose code closures and snapshot are unchanged since the last run reuses its result.
 */
import { createHash } from 'node:crypto';
import { thresholdsFrom } from './checks/thresholds';
import type { AffectedFeature, ImpactResult } from './analysis/impact';
import { neverCancelled, throwIfCancelled, type CancellationToken } from './errors';
import { SnapshotLoader } from './data/snapshotLoader';
import { columnsUsed } from './exec/columnsUsed';
import { runFeatureSide } from './exec/featureRunner';
import { DEFAULT_MEMORY_MB } from './exec/runInWorker';
import type { FeatureReport, Report } from './report/reportTypes';
import { buildReport, featureReport, impactOf } from './runImpact';
import { checkFeature } from './verdict/checkFeature';
import { openWorkspace, type RunOptions, type Workspace } from './workspace';

export interface DataOptions {
  /** `--no-data`: static impact only. */
  noData?: boolean;
  /** False in an untrusted workspace: no workspace code runs. */
  execute?: boolean;
  memoryMb?: number;
}

export type CheckOptions = RunOptions & DataOptions;

/** State kept between runs by a long-lived caller (the language server); the CLI uses a fresh one. */
export interface CheckCaches {
  snapshots: SnapshotLoader;
  /** Feature results by the hash of everything they depend on. */
  results: Map<string, Partial<FeatureReport>>;
}

export function newCheckCaches(): CheckCaches {
  return { snapshots: new SnapshotLoader(), results: new Map() };
}

export async function runCheck(options: CheckOptions, token: CancellationToken = neverCancelled): Promise<Report> {
  const started = performance.now();
  const ws = await openWorkspace(options);
  const impact = await impactOf(ws, token);
  const report = await checkImpact(ws, impact, options, newCheckCaches(), token, started);
  report.summary.timings = { impact: Math.round(report.summary.durationMs - sum(report.summary.timings)), ...report.summary.timings };
  return report;
}

function sum(t: Record<string, number> | undefined): number {
  return Object.values(t ?? {}).reduce((a, b) => a + b, 0);
}

/** Wall time spent per phase of the data checks; base and target run side by side, so the slower counts. */
class PhaseTimes {
  readonly ms = { read: 0, bundle: 0, execute: 0, statistics: 0 };

  rounded(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.ms).map(([k, v]) => [k, Math.round(v)]));
  }
}

/** Runs the data checks of every affected feature and assembles the report. */
export async function checkImpact(ws: Workspace, impact: ImpactResult, options: DataOptions, caches: CheckCaches, token: CancellationToken, started = performance.now()): Promise<Report> {
  caches.snapshots.startRun();
  const features: FeatureReport[] = [];
  const times = new PhaseTimes();
  let checked = 0;
  for (const affected of impact.features) {
    throwIfCancelled(token);
    const report = featureReport(affected, impact, 'not-checked');
    const runnable = report.verdict !== 'broken' && affected.feature.snapshot && !options.noData && options.execute !== false;
    if (runnable) {
      Object.assign(report, await dataCheck(ws, impact, affected, options, caches, times));
      checked++;
    }
    features.push(report);
  }
  const rowsSampled = caches.snapshots.rowsSampled();
  const report = buildReport(ws, impact, features, { rowsSampled, featuresChecked: checked }, started);
  if (checked) report.summary.timings = times.rounded();
  return report;
}

async function dataCheck(ws: Workspace, impact: ImpactResult, affected: AffectedFeature, options: DataOptions, caches: CheckCaches, times: PhaseTimes): Promise<Partial<FeatureReport>> {
  const feature = affected.feature;
  const readStarted = performance.now();
  const columns = await columnsToRead(ws, impact, affected, await caches.snapshots.fileColumns(ws.config, feature.snapshot!));
  const loaded = await caches.snapshots.load(ws.config, feature.snapshot!, columns);
  times.ms.read += performance.now() - readStarted;
  const limits = { timeoutMs: ws.config.timeoutMs, memoryMb: options.memoryMb ?? DEFAULT_MEMORY_MB };
  const snapshot = ws.config.snapshots.get(feature.snapshot!)!;
  const acknowledged = ws.config.acknowledged.get(feature.name);
  const key = resultKey([feature, affected.baseFingerprint, affected.targetFingerprint, loaded.identity, limits, snapshot.sliceBy, ws.config.thresholds, acknowledged]);
  const cached = caches.results.get(key);
  // Lines move when code above the feature is edited; the result does not.
  if (cached) return { ...cached, findings: cached.findings?.map((f) => ({ ...f, location: affected.location })) };
  const [base, target] = await Promise.all([
    affected.baseSymbol
      ? runFeatureSide(ws.sides.base, ws.frontEnd, feature, feature.file, loaded.sample, ws.repo.root, limits, impact.baseGraph.moduleClosure(feature.file))
      : Promise.resolve(undefined),
    runFeatureSide(ws.sides.target, ws.frontEnd, feature, feature.file, loaded.sample, ws.repo.root, limits, impact.targetGraph.moduleClosure(feature.file)),
  ]);
  times.ms.bundle += Math.max(base?.timings?.bundleMs ?? 0, target.timings?.bundleMs ?? 0);
  times.ms.execute += Math.max(base?.timings?.executeMs ?? 0, target.timings?.executeMs ?? 0);
  const statsStarted = performance.now();
  const result = checkFeature({
    feature,
    location: affected.location,
    table: loaded.table,
    sliceBy: snapshot.sliceBy,
    base,
    target,
    thresholds: thresholdsFrom(ws.config.thresholds),
    acknowledged,
  });
  times.ms.statistics += performance.now() - statsStarted;
  caches.results.set(key, result);
  if (caches.results.size > MAX_CACHED_RESULTS) caches.results.delete(caches.results.keys().next().value!);
  return result;
}

/**
 * The snapshot columns a feature check needs: those the base or target code can read, the stored
 * column and the slices. All of them when the code imports a package (not looked into) or
 * enumerates rows (see `columnsUsed`).
 */
async function columnsToRead(ws: Workspace, impact: ImpactResult, affected: AffectedFeature, fileColumns: string[]): Promise<string[] | undefined> {
  const feature = affected.feature;
  const sides = [
    ...(affected.baseSymbol ? [{ tree: ws.sides.base, graph: impact.baseGraph }] : []),
    { tree: ws.sides.target, graph: impact.targetGraph },
  ];
  const used = new Set<string>();
  for (const { tree, graph } of sides) {
    const files = graph.moduleClosure(feature.file);
    const importsPackage = files.some((f) => graph.modules.get(f)!.imports.some((i) => !i.specifier.startsWith('.')));
    if (importsPackage) return undefined;
    const sources = [...(await tree.readMany(files)).values()].join('\n');
    const cols = columnsUsed(sources, fileColumns);
    if (!cols) return undefined;
    for (const c of cols) used.add(c);
  }
  const snapshot = ws.config.snapshots.get(feature.snapshot!)!;
  return [...new Set([...used, feature.column, ...snapshot.sliceBy])];
}

/** Enough for every feature of a large workspace, a few versions each. */
const MAX_CACHED_RESULTS = 1000;

function resultKey(parts: unknown[]): string {
  return createHash('sha1').update(JSON.stringify(parts)).digest('hex');
}
