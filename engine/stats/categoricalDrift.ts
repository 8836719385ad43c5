/**
 * Distribution drift between the stored values of a categorical feature and the values the
 * edited code produces (SPEC §5, `drift.distribution` and `domain.new-values`). A model's
 * encoders were fitted on the stored categories, so both a shift in their frequencies and a
 * category it has never seen can silently change predictions:
 *
 * - PSI over the union of categories: the same scale and thresholds as the numeric PSI.
 * - L-infinity: the largest change in any one category's share, easy to explain in a message.
 * - Jensen–Shannon distance (base 2): a bounded, symmetric summary in [0, 1].
 * - The categories the target produces that were never stored, with their counts.
 */

import { PSI_EPSILON } from './numericDrift';

/** Drift metrics of a categorical feature; see `categoricalDrift`. */
export interface CategoricalDrift {
  /** Population stability index over the union of categories (>= 0). */
  psi: number;
  /** max over categories of |p_stored - p_target|, in [0, 1]. */
  lInf: number;
  /** Jensen–Shannon DISTANCE with base-2 logs, in [0, 1]: scipy.spatial.distance.jensenshannon(p, q, base=2). */
  jensenShannon: number;
  /** Target categories absent from the stored values, with their target counts, most frequent first. */
  newValues: Map<string, number>;
}

/**
 * Compares the category frequencies of `target` to those of `stored`.
 *
 * Callers pass category labels only: nulls are filtered out beforehand (their rate is the
 * separate `nulls.rate` check) and non-string categories are converted to strings.
 *
 * - `psi` = sum over the union of categories of (q - p) * ln(q / p), where p and q are the stored
 *   and target shares, floored at `PSI_EPSILON` so that a category missing on one side keeps PSI
 *   finite.
 * - `lInf` = max |p - q| over the union, unsmoothed.
 * - `jensenShannon` is the Jensen–Shannon distance, i.e. the square root of the divergence
 *   (1/2 KL(p || m) + 1/2 KL(q || m), m = (p + q) / 2, logs base 2), exactly what
 *   `scipy.spatial.distance.jensenshannon(p, q, base=2)` returns; square it for the divergence.
 *   It is 0 for identical frequencies and 1 for disjoint categories.
 * - `newValues` lists every target category that never occurs in `stored`, with its count,
 *   ordered by descending count (first appearance in `target` breaks ties). With an empty
 *   `stored`, every target category is new.
 *
 * When either side is empty there are no frequencies to compare, so `psi`, `lInf` and
 * `jensenShannon` are 0.
 */
export function categoricalDrift(stored: ArrayLike<string>, target: ArrayLike<string>): CategoricalDrift {
  return categoricalDriftOfCounts(countValues(stored), countValues(target));
}

/** `categoricalDrift` of the two sides' category counts (each in first-appearance order). */
export function categoricalDriftOfCounts(storedCounts: ReadonlyMap<string, number>, targetCounts: ReadonlyMap<string, number>): CategoricalDrift {
  const newValues = new Map(
    [...targetCounts].filter(([value]) => !storedCounts.has(value)).sort((a, b) => b[1] - a[1]),
  );
  const ns = total(storedCounts);
  const nt = total(targetCounts);
  if (ns === 0 || nt === 0) return { psi: 0, lInf: 0, jensenShannon: 0, newValues };

  let psi = 0;
  let lInf = 0;
  let js = 0;
  const visit = (sCount: number, tCount: number): void => {
    const p = sCount / ns;
    const q = tCount / nt;
    const diff = Math.abs(p - q);
    if (diff > lInf) lInf = diff;
    const ps = Math.max(p, PSI_EPSILON);
    const qs = Math.max(q, PSI_EPSILON);
    psi += (qs - ps) * Math.log(qs / ps);
    // scipy's rel_entr(x, m) is 0 when x is 0, so a category on one side only adds x*ln(2).
    const m = (p + q) / 2;
    if (p > 0) js += p * Math.log(p / m);
    if (q > 0) js += q * Math.log(q / m);
  };
  for (const [value, sCount] of storedCounts) visit(sCount, targetCounts.get(value) ?? 0);
  for (const [, tCount] of newValues) visit(0, tCount);

  // The sum is in nats; dividing by ln 2 gives bits, and the clamp absorbs rounding just below 0.
  const jensenShannon = Math.sqrt(Math.max(0, js / Math.LN2 / 2));
  return { psi, lInf, jensenShannon, newValues };
}

function total(counts: ReadonlyMap<string, number>): number {
  let n = 0;
  for (const c of counts.values()) n += c;
  return n;
}

/** Counts each distinct value, keeping first-appearance order. */
function countValues(values: ArrayLike<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return counts;
}
