/**
 * domain.new-values — the target produces categories the stored column never held. A model's
 * encoder has no slot for them: they become unknowns at serving time.
 */
import type { Finding } from '../findings';
import { examplesAt, type CheckContext } from './checkContext';
import { grade } from './thresholds';
import { categoryCounts, isNumericType, pct, valuesType } from './values';

export function domainNewValues(ctx: CheckContext): Finding[] {
  if (!ctx.stored) return [];
  const targetType = valuesType(ctx.target.values);
  if (isNumericType(targetType) || targetType === 'unknown' || targetType === 'date') return [];
  const known = categoryCounts(ctx.stored);
  // Usually the target makes no category the store lacks: known from its counts, without a pass
  // that names rows.
  let unknown = false;
  for (const label of categoryCounts(ctx.target.values).keys()) {
    if (known.has(label)) continue;
    unknown = true;
    break;
  }
  if (!unknown) return [];
  const counts = new Map<string, number>();
  const rows: number[] = [];
  let produced = 0;
  ctx.target.values.forEach((v, i) => {
    if (v === null || v === undefined) return;
    produced++;
    const key = String(v);
    if (known.has(key)) return;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    rows.push(i);
  });
  if (rows.length === 0 || produced === 0) return [];
  const share = rows.length / produced;
  const severity = grade(share, ctx.thresholds('domain.new-values'));
  if (!severity) return [];
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([v, n]) => `"${v}" (${n})`);
  return [{
    check: 'domain.new-values',
    severity,
    message: `${counts.size} new categor${counts.size === 1 ? 'y' : 'ies'} never seen in the stored column, in ${pct(share)} of rows: ${top.join(', ')}`,
    location: ctx.location,
    metrics: { share, count: rows.length, newValues: counts.size },
    examples: examplesAt(ctx, rows),
  }];
}
