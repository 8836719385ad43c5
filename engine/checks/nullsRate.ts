/**
 * nulls.rate — the share of nulls in the target's output differs from the stored column's. A
 * changed null policy (nulls where there were defaults, or defaults where there were nulls) shifts
 * what models see for missing data, even when every non-null value is unchanged.
 */
import type { Finding } from '../findings';
import type { CheckContext } from './checkContext';
import { grade } from './thresholds';
import { nullRate, pct, ranValues } from './values';

export function nullsRate(ctx: CheckContext): Finding[] {
  if (!ctx.stored) return [];
  const before = nullRate(ctx.stored);
  const after = nullRate(ranValues(ctx.target.values));
  const change = Math.abs(after - before);
  const severity = grade(change, ctx.thresholds('nulls.rate'));
  if (!severity) return [];
  return [{
    check: 'nulls.rate',
    severity,
    message: `null rate changed from ${pct(before)} (stored) to ${pct(after)}`,
    location: ctx.location,
    metrics: { nullRateBefore: before, nullRateAfter: after, change },
  }];
}
