/**
 * code.nondeterministic — the same code gave different values on two runs over the same rows
 * (`Math.random`, `Date.now`). Every other comparison of this feature is then unreliable, and the
 * stored history cannot be reproduced.
 */
import type { Finding } from '../findings';
import type { CheckContext } from './checkContext';

export function codeNondeterministic(ctx: CheckContext): Finding[] {
  const n = ctx.target.nondeterministic;
  if (n === 0) return [];
  return [{
    check: 'code.nondeterministic',
    severity: 'warning',
    message: `gave different values on ${n} rows when run twice on the same input (Math.random, Date.now?): its comparisons are unreliable`,
    location: ctx.location,
    metrics: { count: n },
  }];
}
