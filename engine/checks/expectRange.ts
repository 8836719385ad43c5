/**
 * expect.range — values outside the declared `expect.min` / `expect.max`. A declared range is the
 * feature author's contract with its consumers (a model's input scaling, a clipping layer).
 */
import type { Finding } from '../findings';
import { examplesAt, type CheckContext } from './checkContext';
import { num, pct } from './values';

export function expectRange(ctx: CheckContext): Finding[] {
  const e = ctx.feature.expect;
  if (!e || (e.min === undefined && e.max === undefined)) return [];
  const bad: number[] = [];
  let lo = Infinity, hi = -Infinity, nans = 0;
  ctx.target.values.forEach((v, i) => {
    if (typeof v !== 'number') return;
    if ((e.min !== undefined && v < e.min) || (e.max !== undefined && v > e.max) || Number.isNaN(v)) {
      bad.push(i);
      if (Number.isNaN(v)) {
        nans++; // out of any range, but no place in the extremes
        return;
      }
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  });
  if (bad.length === 0) return [];
  const range = `[${e.min ?? '-∞'}, ${e.max ?? '∞'}]`;
  const extremes = lo <= hi ? `, from ${num(lo)} to ${num(hi)}` : '';
  return [{
    check: 'expect.range',
    severity: 'error',
    message: `${pct(bad.length / ctx.rows.length)} of rows (${bad.length}) fall outside the expected range ${range}${extremes}${nans ? ` (${nans} NaN)` : ''}`,
    location: ctx.location,
    metrics: { count: bad.length, rate: bad.length / ctx.rows.length, min: lo <= hi ? lo : null, max: lo <= hi ? hi : null },
    examples: examplesAt(ctx, bad),
  }];
}
