/**
 * Shape tests behind change classification (SPEC §4, `features[].change`). When the edited code
 * changes a feature's values, what to do next depends on how they changed: an affine rescale
 * means a backfill or a new feature version, a monotonic transform keeps tree models' splits
 * meaningful but not linear ones, and a one-to-one renaming of categories only needs the encoder
 * mapping updated. These helpers answer those questions over rows paired by index
 * (`base[i]` and `target[i]` come from the same input row).
 *
 * Callers pass finite numbers (or category strings) only; rows where either side is null, NaN or
 * an error are removed from both arrays beforehand so that the pairing is kept.
 */

/** A least-squares line y ≈ slope·x + intercept and how much of y's variance it explains. */
export interface AffineFit {
  slope: number;
  intercept: number;
  /** Coefficient of determination, 1 - SS_res / SS_tot; 1 is a perfect fit. */
  r2: number;
}

/**
 * Fits y ≈ slope·x + intercept by ordinary least squares (on centred values, for accuracy when
 * the values are large). `r2` is computed from the actual residuals.
 *
 * Degenerate cases, chosen so that "r2 = 1" always means "y is exactly affine in x":
 * no rows give slope 0, intercept 0, r2 0; a constant x gives slope 0 and intercept mean(y), with
 * r2 1 only when y is constant too; a constant y gives slope 0 and r2 1.
 *
 * @throws RangeError when `x` and `y` differ in length, because the rows would not be paired.
 */
export function fitAffine(x: ArrayLike<number>, y: ArrayLike<number>): AffineFit {
  assertPaired(x, y);
  const n = x.length;
  if (n === 0) return { slope: 0, intercept: 0, r2: 0 };
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += x[i];
    sy += y[i];
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  const intercept = my - slope * mx;
  if (syy === 0) return { slope, intercept, r2: 1 };
  let ssRes = 0;
  for (let i = 0; i < n; i++) {
    const r = y[i] - (slope * x[i] + intercept);
    ssRes += r * r;
  }
  return { slope, intercept, r2: Math.max(0, 1 - ssRes / syy) };
}

/**
 * Returns true when y is a monotonic function of x over the paired rows: rows with equal x have
 * equal y, and ordering the rows by x orders y either non-decreasingly or non-increasingly. A
 * constant y (and fewer than two rows) counts as monotonic, because no ordering is broken.
 *
 * Sorts a permutation of the row indices once, O(n log n).
 *
 * @throws RangeError when `x` and `y` differ in length.
 */
export function isMonotonicMap(x: ArrayLike<number>, y: ArrayLike<number>): boolean {
  assertPaired(x, y);
  const n = x.length;
  if (n < 2) return true;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => x[a] - x[b]);
  let increasing = true;
  let decreasing = true;
  for (let k = 1; k < n; k++) {
    const prev = order[k - 1];
    const cur = order[k];
    if (x[cur] === x[prev]) {
      // Equal inputs must give equal outputs, or y is not a function of x at all.
      if (y[cur] !== y[prev]) return false;
      continue;
    }
    if (y[cur] < y[prev]) increasing = false;
    else if (y[cur] > y[prev]) decreasing = false;
    if (!increasing && !decreasing) return false;
  }
  return true;
}

/**
 * Finds the one-to-one renaming that turns `base` into `target` row by row: every occurrence of a
 * base category maps to the same target category, and no two base categories map to the same
 * target category. Returns the full mapping (categories left unchanged map to themselves, so the
 * caller can drop those pairs when reporting), or null when the change is not a renaming (a
 * split, a merge, or any row-dependent change).
 *
 * @throws RangeError when `base` and `target` differ in length.
 */
export function findCategoryRemap(base: ArrayLike<string>, target: ArrayLike<string>): Map<string, string> | null {
  assertPaired(base, target);
  const forward = new Map<string, string>();
  const backward = new Map<string, string>();
  for (let i = 0; i < base.length; i++) {
    const b = base[i];
    const t = target[i];
    const mapped = forward.get(b);
    if (mapped === undefined) {
      // A target category already claimed by another base category would be a merge.
      if (backward.has(t)) return null;
      forward.set(b, t);
      backward.set(t, b);
    } else if (mapped !== t) {
      return null;
    }
  }
  return forward;
}

/** Rejects unpaired inputs, which would silently compare unrelated rows. */
function assertPaired(a: ArrayLike<unknown>, b: ArrayLike<unknown>): void {
  if (a.length !== b.length) {
    throw new RangeError(`paired arrays differ in length: ${a.length} vs ${b.length}`);
  }
}
