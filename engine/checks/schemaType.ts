/**
 * schema.type — the target's output type differs from the stored column's (number, string,
 * boolean, date; integer vs fractional). Consumers read the column with its stored type: a string
 * where a number was stored, or fractions in an integer column, break them outright.
 */
import type { Finding } from '../findings';
import type { CheckContext } from './checkContext';
import { isNumericType, valuesType } from './values';

export function schemaType(ctx: CheckContext): Finding[] {
  const stored = ctx.storedType;
  if (!ctx.stored || !stored || stored === 'unknown') return [];
  const target = valuesType(ctx.target.values);
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

/** A fractional column may hold whole numbers; an integer column may not hold fractions. */
function compatible(stored: string, target: string): boolean {
  if (stored === target) return true;
  return stored === 'number' && target === 'integer';
}
