/**
 * Runs versions (base or target) of features over a snapshot sample in isolated workers. Every way
 * this can fail comes back as a value.
 */
import type { BundleCache } from '../cache/bundleCache';
import type { FeatureConfig } from '../config/configTypes';
import type { LanguageFrontEnd } from '../lang/frontEnd';
import type { SourceTree } from '../sources/sourceTree';
import { bundleFeature, FEATURE_EXPORT, type BundleResult } from './bundleFeature';
import { runBatch, type RunLimits, type RunOutcome } from './runInWorker';
import type { WireColumn, WorkerJob, WorkerResult } from './workerProtocol';

export type SideOutcome = (
  | { ok: true; result: WorkerResult }
  | { ok: false; reason: 'bundle' | 'load' | 'crash' | 'timeout' | 'memory' | 'cancelled'; message: string }
) & { timings?: { bundleMs: number; executeMs: number } };

export interface SampleInput {
  rowCount: number;
  columns: WireColumn[];
}

/** A feature's job for a worker: which export, how to call it, what else to evaluate. */
export function workerJob(feature: FeatureConfig, exportKey: string, rowCount: number): WorkerJob {
  return {
    exportKey,
    // The Node worker runs TypeScript features, whose kind is `row` or `batch` (the config allows no other).
    kind: feature.kind === 'batch' ? 'batch' : 'row',
    output: feature.output,
    extraRows: (feature.examples ?? []).map((e) => e.input),
    repeatRows: Math.min(200, rowCount),
  };
}

/** Converts a worker outcome to the side's outcome, with timings. */
export function sideOutcome(outcome: RunOutcome, timings: { bundleMs: number; executeMs: number }): SideOutcome {
  return outcome.ok ? { ok: true, result: outcome, timings } : { ok: false, reason: outcome.reason, message: outcome.message, timings };
}

/** Bundles one feature on its own and runs it: the path for a single feature, and the fallback. */
export async function runFeatureSide(
  tree: SourceTree,
  frontEnd: LanguageFrontEnd,
  feature: FeatureConfig,
  file: string,
  sample: SampleInput,
  requireFrom: string,
  limits: RunLimits,
  closureFiles: string[] = [],
  cache?: BundleCache,
  signal?: AbortSignal,
  /** The bundle, already started by the caller (the same `bundleFeature` call); the wait counts as bundling. */
  prebundled?: Promise<BundleResult>,
): Promise<SideOutcome> {
  const started = performance.now();
  const bundle = await (prebundled ?? bundleFeature(tree, frontEnd, file, feature.exportName, closureFiles, cache));
  const bundled = performance.now();
  if (!bundle.ok) return { ok: false, reason: 'bundle', message: `could not bundle the feature code: ${bundle.message}`, timings: { bundleMs: bundled - started, executeMs: 0 } };
  const [outcome] = await runBatch({ code: bundle.code, requireFrom, rowCount: sample.rowCount, columns: sample.columns, jobs: [workerJob(feature, FEATURE_EXPORT, sample.rowCount)] }, limits, undefined, signal);
  if (!outcome) return { ok: false, reason: 'cancelled', message: 'the check was cancelled', timings: { bundleMs: bundled - started, executeMs: performance.now() - bundled } };
  return sideOutcome(outcome, { bundleMs: bundled - started, executeMs: performance.now() - bundled });
}
