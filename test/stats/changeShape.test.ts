import { strict as assert } from 'node:assert';
import { findCategoryRemap, fitAffine, isMonotonicMap } from '../../engine/stats/changeShape';

function close(actual: number, expected: number, tol = 1e-9): void {
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${actual} !== ${expected}`);
}

const xs = Float64Array.from({ length: 500 }, (_, i) => (i - 250) / 25);

describe('stats/changeShape', () => {
  describe('fitAffine', () => {
    it('recovers slope and intercept of an exact affine map with r2 = 1', () => {
      const y = xs.map((v) => 2.5 * v - 7);
      const fit = fitAffine(xs, y);
      close(fit.slope, 2.5);
      close(fit.intercept, -7);
      close(fit.r2, 1, 1e-12);
    });

    it('stays accurate for large offsets', () => {
      const x = xs.map((v) => 1e9 + v);
      const y = x.map((v) => v / 1000 + 3);
      const fit = fitAffine(x, y);
      close(fit.slope, 0.001, 1e-6);
      close(fit.r2, 1, 1e-9);
    });

    it('gives r2 < 1 for noisy data', () => {
      const y = xs.map((v, i) => 3 * v + 1 + Math.sin(i * 12.9898) * 2);
      const fit = fitAffine(xs, y);
      assert.ok(fit.r2 < 1 && fit.r2 > 0.8, `r2 ${fit.r2}`);
      assert.ok(Math.abs(fit.slope - 3) < 0.2);
    });

    it('handles degenerate inputs', () => {
      assert.deepEqual(fitAffine([], []), { slope: 0, intercept: 0, r2: 0 });
      assert.deepEqual(fitAffine([1, 2, 3], [4, 4, 4]), { slope: 0, intercept: 4, r2: 1 });
      const constantX = fitAffine([2, 2, 2], [1, 2, 3]);
      assert.equal(constantX.slope, 0);
      assert.equal(constantX.intercept, 2);
      assert.equal(constantX.r2, 0);
      assert.throws(() => fitAffine([1, 2], [1]), RangeError);
    });
  });

  describe('isMonotonicMap', () => {
    it('is true for exp (increasing) and for a decreasing map', () => {
      assert.equal(isMonotonicMap(xs, xs.map(Math.exp)), true);
      assert.equal(isMonotonicMap(xs, xs.map((v) => -v * v * v)), true);
    });

    it('is false for sin over several periods', () => {
      assert.equal(isMonotonicMap(xs, xs.map(Math.sin)), false);
    });

    it('does not depend on row order', () => {
      const shuffled = Float64Array.from(xs).reverse();
      assert.equal(isMonotonicMap(shuffled, shuffled.map(Math.exp)), true);
    });

    it('requires equal outputs for equal inputs', () => {
      assert.equal(isMonotonicMap([1, 1, 2], [5, 5, 6]), true);
      assert.equal(isMonotonicMap([1, 1, 2], [5, 6, 7]), false);
    });

    it('treats constant outputs and short inputs as monotonic', () => {
      assert.equal(isMonotonicMap([3, 1, 2], [0, 0, 0]), true);
      assert.equal(isMonotonicMap([], []), true);
      assert.equal(isMonotonicMap([1], [9]), true);
    });
  });

  describe('findCategoryRemap', () => {
    it('finds a one-to-one renaming', () => {
      const base = ['us', 'uk', 'us', 'fr', 'uk'];
      const target = ['US', 'GB', 'US', 'fr', 'GB'];
      const map = findCategoryRemap(base, target);
      assert.deepEqual(map && [...map], [['us', 'US'], ['uk', 'GB'], ['fr', 'fr']]);
    });

    it('returns null for a merge', () => {
      assert.equal(findCategoryRemap(['a', 'b', 'c'], ['x', 'x', 'y']), null);
    });

    it('returns null for a split or a row-dependent change', () => {
      assert.equal(findCategoryRemap(['a', 'a', 'b'], ['x', 'y', 'z']), null);
    });

    it('returns an empty mapping for no rows, and throws on unpaired rows', () => {
      assert.deepEqual(findCategoryRemap([], []), new Map());
      assert.throws(() => findCategoryRemap(['a'], []), RangeError);
    });
  });
});
