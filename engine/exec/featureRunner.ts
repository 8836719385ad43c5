/**
 * Runs one version (base or target) of a feature over a snapshot sample: bundle from the side's
 * sources (or take the side's shared bundle of all features), then execute in an isolated worker.
 * Every way this can fail comes back as a value.
 */
import type { FeatureConfig } from '../config/configTypes';
import type { LanguageFrontEnd } from '../lang/frontEnd';
import type { SourceTree } from '../sources/sourceTree';
import { bundleFeature, FEATURE_EXPORT } from './bundleFeature';
import { runInWorker, type RunLimits } from './runInWorker';
import type { WireColumn, WorkerResult } from './workerProtocol';

export type SideOutcome = (
  | { ok: true; result: WorkerResult }
  | { ok: false; reason: 'bundle' | 'load' | 'crash' | 'timeout' | 'memory'; message: string }
) & { timings?: { bundleMs: number; executeMs: number } };

export interface SampleInput {
  rowCount: number;
  columns: WireColumn[];
}

export async function runFeatureSide(
  tree: SourceTree,
  frontEnd: LanguageFrontEnd,
  feature: FeatureConfig,
  file: string,
  sample: SampleInput,
  requireFrom: string,
  limits: RunLimits,
  closureFiles: string[] = [],
  shared?: { code: string; key: string },
): Promise<SideOutcome> {
  const started = performance.now();
  const bundle = shared ? { ok: true as const, code: shared.code } : await bundleFeature(tree, frontEnd, file, feature.exportName, closureFiles);
  const bundled = performance.now();
  if (!bundle.ok) return { ok: false, reason: 'bundle', message: `could not bundle the feature code: ${bundle.message}`, timings: { bundleMs: bundled - started, executeMs: 0 } };
  const outcome = await runInWorker(
    {
      code: bundle.code,
      exportKey: shared?.key ?? FEATURE_EXPORT,
      requireFrom,
      kind: feature.kind,
      output: feature.output,
      rowCount: sample.rowCount,
      columns: sample.columns,
      extraRows: (feature.examples ?? []).map((e) => e.input),
      repeatRows: Math.min(200, sample.rowCount),
    },
    limits,
  );
  const timings = { bundleMs: bundled - started, executeMs: performance.now() - bundled };
  return outcome.ok ? { ok: true, result: outcome, timings } : { ok: false, reason: outcome.reason, message: outcome.message, timings };
}
