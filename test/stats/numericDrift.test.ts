import { strict as assert } from 'node:assert';
import { histogram, histogramSorted, quantiles, sharedEdges } from '../../engine/stats/describe';
import { numericDrift, PSI_EPSILON } from '../../engine/stats/numericDrift';
import { sortedCopy, sortInPlace } from '../../engine/stats/sortNumbers';
import { forgetDerivedViews, sortedFiniteNumbers } from '../../engine/checks/values';
import { featureHistogram } from '../../engine/verdict/histograms';
import { normals, prng as mulberry32 } from '../helpers';

function range(from: number, count: number): Float64Array {
  return Float64Array.from({ length: count }, (_, i) => from + i);
}

function close(actual: number, expected: number, tol = 1e-12): void {
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${actual} !== ${expected}`);
}

describe('stats/numericDrift', () => {
  it('gives zero drift for identical inputs, in any order', () => {
    const a = normals(2000, 1);
    const shuffled = Float64Array.from(a).reverse();
    const d = numericDrift(a, shuffled);
    assert.equal(d.psi, 0);
    assert.equal(d.ks, 0);
    assert.equal(d.wasserstein, 0);
    assert.ok(d.storedStd > 0.9 && d.storedStd < 1.1);
  });

  it('does not modify its inputs', () => {
    const a = Float64Array.of(3, 1, 2);
    const b = Float64Array.of(9, 8, 7);
    numericDrift(a, b);
    assert.deepEqual([...a], [3, 1, 2]);
    assert.deepEqual([...b], [9, 8, 7]);
  });

  it('gives the expected values for a shifted grid', () => {
    // Stored 0..999 and target 500..1499: half of the mass moves by 1000, or all of it by 500.
    const stored = range(0, 1000);
    const target = range(500, 1000);
    const d = numericDrift(stored, target);
    close(d.ks, 0.5);
    const std = Math.sqrt((1000 * 1000 - 1) / 12);
    close(d.storedStd, std);
    close(d.wasserstein, 500 / std);
    // Stored deciles are 99.9, 199.8, ..., 899.1: target leaves the 5 lowest bins empty, fills
    // each of bins 5..8 with 100 values, and puts 900..1499 (600 values) in the top bin.
    const eps = PSI_EPSILON;
    const expected = 5 * (eps - 0.1) * Math.log(eps / 0.1) + (0.6 - 0.1) * Math.log(0.6 / 0.1);
    close(d.psi, expected);
  });

  it('scores a mean shift of normal data in the expected ranges', () => {
    const stored = normals(20000, 2);
    const target = normals(20000, 3, 0.5);
    const d = numericDrift(stored, target);
    // For N(0,1) vs N(0.5,1): KS = 2Φ(0.25) - 1 ≈ 0.197, W1 = 0.5, PSI ≈ 0.25.
    assert.ok(Math.abs(d.ks - 0.197) < 0.02, `ks ${d.ks}`);
    assert.ok(Math.abs(d.wasserstein - 0.5) < 0.03, `wasserstein ${d.wasserstein}`);
    assert.ok(d.psi > 0.2 && d.psi < 0.3, `psi ${d.psi}`);
  });

  it('keeps PSI >= 0 and KS in [0, 1] on random pairs', () => {
    for (let seed = 10; seed < 40; seed++) {
      const rand = mulberry32(seed);
      const stored = normals(50 + Math.floor(rand() * 500), seed * 2, rand() * 2, 0.5 + rand());
      const target = normals(1 + Math.floor(rand() * 500), seed * 2 + 1, rand() * 2, 0.5 + rand());
      // Round some cases so that ties and point bins are exercised too.
      if (seed % 3 === 0) for (const arr of [stored, target]) arr.forEach((v, i) => { arr[i] = Math.round(v); });
      const d = numericDrift(stored, target);
      assert.ok(d.psi >= 0 && Number.isFinite(d.psi), `psi ${d.psi}`);
      assert.ok(d.ks >= 0 && d.ks <= 1, `ks ${d.ks}`);
      assert.ok(d.wasserstein >= 0 && Number.isFinite(d.wasserstein));
    }
  });

  it('gives a symmetric Wasserstein distance before normalization, and a symmetric KS', () => {
    const a = normals(3000, 4);
    const b = normals(1700, 5, 1, 3);
    const ab = numericDrift(a, b);
    const ba = numericDrift(b, a);
    close(ab.wasserstein * ab.storedStd, ba.wasserstein * ba.storedStd, 1e-12);
    assert.equal(ab.ks, ba.ks);
  });

  it('handles a constant stored column', () => {
    const stored = new Float64Array(1000).fill(5);
    const same = numericDrift(stored, new Float64Array(300).fill(5));
    assert.deepEqual(same, { psi: 0, ks: 0, wasserstein: 0, storedStd: 0 });

    // A constant column moved up or down lands outside the point bin either way.
    for (const moved of [4, 6]) {
      const d = numericDrift(stored, new Float64Array(1000).fill(moved));
      assert.equal(d.ks, 1);
      // The stored std is 0, so the distance is left in the feature's units (divided by 1).
      assert.equal(d.wasserstein, 1);
      assert.equal(d.storedStd, 0);
      const eps = PSI_EPSILON;
      close(d.psi, 2 * (1 - eps) * Math.log(1 / eps));
    }
  });

  it('sees values produced between tied stored values', () => {
    // A 0/1 flag stored; the target produces 0.5 for a fifth of the rows.
    const stored = Float64Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? 0 : 1));
    const target = Float64Array.from({ length: 1000 }, (_, i) => (i % 5 === 0 ? 0.5 : i % 2 === 0 ? 0 : 1));
    const d = numericDrift(stored, target);
    assert.ok(d.psi > 0.25, `psi ${d.psi}`);
  });

  it('returns zeros for empty inputs', () => {
    assert.deepEqual(numericDrift(new Float64Array(0), new Float64Array(0)), { psi: 0, ks: 0, wasserstein: 0, storedStd: 0 });
    assert.deepEqual(numericDrift(new Float64Array(0), Float64Array.of(1, 2)), { psi: 0, ks: 0, wasserstein: 0, storedStd: 0 });
    const onlyStored = numericDrift(Float64Array.of(1, 3), new Float64Array(0));
    assert.deepEqual(onlyStored, { psi: 0, ks: 0, wasserstein: 0, storedStd: 1 });
  });

  it('handles a single value on each side', () => {
    const d = numericDrift(Float64Array.of(2), Float64Array.of(7));
    assert.equal(d.ks, 1);
    assert.equal(d.wasserstein, 5);
  });
});

// The helpers numericDrift builds on; numpy.histogram parity is checked in scipyReference.test.ts.
describe('stats/sortNumbers', () => {
  it('sorts exactly as Float64Array.prototype.sort: signs, -0 and +0, ties, subnormals, infinities, above and below the radix threshold', () => {
    const rand = mulberry32(11);
    const special = [0, -0, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, Infinity, -Infinity, 1, -1, 2 ** 53, 0.1];
    for (const n of [0, 1, 7, 4095, 4096, 20000]) {
      const values = Float64Array.from({ length: n }, (_, i) => (i < special.length && rand() < 0.5 ? special[i] : rand() < 0.2 ? Math.round(rand() * 10) - 5 : (rand() - 0.5) * 10 ** Math.floor(rand() * 12 - 6)));
      const copy = Float64Array.from(values);
      const sorted = sortedCopy(values);
      assert.deepEqual(copy, values, 'the input is not modified');
      const expected = Float64Array.from(values).sort();
      assert.equal(sorted.length, n);
      for (let i = 0; i < n; i++) assert.ok(Object.is(sorted[i], expected[i]), `n=${n}, index ${i}: ${sorted[i]} vs ${expected[i]}`);
    }
  });

  it('sorts values that share their top digits (skipped radix passes, odd and even), twice in a row with the same scratch space', () => {
    const rand = mulberry32(12);
    const narrow = Float64Array.from({ length: 10000 }, () => 1 + rand() * 1e-6); // top 16 bits equal: one pass skipped
    const integers = Float64Array.from({ length: 10000 }, () => Math.floor(rand() * 1000)); // low 32 bits equal: two skipped
    const constant = new Float64Array(10000).fill(3.5); // every pass skipped
    for (const values of [narrow, integers, constant, narrow]) {
      const expected = Float64Array.from(values).sort();
      assert.deepEqual(sortedCopy(values), expected);
    }
  });

  it('sorts in place, a view into a larger buffer too (above and below the radix threshold), leaving the rest of the buffer alone', () => {
    const rand = mulberry32(13);
    for (const n of [100, 9999, 10000]) {
      const buffer = Float64Array.from({ length: n + 6 }, () => (rand() - 0.5) * 1000);
      const before = Float64Array.from(buffer);
      const view = buffer.subarray(3, 3 + n);
      const expected = Float64Array.from(view).sort();
      assert.equal(sortInPlace(view), view, 'the array itself');
      assert.deepEqual(view, expected, `n=${n}`);
      assert.deepEqual([...buffer.subarray(0, 3), ...buffer.subarray(3 + n)], [...before.subarray(0, 3), ...before.subarray(3 + n)]);
    }
  });
});

describe('stats/describe', () => {
  it('interpolates quantiles linearly, as numpy does by default', () => {
    assert.deepEqual(quantiles(Float64Array.of(4, 1, 3, 2), [0, 0.5, 1, 1 / 3]), [1, 2.5, 4, 2]);
    assert.ok(quantiles(new Float64Array(0), [0.5]).every(Number.isNaN));
  });

  it('puts the maximum in the last bin and ignores values outside the edges', () => {
    assert.deepEqual(histogram(Float64Array.of(-1, 0, 0.5, 1, 1.5, 2, 3), [0, 1, 2]), [2, 3]);
    assert.deepEqual(histogram(Float64Array.of(1), [0]), []);
  });

  it('counts the numbers of a feature\'s values as they are: nulls, failed rows and non-finite numbers are not counted', () => {
    const values = [-1, null, 0, 0.5, undefined, 1, Number.NaN, 1.5, Infinity, 2, -Infinity, 3, 'x'];
    assert.deepEqual(histogram(values, [0, 1, 2]), histogram(Float64Array.of(-1, 0, 0.5, 1, 1.5, 2, 3), [0, 1, 2]));
    assert.deepEqual(histogram(values, [0, 1, 2]), [2, 3]);
  });

  it('bins every value exactly as a binary search over the edges would, for even and uneven edges', () => {
    const rand = mulberry32(7);
    for (let round = 0; round < 200; round++) {
      const n = 1 + Math.floor(rand() * 300);
      // Values on and near the edges are where a computed bin index can be off by one.
      const values = Float64Array.from({ length: n }, () => (rand() < 0.3 ? Math.round(rand() * 20) / 4 : rand() * 6 - 0.5));
      const even = sharedEdges([values], 1 + Math.floor(rand() * 25));
      const uneven = [...new Set(Array.from({ length: 2 + Math.floor(rand() * 8) }, () => Math.round(rand() * 40) / 8))].sort((a, b) => a - b);
      for (const edges of [even, uneven]) {
        const expected = new Array<number>(Math.max(0, edges.length - 1)).fill(0);
        for (const v of values) {
          if (edges.length < 2 || !(v >= edges[0] && v <= edges[edges.length - 1])) continue;
          let k = 0;
          while (k + 1 < edges.length - 1 && edges[k + 1] <= v) k++;
          expected[k]++;
        }
        assert.deepEqual(histogram(values, edges), expected, `edges ${JSON.stringify(edges)}`);
        assert.deepEqual(histogramSorted(sortedCopy(values), edges), expected, `sorted, edges ${JSON.stringify(edges)}`);
      }
    }
  });

  it('counts sorted numbers as histogram counts them unsorted: edges outside the values, equal edges, one repeated value', () => {
    const cases: [number[], number[]][] = [
      [[-1, 0, 0.5, 1, 1.5, 2, 3], [0, 1, 2]],
      [[1, 1, 1], [0.5, 1, 1.5]],
      [[5, 5], sharedEdges([Float64Array.of(5, 5)], 2)],
      [[0, 1, 1, 2], [1, 1, 2]],
      [[-0, 0, 1], [0, 0.5, 1]],
      [[10, 20], [0, 1, 2]],
      [[], [0, 1]],
      [[0, 1e-323, 2e-323], [0, 1e-323, 2e-323]],
    ];
    for (const [values, edges] of cases) {
      const v = Float64Array.from(values);
      assert.deepEqual(histogramSorted(sortedCopy(v), edges), histogram(v, edges), `${JSON.stringify(values)} in ${JSON.stringify(edges)}`);
    }
    assert.deepEqual(histogramSorted(Float64Array.of(1), [0]), []);
  });

  it("draws a feature's histograms the same whether the drift statistics sorted its values first or not", () => {
    const rand = mulberry32(11);
    for (let round = 0; round < 20; round++) {
      const side = (shift: number) => Array.from({ length: 500 }, () => (rand() < 0.05 ? null : rand() < 0.03 ? Number.NaN : rand() < 0.3 ? Math.round(rand() * 8) + shift : rand() * 10 + shift));
      const sides = { stored: side(0), base: side(0.5), target: side(round % 3) };
      forgetDerivedViews();
      const plain = featureHistogram(sides);
      // The drift statistics sort the stored and target values (not the base's).
      sortedFiniteNumbers(sides.stored);
      sortedFiniteNumbers(sides.target);
      assert.ok(sortedFiniteNumbers.known(sides.target) && !sortedFiniteNumbers.known(sides.base));
      assert.deepEqual(featureHistogram(sides), plain);
    }
    forgetDerivedViews();
  });

  it('counts categorical sides: the 12 most frequent labels over all sides, ties in order of first appearance, nulls left out', () => {
    forgetDerivedViews();
    const d = new Date(Date.UTC(2026, 0, 2));
    // Totals: b 6, a 4, d 3, c 3 (c first seen in base, d in target: c first), e 1.
    const h = featureHistogram({ stored: ['a', 'b', null, 'a', 'b', 'b'], base: ['c', 'b', 'a', null, 'c', 'b'], target: ['d', 'd', 'c', 'a', 'b', 'e', 'd', undefined, 'b'] });
    assert.deepEqual(h, { kind: 'categorical', labels: ['b', 'a', 'c', 'd', 'e'], stored: [3, 2, 0, 0, 0], base: [2, 1, 2, 0, 0], target: [2, 1, 1, 3, 1] });
    // A 13th label and beyond are not drawn; dates are labelled by their ISO time.
    const many = Array.from({ length: 14 }, (_, i) => `l${String(i).padStart(2, '0')}`);
    const h2 = featureHistogram({ target: [...many, ...many.slice(5, 8)] });
    assert.deepEqual(h2, { kind: 'categorical', labels: ['l05', 'l06', 'l07', ...many.slice(0, 5), ...many.slice(8, 12)], target: [2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1] });
    assert.deepEqual(featureHistogram({ stored: [d], target: [d, d, null] }), { kind: 'categorical', labels: [d.toISOString()], stored: [1], target: [2] });
    forgetDerivedViews();
  });

  it('bins values over a range too narrow for its width to be a number (subnormal edges)', () => {
    assert.deepEqual(histogram(Float64Array.of(0, 1e-323, 2e-323), [0, 1e-323, 2e-323]), [1, 2]);
  });

  it('spans every array with shared edges', () => {
    const edges = sharedEdges([Float64Array.of(1, 2), Float64Array.of(-3), new Float64Array(0)], 4);
    assert.deepEqual(edges, [-3, -1.75, -0.5, 0.75, 2]);
    assert.deepEqual(sharedEdges([Float64Array.of(5, 5)], 2), [4.5, 5, 5.5]);
    assert.deepEqual(sharedEdges([new Float64Array(0)]), []);
  });
});
