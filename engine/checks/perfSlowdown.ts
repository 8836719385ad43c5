/**
 * perf.slowdown — the target takes at least 3× the base's time per row. A feature computed for
 * every request or every batch row multiplies that cost. Base and target are timed in two
 * processes running at once, beside FeatureGuard's own work, on machines shared with other jobs:
 * a difference under 100 ms is within that noise (seen here: 30 ms vs 109 ms for the same code)
 * and is not judged.
 */
import type { Finding } from '../findings';
import type { CheckContext } from './checkContext';

const MIN_MEASURABLE_MS = 100;

export function perfSlowdown(ctx: CheckContext): Finding[] {
  if (!ctx.base || ctx.rows.length === 0) return [];
  const before = ctx.base.runMs;
  const after = ctx.target.runMs;
  if (after < MIN_MEASURABLE_MS || after - before < MIN_MEASURABLE_MS) return [];
  const ratio = after / Math.max(before, 1e-3);
  if (ratio < 3) return [];
  const perRow = (ms: number) => `${Number(((ms * 1000) / ctx.rows.length).toPrecision(3))} µs`;
  return [{
    check: 'perf.slowdown',
    severity: 'warning',
    message: `${ratio.toFixed(1)}× slower per row than before (${perRow(after)} vs ${perRow(before)})`,
    location: ctx.location,
    metrics: { ratio, baseMs: before, targetMs: after },
  }];
}
