/**
 * The checks' passes over values, for arrays made by `doubles` (engine/data/cellValue.ts): numbers
 * only, no null or undefined. The generic passes (values.ts, classifyChange, value.mismatch,
 * history.unreproduced) take any values, and once their optimized code has read strings (a
 * workspace with categorical features) every numeric feature's pass became a polymorphic one:
 * ~27 ms of statistics a numeric feature instead of ~12 at 100k rows. These loops only ever see
 * double arrays, so their code stays monomorphic whatever else the workspace holds; each generic
 * function sends its double arrays here (`bothDoubles`, `isDoubles`) and gives the same result
 * (test/checks/doubleLoops.test.ts compares them).
 */
import { isDoubles } from '../data/cellValue';
import type { ColumnType } from '../data/table';
import type { Tolerance } from './values';

/** `sameValue` of two numbers: equal, both NaN, or within the tolerance. */
export function sameNumber(a: number, b: number, tol: Tolerance): boolean {
  if (a === b) return true;
  if (a !== a && b !== b) return true; // both NaN
  return Math.abs(a - b) <= tol.abs + tol.rel * Math.max(Math.abs(a), Math.abs(b));
}

/** Whether both arrays were made by `doubles` and have one value per row each. */
export function bothDoubles(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && isDoubles(a) && isDoubles(b);
}

/** The rows where `a` and `b` differ beyond `tol` (both double arrays of one length). */
export function differingNumbers(a: readonly number[], b: readonly number[], tol: Tolerance): Int32Array {
  const out = new Int32Array(a.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (!sameNumber(a[i], b[i], tol)) out[n++] = i;
  return out.subarray(0, n);
}

/** `valuesType` of a double array: integer when every value is (±Infinity and NaN count as integers, as there). */
export function doublesType(values: readonly number[]): ColumnType {
  if (values.length === 0) return 'unknown';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v) && !Number.isInteger(v)) return 'number';
  }
  return 'integer';
}

/** How many values are finite numbers. */
export function finiteCount(values: readonly number[]): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) n++;
  return n;
}

/** The finite values, in row order, into an array of their count (`finiteCount`). */
export function finiteInto(values: readonly number[], out: Float64Array): void {
  for (let i = 0, k = 0; k < out.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) out[k++] = v;
  }
}

/** The share of NaN among the values (a double array's nulls). */
export function nanRate(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== values[i]) n++;
  return n / values.length;
}
