/**
 * Small descriptive helpers shared by the drift metrics and the report: quantiles of a sorted
 * sample, binary searches into sorted samples, and histograms over edges shared by several
 * arrays. Drift is easiest to understand when stored, base and target values are drawn over the
 * same bins, so the report needs one set of edges for all of them.
 *
 * Every function here is pure and expects finite numbers; callers filter out nulls and NaN.
 */

/**
 * Returns the `qs` quantiles (each in [0, 1]) of an ascending-sorted sample, using linear
 * interpolation between order statistics (numpy's default, Hyndman–Fan type 7). An empty sample
 * gives NaN for every quantile, because no value describes it.
 */
export function quantilesSorted(sorted: ArrayLike<number>, qs: readonly number[]): number[] {
  const n = sorted.length;
  if (n === 0) return qs.map(() => NaN);
  return qs.map((q) => {
    const h = (n - 1) * Math.min(1, Math.max(0, q));
    const lo = Math.floor(h);
    const hi = Math.min(lo + 1, n - 1);
    const a = sorted[lo];
    const b = sorted[hi];
    // When the two order statistics are tied this is exactly `a`, so repeated values give
    // repeated quantiles that callers can detect with `===`.
    return a === b ? a : a + (h - lo) * (b - a);
  });
}

/**
 * Returns the `qs` quantiles of an unsorted sample (sorting a copy); see `quantilesSorted` for
 * the definition.
 */
export function quantiles(values: Float64Array, qs: readonly number[]): number[] {
  return quantilesSorted(Float64Array.from(values).sort(), qs);
}

/** Returns the first index of an ascending-sorted array whose value is `>= x` (numpy `searchsorted(side='left')`). */
export function lowerBound(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Returns the first index of an ascending-sorted array whose value is `> x` (numpy `searchsorted(side='right')`). */
export function upperBound(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Counts `values` into the bins defined by ascending `edges`: bin k is [edges[k], edges[k+1]),
 * except the last bin, which also includes its right edge (numpy.histogram's convention, so the
 * maximum of the data is not lost). Values outside [edges[0], edges[last]] are not counted, nor
 * are values that are not numbers (a feature's nulls and failed rows: its values are counted as
 * they are, without a copy of their numbers). Returns `edges.length - 1` counts (an empty array
 * for fewer than two edges).
 */
export function histogram(values: ArrayLike<unknown>, edges: readonly number[]): number[] {
  const bins = edges.length - 1;
  if (bins < 1) return [];
  const counts = new Array<number>(bins).fill(0);
  const first = edges[0];
  const last = edges[bins];
  // Equal-width edges (sharedEdges) put v in bin floor((v - first) / width); the guess is then
  // corrected against the actual edges, so uneven edges and rounding still give the exact bin.
  const scale = last > first ? bins / (last - first) : 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !(v >= first && v <= last)) continue;
    // The bin is the last edge that is <= v, clamped so that v === last lands in the last bin.
    // A range too narrow for its width to be a number (subnormal) makes the guess NaN or infinite.
    let k = Math.floor((v - first) * scale);
    if (!(k >= 0)) k = 0;
    else if (k > bins - 1) k = bins - 1;
    while (k > 0 && edges[k] > v) k--;
    while (k < bins - 1 && edges[k + 1] <= v) k++;
    counts[k]++;
  }
  return counts;
}

/**
 * `histogram` of numbers already sorted ascending (no NaN): the same counts from two binary
 * searches per edge instead of a pass over the values (a feature's stored and target values are
 * sorted for the drift statistics anyway).
 */
export function histogramSorted(sorted: Float64Array, edges: readonly number[]): number[] {
  const bins = edges.length - 1;
  if (bins < 1) return [];
  const counts = new Array<number>(bins).fill(0);
  // Bin k holds edges[k] <= v < edges[k + 1]; the last one edges[bins - 1] <= v <= edges[bins].
  let from = lowerBound(sorted, edges[0]);
  for (let k = 0; k < bins; k++) {
    const to = k < bins - 1 ? lowerBound(sorted, edges[k + 1]) : upperBound(sorted, edges[bins]);
    counts[k] = Math.max(0, to - from);
    from = Math.max(from, to);
  }
  return counts;
}

/**
 * Returns `bins + 1` equal-width edges spanning the minimum to the maximum over all `arrays`, so
 * that stored, base and target histograms can be drawn on the same axis. A single repeated value
 * gets a unit-wide range centred on it (zero-width bins would hide it); no values at all give an
 * empty array.
 */
export function sharedEdges(arrays: readonly Float64Array[], bins = 20): number[] {
  let min = Infinity;
  let max = -Infinity;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (!(min <= max)) return [];
  const count = Math.max(1, Math.floor(bins));
  if (min === max) {
    min -= 0.5;
    max += 0.5;
  }
  const width = (max - min) / count;
  const edges: number[] = [];
  for (let k = 0; k < count; k++) edges.push(min + k * width);
  // The last edge is set exactly so that rounding cannot leave the maximum outside every bin.
  edges.push(max);
  return edges;
}
