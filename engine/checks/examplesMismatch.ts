/**
 * examples.mismatch — a declared example (`examples: [{ input, output }]`) gives another output.
 * Examples are the feature's unit tests, written next to its contract.
 */
import type { Finding } from '../findings';
import type { CheckContext } from './checkContext';
import { sameValue, show } from './values';

export function examplesMismatch(ctx: CheckContext): Finding[] {
  const examples = ctx.feature.examples ?? [];
  const out: Finding[] = [];
  examples.forEach((ex, i) => {
    const got = ctx.target.extraValues[i];
    // `undefined` means the example threw: a mismatch even when the expected output is null.
    if (got !== undefined && sameValue(got, ex.output, ctx.feature.tolerance)) return;
    out.push({
      check: 'examples.mismatch',
      severity: 'error',
      message: `example ${i + 1} expects ${show(ex.output)} but the code ${got === undefined ? 'throws' : `returns ${show(got)}`} for ${JSON.stringify(ex.input)}`,
      location: ctx.location,
      examples: [{ row: ex.input, target: got ?? null }],
    });
  });
  return out;
}
