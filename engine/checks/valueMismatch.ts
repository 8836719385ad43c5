/**
 * value.mismatch — the target code's values differ from the values the feature store already
 * holds, beyond the feature's tolerance. This is the core incompatibility with history: a model
 * trained on the stored values would see a different meaning for new rows. Where the snapshot
 * names `sliceBy` columns, the message says which slices the mismatch concentrates in.
 */
import { isDoubles } from '../data/cellValue';
import type { Finding } from '../findings';
import { examplesAt, type CheckContext } from './checkContext';
import { bothDoubles, differingNumbers } from './doubleLoops';
import { grade } from './thresholds';
import { pct, sameValue } from './values';

const mismatches = new WeakMap<CheckContext, Int32Array>();

/** Rows where the target ran and differs from the stored column, computed once per context (the check and the metrics share it). */
export function storedMismatches(ctx: CheckContext): Int32Array {
  let rows = mismatches.get(ctx);
  if (!rows) mismatches.set(ctx, (rows = mismatchedRows(ctx.target.values, ctx.stored ?? [], ctx)));
  return rows;
}

export function valueMismatch(ctx: CheckContext): Finding[] {
  if (!ctx.stored) return [];
  const differing = storedMismatches(ctx);
  const compared = countRan(ctx.target.values);
  if (compared === 0) return [];
  const rate = differing.length / compared;
  const severity = grade(rate, ctx.thresholds('value.mismatch'));
  if (!severity) return [];
  let maxAbsDiff = 0;
  for (const i of differing) {
    const t = ctx.target.values[i];
    const s = ctx.stored[i];
    // A NaN on one side has no distance; Math.max would turn the whole maximum into NaN.
    if (typeof t === 'number' && typeof s === 'number' && !Number.isNaN(t - s)) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(t - s));
  }
  const slices = sliceSummary(ctx, differing);
  return [{
    check: 'value.mismatch',
    severity,
    message: `${pct(rate)} of sampled rows (${differing.length} of ${compared}) differ from the stored "${ctx.feature.column}" values${maxAbsDiff ? `, by up to ${Number(maxAbsDiff.toPrecision(4))}` : ''}${slices}`,
    location: ctx.location,
    metrics: { rate, count: differing.length, maxAbsDiff },
    examples: examplesAt(ctx, differing),
  }];
}

/** Indices where `values` ran and differs from `other` beyond tolerance. */
export function mismatchedRows(values: unknown[], other: unknown[], ctx: CheckContext): Int32Array {
  // A typed array of the rows' length, not a list grown by push: when every row of a million
  // differs (a rescaled feature), the list left three times its size in garbage at the moment of
  // the language server's peak.
  if (bothDoubles(values, other)) return differingNumbers(values as number[], other as number[], ctx.feature.tolerance);
  const out = new Int32Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === undefined) continue; // the row threw: runtime.error reports it
    if (!sameValue(values[i], other[i] ?? null, ctx.feature.tolerance)) out[n++] = i;
  }
  return out.subarray(0, n);
}

function countRan(values: unknown[]): number {
  if (isDoubles(values)) return values.length; // no row threw
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== undefined) n++;
  return n;
}

/**
 * "92% of rows differ in region=islands, 0% elsewhere" when one slice value holds a mismatch
 * rate at least twice the overall rate; empty otherwise.
 */
function sliceSummary(ctx: CheckContext, differing: Int32Array): string {
  if (ctx.sliceBy.length === 0 || differing.length === 0) return '';
  const overall = differing.length / ctx.rows.length;
  const isDiff = new Uint8Array(ctx.rows.length);
  for (const i of differing) isDiff[i] = 1;
  let best: { column: string; value: string; rate: number; restRate: number } | undefined;
  for (const column of ctx.sliceBy) {
    const values = ctx.rows.column(column);
    if (!values) continue;
    const counts = new Map<string, [number, number]>();
    for (let i = 0; i < values.length; i++) {
      const key = String(values[i] ?? 'null');
      let c = counts.get(key);
      if (!c) counts.set(key, (c = [0, 0]));
      c[0]++;
      c[1] += isDiff[i];
    }
    if (counts.size < 2) continue;
    for (const [value, [n, d]] of counts) {
      const rate = d / n;
      const restRate = (differing.length - d) / Math.max(1, ctx.rows.length - n);
      if (rate >= 2 * overall && rate > restRate && (!best || rate - restRate > best.rate - best.restRate)) best = { column, value, rate, restRate };
    }
  }
  return best ? `; ${pct(best.rate)} of rows differ in ${best.column}=${best.value}, ${pct(best.restRate)} elsewhere` : '';
}
