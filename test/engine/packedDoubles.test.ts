/**
 * `doubles` makes packed double arrays, in a process that has loaded the whole engine (apache-arrow
 * included, which turns off V8's fast `concat`). A holey array makes optimized code box every
 * double it reads: the statistics' garbage per feature went from ~50 MB to a few. V8's own
 * intrinsics say the kind (`--allow-natives-syntax`, set for functions compiled after it).
 */
import { strict as assert } from 'node:assert';
import { setFlagsFromString } from 'node:v8';
import { doubles, isDoubles, releaseDoublesTemplate } from '../../engine/data/cellValue';
import { decodeValues, encodeValues } from '../../engine/exec/workerProtocol';
import '../../engine/data/readSnapshot';
import { thresholdsFrom } from '../../engine/checks/thresholds';
import { forgetDerivedViews } from '../../engine/checks/values';
import { checkFeature } from '../../engine/verdict/checkFeature';
import { feature, LOCATION, ran, table } from '../checks/checkFixture';

setFlagsFromString('--allow-natives-syntax');
const kind = new Function('a', 'return [%HasHoleyElements(a) ? "holey" : "packed", %HasDoubleElements(a) ? "double" : "other"].join(" ")') as (a: unknown[]) => string;

describe('doubles (packed double arrays)', () => {
  it('are packed doubles whatever the input, and equal it value for value', () => {
    for (const n of [1, 2, 3, 1000, 100_000, 1000]) {
      const input = Float64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? i : i + 0.25));
      const out = doubles(input);
      assert.equal(kind(out), 'packed double', `${n} values`);
      assert.equal(out.length, n);
      for (let i = 0; i < n; i++) assert.ok(Object.is(out[i], input[i]), `value ${i} of ${n}`);
    }
    const fromList = doubles([1.5, -0, NaN, Infinity]);
    assert.equal(kind(fromList), 'packed double');
    assert.ok(Object.is(fromList[1], -0) && Number.isNaN(fromList[2]) && fromList[3] === Infinity);
    assert.deepEqual(doubles([]), []);
  });

  it('arrays made earlier are not changed by later ones, nor by releasing the template', () => {
    const a = doubles([1.5, 2.5, 3.5]);
    const b = doubles([9.5, 8.5]);
    releaseDoublesTemplate();
    const c = doubles([7.5, 6.5, 5.5, 4.5]);
    assert.deepEqual(a, [1.5, 2.5, 3.5]);
    assert.deepEqual(b, [9.5, 8.5]);
    assert.deepEqual(c, [7.5, 6.5, 5.5, 4.5]);
    c[0] = 0;
    assert.deepEqual(doubles([1.25, 1.25]), [1.25, 1.25]);
  });

  it("a worker's numeric reply decodes to a packed double array", () => {
    const values = decodeValues(encodeValues([0.5, 1.5, 2.5, 3.5]));
    assert.equal(kind(values), 'packed double');
    assert.deepEqual(values, [0.5, 1.5, 2.5, 3.5]);
  });

  it('stay double arrays when code that also reads arrays of other kinds encodes them (the results cache\'s files)', () => {
    // Sampled columns of strings, of numbers with nulls and of numbers, encoded again and again:
    // optimized code that has seen the general kinds moves a double array to them on reading it
    // unless double arrays take the built-in copy (`isDoubles`).
    const strings = Array.from({ length: 5000 }, (_, i) => `s${i % 7}`);
    const withNulls: unknown[] = Array.from({ length: 5000 }, (_, i) => (i % 5 === 0 ? null : i + 0.5));
    const numbers = doubles(Float64Array.from({ length: 5000 }, (_, i) => i * 0.25));
    assert.ok(isDoubles(numbers) && !isDoubles(withNulls) && !isDoubles(strings));
    for (let round = 0; round < 300; round++) {
      encodeValues(strings);
      encodeValues(withNulls);
      const wire = encodeValues(numbers) as { numbers: Float64Array; states: Uint8Array };
      if (round === 0) assert.equal(wire.numbers[3], 0.75);
    }
    assert.equal(kind(numbers), 'packed double');
    const wire = encodeValues(withNulls) as { numbers: Float64Array; states: Uint8Array };
    assert.deepEqual([wire.states[0], wire.numbers[1], wire.states[1]], [1, 1.5, 0]);
  });

  it('stay double arrays through the statistics of a workspace that also has categorical features', () => {
    // Optimized code that has read arrays of strings moves a double array it reads to the general
    // kind unless its map is not in the plain arrays' transition tree (`doubles` gives it its own).
    const n = 3000;
    const rows = table(Array.from({ length: n }, (_, i) => ({ x: i, seg: `s${i % 5}` })));
    const check = (base: unknown[], target: unknown[], stored: unknown[], type: 'number' | 'string') => {
      checkFeature({ feature: feature(), location: LOCATION, rows, stored: { values: stored, type }, sliceBy: [], base: ran(base), target: ran(target), thresholds: thresholdsFrom({}) });
      forgetDerivedViews();
    };
    let numeric: number[][] = [];
    for (let round = 0; round < 120; round++) {
      const labels = Array.from({ length: n }, (_, i) => (i % (3 + (round % 4)) === 0 ? 'hi' : 'lo'));
      check(labels, labels.map((l, i) => (i % 7 === 0 ? 'mid' : l)), labels.slice(), 'string');
      const base = doubles(Float64Array.from({ length: n }, (_, i) => i * 0.5 + round));
      numeric = [base, doubles(Float64Array.from(base, (v) => v * 1.25)), doubles(Float64Array.from(base, (v, i) => (i % 9 === 0 ? v + 1 : v)))];
      check(numeric[0], numeric[1], numeric[2], 'number');
    }
    assert.deepEqual(numeric.map(kind), ['packed double', 'packed double', 'packed double']);
  });
});
