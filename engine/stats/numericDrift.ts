/**
 * Distribution drift between the stored values of a numeric feature and the values the edited
 * code produces (SPEC §5, `drift.distribution`). A change can keep most rows "close" and still
 * move the distribution a model was trained on; these three numbers say how far it moved:
 *
 * - PSI over 10 quantile bins of the stored values: the industry rule of thumb the thresholds
 *   (0.1 / 0.25) are written for.
 * - The two-sample Kolmogorov–Smirnov statistic: the largest gap between the two empirical CDFs,
 *   insensitive to scale, in [0, 1].
 * - Wasserstein-1 (earth mover's distance) divided by the stored standard deviation: how far, in
 *   stored standard deviations, mass had to move, so it is comparable across features.
 *
 * All three come from one sort of each array and one merge walk over both, so a check over
 * 100k sampled rows stays within the editor's latency budget.
 */

import { lowerBound, quantilesSorted, upperBound } from './describe';
import { sortedCopy } from './sortNumbers';

/** Drift metrics of a numeric feature; see `numericDrift`. */
export interface NumericDrift {
  /** Population stability index over the stored deciles (>= 0; 0 for identical bins). */
  psi: number;
  /** Two-sample Kolmogorov–Smirnov statistic, in [0, 1] (scipy.stats.ks_2samp(...).statistic). */
  ks: number;
  /** scipy.stats.wasserstein_distance(stored, target) divided by `storedStd` (by 1 when that is 0). */
  wasserstein: number;
  /** Population standard deviation (ddof = 0) of the stored values. */
  storedStd: number;
}

/**
 * The floor on a bin's proportion, so that PSI stays finite when one side has no values in a bin
 * (a shifted feature typically empties the bottom or top bins). It is a floor rather than a
 * stand-in for exactly-empty bins so that a bin with one stray value never scores higher than an
 * empty one.
 */
export const PSI_EPSILON = 1e-4;

/** The deciles whose stored values are the PSI bin edges. */
const DECILES: readonly number[] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/**
 * Compares the distribution of `target` values to the `stored` ones.
 *
 * Both arrays must hold finite numbers only: the caller filters out nulls and NaN (their rate is
 * a separate check, `nulls.rate`), because a NaN has no place in an ordering and would make every
 * metric meaningless. Inputs are not modified; each is copied and sorted once.
 *
 * - `psi` = sum over bins of (t - s) * ln(t / s), where s and t are the stored and target
 *   proportions per bin, floored at `PSI_EPSILON` (so an empty bin counts as 1e-4). The bins
 *   are cut at the stored deciles (linear interpolation), right-closed, with open-ended outer
 *   bins: 10 bins for a continuous feature. When a stored value fills more than one decile (ties:
 *   a constant column, a flag, small integers), that value becomes its own point bin with open
 *   intervals on both sides, so moving a constant column up or down, or producing values between
 *   the stored ones, is still seen.
 * - `ks` = max |F_stored(x) - F_target(x)| over all observed x, exactly scipy's ks_2samp statistic.
 * - `wasserstein` = the integral of |F_stored - F_target|, exactly scipy's wasserstein_distance,
 *   divided by the stored population standard deviation. A constant stored column has a standard
 *   deviation of 0, so the distance is divided by 1 instead and stays in the feature's own units.
 *
 * When either side is empty there is nothing to compare: `psi`, `ks` and `wasserstein` are 0
 * (and `storedStd` is 0 when `stored` is empty).
 */
export function numericDrift(stored: Float64Array, target: Float64Array): NumericDrift {
  return numericDriftSorted(sortedCopy(stored), sortedCopy(target));
}

/** `numericDrift` of arrays already sorted ascending (the callers that hold sorted values skip the copies and sorts). */
export function numericDriftSorted(s: Float64Array, t: Float64Array): NumericDrift {
  const storedStd = populationStd(s);
  if (s.length === 0 || t.length === 0) return { psi: 0, ks: 0, wasserstein: 0, storedStd };
  const { ks, w1 } = ksAndWasserstein(s, t);
  return {
    psi: psiSorted(s, t),
    ks,
    wasserstein: storedStd > 0 ? w1 / storedStd : w1,
    storedStd,
  };
}

/** Population standard deviation (two passes, for accuracy when the mean is large). */
function populationStd(values: Float64Array): number {
  const n = values.length;
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - mean;
    ss += d * d;
  }
  return Math.sqrt(ss / n);
}

/**
 * Walks both sorted arrays in merged order, one distinct value at a time. After consuming every
 * value <= v, i/n1 and j/n2 are the two empirical CDFs at v, computed with the same division as
 * scipy's `searchsorted(..., 'right') / n`, so the KS maximum is bit-for-bit scipy's. The
 * Wasserstein-1 distance is the sum of |F1 - F2| times the gap to the next distinct value, which
 * is scipy's `_cdf_distance(1, ...)` without its zero-width terms.
 */
function ksAndWasserstein(s: Float64Array, t: Float64Array): { ks: number; w1: number } {
  const n1 = s.length;
  const n2 = t.length;
  let i = 0;
  let j = 0;
  let ks = 0;
  let w1 = 0;
  let v = s[0] < t[0] ? s[0] : t[0];
  for (;;) {
    while (i < n1 && s[i] <= v) i++;
    while (j < n2 && t[j] <= v) j++;
    const gap = Math.abs(i / n1 - j / n2);
    if (gap > ks) ks = gap;
    let next: number;
    if (i < n1) next = j < n2 && t[j] < s[i] ? t[j] : s[i];
    else if (j < n2) next = t[j];
    else break;
    w1 += gap * (next - v);
    v = next;
  }
  return { ks, w1 };
}

/** PSI of sorted `t` against sorted `s` on the stored-decile bins described at `numericDrift`. */
function psiSorted(s: Float64Array, t: Float64Array): number {
  const edges = quantilesSorted(s, DECILES);
  // Each cut is a cumulative count on both sides; consecutive cuts delimit one bin.
  const cutsS: number[] = [0];
  const cutsT: number[] = [0];
  for (let k = 0; k < edges.length; ) {
    const e = edges[k];
    let m = k + 1;
    while (m < edges.length && edges[m] === e) m++;
    if (m - k > 1) {
      // A repeated edge is a point mass: close the interval below it before the point itself.
      cutsS.push(lowerBound(s, e));
      cutsT.push(lowerBound(t, e));
    }
    cutsS.push(upperBound(s, e));
    cutsT.push(upperBound(t, e));
    k = m;
  }
  cutsS.push(s.length);
  cutsT.push(t.length);
  let psi = 0;
  for (let b = 1; b < cutsS.length; b++) {
    const ps = Math.max((cutsS[b] - cutsS[b - 1]) / s.length, PSI_EPSILON);
    const pt = Math.max((cutsT[b] - cutsT[b - 1]) / t.length, PSI_EPSILON);
    // Each term is >= 0 because (pt - ps) and ln(pt / ps) share their sign.
    psi += (pt - ps) * Math.log(pt / ps);
  }
  return psi;
}
