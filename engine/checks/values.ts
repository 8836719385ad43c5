/**
 * Value helpers shared by the checks: equality within tolerance, logical types of outputs, and
 * formatting of rates in messages.
 *
 * The derived views of a values array (its type, its finite numbers sorted, its null rate, the
 * values of rows that ran) are computed once per array and remembered: several checks, the
 * metrics, the change classification and the histograms all ask for them, and over 100k rows each
 * pass costs milliseconds. This relies on what holds throughout the engine: an array of values,
 * once produced by a worker or read from a snapshot, is never modified.
 */
import { isDoubles } from '../data/cellValue';
import type { ColumnType } from '../data/table';
import { sortInPlace } from '../stats/sortNumbers';
import { doublesType, finiteCount, finiteInto, nanRate, sameNumber } from './doubleLoops';

/** The memos' caches, emptied by `forgetDerivedViews`. */
const memoCaches: { clear(): void }[] = [];

/** A derived view: computed once per array; `known` gives it only when computed already. */
type Memo<T> = ((values: readonly unknown[]) => T) & { known(values: readonly unknown[]): T | undefined };

/** `compute(values)`, once per array (until `forgetDerivedViews`). */
function memo<T>(compute: (values: readonly unknown[]) => T): Memo<T> {
  let cache = new WeakMap<readonly unknown[], T>();
  memoCaches.push({ clear: () => (cache = new WeakMap()) });
  const view = (values: readonly unknown[]): T => {
    if (cache.has(values)) return cache.get(values)!;
    const result = compute(values);
    cache.set(values, result);
    return result;
  };
  return Object.assign(view, { known: (values: readonly unknown[]) => cache.get(values) });
}

/**
 * Forgets the derived views computed so far. A view lives as long as its array, and the language
 * server keeps arrays between checks (a snapshot's columns, the results cache's values): at a
 * million rows each numeric array kept its finite numbers and their sorted copy, 16 MB, until
 * it was dropped. A check computes what it needs again (a few tens of milliseconds per array).
 */
export function forgetDerivedViews(): void {
  for (const c of memoCaches) c.clear();
}

export interface Tolerance {
  abs: number;
  rel: number;
}

/** Whether two feature values are the same: numbers within tolerance, dates by time, nulls equal. */
export function sameValue(a: unknown, b: unknown, tol: Tolerance): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a === 'number' && typeof b === 'number') return sameNumber(a, b, tol);
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return false;
}

/** The logical type of a set of values, in the stored-column vocabulary (nulls ignored). */
export const valuesType = memo((values): ColumnType => {
  if (isDoubles(values)) return doublesType(values);
  let type: ColumnType | undefined;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    const t = valueType(v);
    if (type === undefined) type = t;
    else if (type !== t) {
      if ((type === 'integer' && t === 'number') || (type === 'number' && t === 'integer')) type = 'number';
      else return 'unknown';
    }
  }
  return type ?? 'unknown';
});

export function valueType(v: unknown): ColumnType {
  if (typeof v === 'number') return Number.isInteger(v) || !Number.isFinite(v) ? 'integer' : 'number';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (v instanceof Date) return 'date';
  return 'unknown';
}

export function isNumericType(t: ColumnType): boolean {
  return t === 'integer' || t === 'number';
}

/**
 * Where an array's sorted finite numbers are kept between runs: a snapshot's sampled columns do not
 * change from one check to the next, and sorting a stored column was a fifth of a check's
 * statistics (sampleCache.ts keeps them beside the columns). `load` may return nothing.
 */
export interface SortedViewStore {
  load(): Float64Array | undefined;
  save(sorted: Float64Array): void;
}

const sortedViewStores = new WeakMap<readonly unknown[], SortedViewStore>();

/** `sortedFiniteNumbers(values)` is read from `store` when it has it, and kept there when computed. */
export function keepSortedViewIn(values: readonly unknown[], store: SortedViewStore): void {
  sortedViewStores.set(values, store);
}

/**
 * Finite numbers among values, ascending, for the statistics kernel. Do not modify the result.
 * Gathered into an array of their count and sorted there: no row-order copy is kept beside the
 * sorted one (8 MB each at a million rows, held through a check's statistics).
 */
export const sortedFiniteNumbers = memo((values): Float64Array => {
  const doubles = isDoubles(values);
  let n = 0;
  if (doubles) n = finiteCount(values);
  else {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v === 'number' && Number.isFinite(v)) n++;
    }
  }
  const store = sortedViewStores.get(values);
  // A kept view of another count is not this array's (the count is checked; the rest is keyed).
  const kept = store?.load();
  if (kept && kept.length === n) return kept;
  const out = new Float64Array(n);
  if (doubles) finiteInto(values, out);
  else {
    for (let i = 0, k = 0; k < n; i++) {
      const v = values[i];
      if (typeof v === 'number' && Number.isFinite(v)) out[k++] = v;
    }
  }
  sortInPlace(out);
  store?.save(out);
  return out;
});

/** The values of the rows that ran (`undefined` marks a row that threw); the same array when all ran. */
export const ranValues = memo((values): readonly unknown[] => (values.includes(undefined) ? values.filter((v) => v !== undefined) : values));

/** A value as a category label, for categorical statistics. */
function categoryLabel(v: unknown): string {
  return typeof v === 'string' ? v : v instanceof Date ? v.toISOString() : String(v);
}

/**
 * Each category label among the values (nulls excluded) with its count, in first-appearance
 * order. One pass per array, shared by the drift, domain.new-values and the histograms, which each
 * made the labels' array again (with the counting, ~30 of a categorical feature's ~47 ms of
 * statistics at 100k rows).
 */
export const categoryCounts = memo((values): ReadonlyMap<string, number> => {
  const counts = new Map<string, number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    const label = categoryLabel(v);
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return counts;
});

/** The share of nulls (and NaN) among values. */
export const nullRate = memo((values): number => {
  if (isDoubles(values)) return nanRate(values);
  if (values.length === 0) return 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) n++;
  }
  return n / values.length;
});

/** A rate as a person reads it: 58%, 3.1%, 0.02%. */
export function pct(x: number): string {
  if (x === 0) return '0%';
  if (x >= 0.1) return `${Math.round(x * 100)}%`;
  if (x >= 0.001) return `${(x * 100).toFixed(1)}%`;
  return `${(x * 100).toPrecision(2)}%`;
}

/** A number for messages: short, no float noise. */
export function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return String(x);
  return Math.abs(x) >= 1000 ? x.toFixed(1) : String(Number(x.toPrecision(4)));
}

/** A value for messages. */
export function show(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return num(v);
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v);
}
