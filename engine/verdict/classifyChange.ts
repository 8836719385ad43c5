/**
 * Classifies how the target's values differ from the base's on the same rows (SPEC §4), and says
 * in one line what to do. The difference between "rescaled: backfill or version it" and "3% of
 * rows changed" is what makes a report actionable.
 */
import type { SampleRows } from '../data/sampleRows';
import type { ChangeClassification } from '../report/reportTypes';
import { findCategoryRemap, fitAffine, isMonotonicMap } from '../stats/changeShape';
import { bothDoubles, differingNumbers, finiteCount } from '../checks/doubleLoops';
import { isNumericType, pct, sameValue, valuesType, type Tolerance } from '../checks/values';

/** Rows where both sides produced a value differ in `changedRows`; r² this close to 1 is affine. */
const AFFINE_R2 = 0.999999;

export interface ChangeInput {
  featureName: string;
  rows: SampleRows;
  base: unknown[];
  target: unknown[];
  tolerance: Tolerance;
  /** Columns that are not inputs (the feature's own stored column): their nulls do not count. */
  notInputs?: string[];
}

/** The change kind, or undefined when the two sides agree on every row where both ran. */
export function classifyChange(input: ChangeInput): ChangeClassification | undefined {
  const { base, target, rows, featureName: name } = input;
  const { changed, compared } = changedRows(base, target, input.tolerance);
  const count = changed.length;
  if (count === 0) return undefined;
  const rate = count / compared;

  const baseType = valuesType(base);
  const targetType = valuesType(target);
  if (baseType !== 'unknown' && targetType !== 'unknown' && !(isNumericType(baseType) && isNumericType(targetType)) && baseType !== targetType) {
    return { kind: 'type-change', rate, recommendation: `output type changed from ${baseType} to ${targetType}: consumers will break — publish it as a new feature (${name}_v2) instead of changing ${name}` };
  }

  const notInputs = new Set(input.notInputs ?? []);
  const inputs = rows.columns.filter((c) => !notInputs.has(c.name)).map((c) => rows.column(c.name)!);
  if (changed.every((i) => base[i] === null || target[i] === null || inputs.some((column) => column[i] === null))) {
    return { kind: 'null-handling', rate, recommendation: `only rows with nulls changed (${pct(rate)}): confirm consumers expect the new null policy, then backfill those rows` };
  }

  const pairs = bothPresent(base, target);
  if (pairs.numeric) {
    const { x, y } = pairs.numeric;
    // A constant target fits any line with slope 0 and r² 1 and is trivially "monotonic": it is
    // neither a rescale nor an order-keeping transform, so it falls through to subset/other.
    if (rate > 0.5 && distinctCount(x) > 2 && distinctCount(y) > 1) {
      const fit = fitAffine(x, y);
      if (fit.r2 >= AFFINE_R2) {
        return {
          kind: 'affine', rate, slope: fit.slope, intercept: fit.intercept, r2: fit.r2,
          recommendation: `rescaled (≈ ${round(fit.slope)}·old ${fit.intercept < 0 ? '−' : '+'} ${round(Math.abs(fit.intercept))}): the store holds the old scale — backfill ${name} before deploying, or publish the new code as ${name}_v2`,
        };
      }
      if (rate > 0.9 && isMonotonicMap(x, y)) {
        return { kind: 'monotonic', rate, recommendation: `values transformed with their order kept: tree models may cope, linear models will not — backfill ${name} or publish it as ${name}_v2` };
      }
    }
  } else if (pairs.categorical) {
    const remap = findCategoryRemap(pairs.categorical.base, pairs.categorical.target);
    if (remap) {
      const mapping: Record<string, string> = {};
      for (const [a, b] of remap) if (a !== b) mapping[a] = b;
      if (Object.keys(mapping).length > 0) {
        return { kind: 'category-remap', rate, mapping, recommendation: `categories renamed (${Object.entries(mapping).slice(0, 3).map(([a, b]) => `${a}→${b}`).join(', ')}): update consumers' encodings or keep the old labels` };
      }
    }
  }

  if (rate < 1) {
    return { kind: 'subset', rate, recommendation: `${pct(rate)} of rows changed: if intended, backfill those rows of ${name}; if not, the edit has a bug on them` };
  }
  return { kind: 'other', rate, recommendation: `every row changed without a simple pattern: review the edit, then backfill ${name} or publish it as ${name}_v2` };
}

/**
 * The rows where both sides ran and their values differ, and how many rows both ran. The indices
 * go in a typed array of the rows' length: a list grown by push was three times its final size in
 * garbage when every row of a million changed (the language server's peak came during a check's
 * statistics).
 */
function changedRows(base: unknown[], target: unknown[], tolerance: Tolerance): { changed: Int32Array; compared: number } {
  if (bothDoubles(base, target)) return { changed: differingNumbers(base as number[], target as number[], tolerance), compared: target.length };
  const all = new Int32Array(target.length);
  let count = 0;
  let compared = 0;
  for (let i = 0; i < target.length; i++) {
    if (base[i] === undefined || target[i] === undefined) continue;
    compared++;
    if (!sameValue(base[i], target[i], tolerance)) all[count++] = i;
  }
  return { changed: all.subarray(0, count), compared };
}

/**
 * The rows where both sides produced a value, paired: as numbers when every such pair is finite
 * numbers, as category labels when every pair is strings or booleans, neither otherwise.
 */
function bothPresent(base: unknown[], target: unknown[]): { numeric?: { x: Float64Array; y: Float64Array }; categorical?: { base: string[]; target: string[] } } {
  // Double arrays hold no null: the pairs are every row, numeric when all of them are finite.
  if (bothDoubles(base, target)) {
    const finite = base.length > 0 && finiteCount(base as number[]) === base.length && finiteCount(target as number[]) === target.length;
    return finite ? { numeric: { x: new Float64Array(base as number[]), y: new Float64Array(target as number[]) } } : {};
  }
  let count = 0;
  let numeric = true;
  let categorical = true;
  for (let i = 0; i < target.length; i++) {
    const x = base[i];
    const y = target[i];
    if (x === null || x === undefined || y === null || y === undefined) continue;
    count++;
    if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) numeric = false;
    if ((typeof x !== 'string' && typeof x !== 'boolean') || (typeof y !== 'string' && typeof y !== 'boolean')) categorical = false;
    if (!numeric && !categorical) return {};
  }
  if (count === 0) return {};
  if (numeric) {
    const x = new Float64Array(count);
    const y = new Float64Array(count);
    for (let i = 0, k = 0; i < target.length; i++) {
      if (base[i] === null || base[i] === undefined || target[i] === null || target[i] === undefined) continue;
      x[k] = base[i] as number;
      y[k++] = target[i] as number;
    }
    return { numeric: { x, y } };
  }
  const b: string[] = [];
  const t: string[] = [];
  for (let i = 0; i < target.length; i++) {
    if (base[i] === null || base[i] === undefined || target[i] === null || target[i] === undefined) continue;
    b.push(String(base[i]));
    t.push(String(target[i]));
  }
  return { categorical: { base: b, target: t } };
}

function distinctCount(xs: Float64Array): number {
  const s = new Set<number>();
  for (const x of xs) {
    s.add(x);
    if (s.size > 2) break;
  }
  return s.size;
}

function round(x: number): string {
  return String(Number(x.toPrecision(4)));
}
