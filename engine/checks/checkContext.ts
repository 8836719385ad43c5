/**
 * What every data check receives: one feature's sampled rows, the values the stored column holds,
 * and what the base and target code produced on the same rows. Checks are pure functions of this
 * context returning findings, so each is tested on inline data.
 */
import type { FeatureConfig } from '../config/configTypes';
import type { SampleRows } from '../data/sampleRows';
import type { ColumnType } from '../data/table';
import type { Finding, Location } from '../findings';
import type { WorkerResult } from '../exec/workerProtocol';
import type { Thresholds } from './thresholds';

/** What one version of the code produced: the worker's result. */
export type SideValues = Omit<WorkerResult, 'ok'>;

export interface CheckContext {
  feature: FeatureConfig;
  /** Where findings about the feature point: its function in the target. */
  location: Location;
  rows: SampleRows;
  /** The stored column's values on the sampled rows, when the snapshot has the column. */
  stored?: unknown[];
  storedType?: ColumnType;
  /** The base code's values, when the base has the feature and it ran. */
  base?: SideValues;
  target: SideValues;
  thresholds: Thresholds;
  /** Categorical columns to break mismatch rates down by. */
  sliceBy: string[];
}

/** A data check: detects one kind of incompatibility. */
export type Check = (ctx: CheckContext) => Finding[];

/** Up to `n` example rows from `indices`, with the values on each side. */
export function examplesAt(ctx: CheckContext, indices: ArrayLike<number>, n = 5): Finding['examples'] {
  return Array.from({ length: Math.min(n, indices.length) }, (_, k) => indices[k]).map((i) => ({
    row: ctx.rows.at(i) as Record<string, unknown>,
    ...(ctx.base ? { base: ctx.base.values[i] ?? null } : {}),
    target: ctx.target.values[i] ?? null,
    ...(ctx.stored ? { stored: ctx.stored[i] ?? null } : {}),
  }));
}
