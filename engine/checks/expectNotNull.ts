/** expect.not-null — nulls from a feature declared `expect.notNull`: its consumers cannot take them. */
import type { Finding } from '../findings';
import { examplesAt, type CheckContext } from './checkContext';
import { pct } from './values';

export function expectNotNull(ctx: CheckContext): Finding[] {
  if (!ctx.feature.expect?.notNull) return [];
  const bad: number[] = [];
  ctx.target.values.forEach((v, i) => {
    if (v === null || (typeof v === 'number' && Number.isNaN(v))) bad.push(i);
  });
  if (bad.length === 0) return [];
  return [{
    check: 'expect.not-null',
    severity: 'error',
    message: `returns null on ${pct(bad.length / ctx.rows.length)} of rows (${bad.length}) but is declared notNull`,
    location: ctx.location,
    metrics: { count: bad.length, rate: bad.length / ctx.rows.length },
    examples: examplesAt(ctx, bad),
  }];
}
