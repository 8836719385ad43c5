/**
 * history.unreproduced — the base (committed) code gives other values than the stored column on
 * the sample (SPEC §1, §5). Either the feature reads other rows (a rolling window, a lag, a
 * running total) and the sample broke its windows, or the store is stale. Comparing the edit with
 * the store on such rows would report the sampling's (or the store's) doing as the edit's, so the
 * feature's value findings then count only the rows the base reproduces (see `checkFeature`).
 */
import type { Finding } from '../findings';
import type { CheckContext } from './checkContext';
import { bothDoubles, differingNumbers } from './doubleLoops';
import { grade } from './thresholds';
import { isNumericType, pct, sameValue, valuesType } from './values';

export interface HistoryOutcome {
  finding: Finding;
  /** Rows where the base ran and gives the stored value: what the value findings count. */
  reproduced: number[];
}

/** The warning and the rows the base reproduces, when the base misses ≥ the threshold of rows; undefined otherwise. */
export function historyUnreproduced(ctx: CheckContext): HistoryOutcome | undefined {
  const { base, stored } = ctx;
  if (!base || !stored) return undefined;
  // Values of another type than the stored column's are a schema matter (schema.type), not history.
  const storedType = ctx.storedType && ctx.storedType !== 'unknown' ? ctx.storedType : valuesType(stored);
  const baseType = valuesType(base.values);
  if (storedType !== 'unknown' && baseType !== 'unknown' && storedType !== baseType && !(isNumericType(storedType) && isNumericType(baseType))) return undefined;
  // Counted first; the rows are listed only when there is a finding (a million-row list built for
  // every check, usually all rows, was garbage at the moment of the language server's peak).
  const reproducedAt = (i: number) => base.values[i] !== undefined && sameValue(base.values[i], stored[i] ?? null, ctx.feature.tolerance);
  // Double arrays (no row threw, no null): the rows that differ, found by a numbers-only loop.
  const numbersDiffer = bothDoubles(base.values, stored) ? differingNumbers(base.values as number[], stored as number[], ctx.feature.tolerance) : undefined;
  let ran = 0;
  let same = 0;
  if (numbersDiffer) {
    ran = base.values.length;
    same = ran - numbersDiffer.length;
  } else {
    for (let i = 0; i < base.values.length; i++) {
      if (base.values[i] === undefined) continue; // the row threw: not a value to compare
      ran++;
      if (reproducedAt(i)) same++;
    }
  }
  if (ran === 0) return undefined;
  const differing = ran - same;
  const rate = differing / ran;
  const severity = grade(rate, ctx.thresholds('history.unreproduced'));
  if (!severity) return undefined;
  const reproduced: number[] = [];
  if (numbersDiffer) {
    for (let i = 0, d = 0; i < ran; i++) {
      if (d < numbersDiffer.length && numbersDiffer[d] === i) d++;
      else reproduced.push(i);
    }
  } else for (let i = 0; i < base.values.length; i++) if (reproducedAt(i)) reproduced.push(i);
  const { feature } = ctx;
  const snapshot = feature.snapshot ?? 'the snapshot';
  const cause = feature.kind === 'row'
    ? `a row function reads no other row, so the store is stale: backfill "${feature.column}" (or acknowledge it)`
    : `if it reads other rows, set \`sampleBy\` / \`orderBy\` / \`sampleBlocks\` on snapshot ${snapshot}; otherwise the store is stale`;
  return {
    finding: {
      check: 'history.unreproduced',
      severity,
      message: `the committed code gives other values than the stored ${feature.column} on ${pct(rate)} of sampled rows (${differing} of ${ran}): ${cause}; value findings count only the ${reproduced.length} rows it reproduces`,
      location: ctx.location,
      metrics: { rate, count: differing, reproducedRows: reproduced.length },
    },
    reproduced,
  };
}
