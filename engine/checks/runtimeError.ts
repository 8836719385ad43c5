/**
 * runtime.error — the target code throws on some sampled rows (a null it did not expect, a missing
 * column). Reports the rate, the first error message and an example row, because a feature that
 * throws in production yields no value at all.
 */
import type { Finding } from '../findings';
import type { CheckContext } from './checkContext';
import { grade } from './thresholds';
import { pct } from './values';

export function runtimeError(ctx: CheckContext): Finding[] {
  const { errorCount, errors } = ctx.target;
  if (errorCount === 0 || ctx.rows.length === 0) return [];
  const rate = errorCount / ctx.rows.length;
  const severity = grade(rate, ctx.thresholds('runtime.error'));
  if (!severity) return [];
  const baseNote = ctx.base && ctx.base.errorCount > 0 ? ` (the base code threw on ${ctx.base.errorCount})` : '';
  return [{
    check: 'runtime.error',
    severity,
    message: `throws on ${pct(rate)} of sampled rows (${errorCount} of ${ctx.rows.length})${baseNote}: ${errors[0]?.message ?? 'unknown error'}`,
    location: ctx.location,
    metrics: { rate, count: errorCount },
    examples: errors.slice(0, 3).map((e) => ({ row: ctx.rows.at(e.index) as Record<string, unknown>, error: e.message })),
  }];
}
