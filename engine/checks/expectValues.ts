/** expect.values — a value outside the declared `expect.values` set: the consumer's vocabulary. */
import type { Finding } from '../findings';
import { examplesAt, type CheckContext } from './checkContext';
import { show } from './values';

export function expectValues(ctx: CheckContext): Finding[] {
  const allowed = ctx.feature.expect?.values;
  if (!allowed) return [];
  const set = new Set<unknown>(allowed);
  const bad: number[] = [];
  const seen = new Set<string>();
  ctx.target.values.forEach((v, i) => {
    if (v === null || v === undefined || set.has(v)) return;
    bad.push(i);
    seen.add(show(v));
  });
  if (bad.length === 0) return [];
  return [{
    check: 'expect.values',
    severity: 'error',
    message: `${bad.length} rows have values outside the expected set: ${[...seen].slice(0, 5).join(', ')}`,
    location: ctx.location,
    metrics: { count: bad.length, distinct: seen.size },
    examples: examplesAt(ctx, bad),
  }];
}
