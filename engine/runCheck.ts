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
  return checkImpact(ws, impact, options, newCheckCaches(), token, started);
}

/** Runs the data checks of every affected feature and assembles the report. */
export async function checkImpact(ws: Workspace, impact: ImpactResult, options: DataOptions, caches: CheckCaches, token: CancellationToken, started = performance.now()): Promise<Report> {
  caches.snapshots.startRun();
  const features: FeatureReport[] = [];
  let checked = 0;
  for (const affected of impact.features) {
    throwIfCancelled(token);
    const report = featureReport(affected, impact, 'not-checked');
    const runnable = report.verdict !== 'broken' && affected.feature.snapshot && !options.noData && options.execute !== false;
    if (runnable) {
      Object.assign(report, await dataCheck(ws, affected, options, caches));
      checked++;
    }
    features.push(report);
  }
  const rowsSampled = await caches.snapshots.rowsSampled();
  return buildReport(ws, impact, features, { rowsSampled, featuresChecked: checked }, started);
}

async function dataCheck(ws: Workspace, affected: AffectedFeature, options: DataOptions, caches: CheckCaches): Promise<Partial<FeatureReport>> {
  const feature = affected.feature;
  const loaded = await caches.snapshots.load(ws.config, feature.snapshot!);
  const limits = { timeoutMs: ws.config.timeoutMs, memoryMb: options.memoryMb ?? DEFAULT_MEMORY_MB };
  const snapshot = ws.config.snapshots.get(feature.snapshot!)!;
  const acknowledged = ws.config.acknowledged.get(feature.name);
  const key = resultKey([feature, affected.baseFingerprint, affected.targetFingerprint, loaded.identity, limits, snapshot.sliceBy, ws.config.thresholds, acknowledged]);
  const cached = caches.results.get(key);
  // Lines move when code above the feature is edited; the result does not.
  if (cached) return { ...cached, findings: cached.findings?.map((f) => ({ ...f, location: affected.location })) };
  const [base, target] = await Promise.all([
    affected.baseSymbol
      ? runFeatureSide(ws.sides.base, ws.frontEnd, feature, feature.file, loaded.sample, ws.repo.root, limits)
      : Promise.resolve(undefined),
    runFeatureSide(ws.sides.target, ws.frontEnd, feature, feature.file, loaded.sample, ws.repo.root, limits),
  ]);
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
  caches.results.set(key, result);
  if (caches.results.size > MAX_CACHED_RESULTS) caches.results.delete(caches.results.keys().next().value!);
  return result;
}

/** Enough for every feature of a large workspace, a few versions each. */
const MAX_CACHED_RESULTS = 1000;

function resultKey(parts: unknown[]): string {
  return createHash('sha1').update(JSON.stringify(parts)).digest('hex');
}
