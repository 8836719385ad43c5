/**
 * schema.type — the target's output type differs from the stored column's (number, string,
 * boolean, date; integer vs fractional). Consumers read the column with its stored type: a string
 * where a number was stored, or fractions in an integer column, break them outright.
 */
import type { ColumnType } from '../data/table';
import type { Finding } from '../findings';
import type { CheckContext } from './checkContext';
import { isNumericType, valueType, valuesType } from './values';

export function schemaType(ctx: CheckContext): Finding[] {
  const stored = ctx.storedType;
  if (!ctx.stored || !stored || stored === 'unknown') return [];
  // Mixed outputs (numbers on some rows, strings on others) have no single type: judge each value.
  let target = valuesType(ctx.target.values);
  if (target === 'unknown') target = firstIncompatibleType(stored, ctx.target.values) ?? 'unknown';
  if (target === 'unknown' || compatible(stored, target)) return [];
  const what = isNumericType(stored) && isNumericType(target) ? 'fractional values in an integer column' : `${target} values where ${stored} values are stored`;
  return [{
    check: 'schema.type',
    severity: 'error',
    message: `output type changed: ${what} ("${ctx.feature.column}")`,
    location: ctx.location,
    metrics: { storedType: stored, targetType: target },
  }];
}

/** The type of the first value the stored column cannot hold (nulls and unknown kinds skipped). */
function firstIncompatibleType(stored: string, values: readonly unknown[]): ColumnType | undefined {
  for (const v of values) {
    if (v === null || v === undefined) continue;
    const t = valueType(v);
    if (t !== 'unknown' && !compatible(stored, t)) return t;
  }
  return undefined;
}

/** A fractional column may hold whole numbers; an integer column may not hold fractions. */
function compatible(stored: string, target: string): boolean {
  if (stored === target) return true;
  return stored === 'number' && target === 'integer';
}
