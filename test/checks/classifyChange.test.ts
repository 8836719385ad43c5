import { strict as assert } from 'node:assert';
import type { Row } from '../../engine/data/table';
import { classifyChange } from '../../engine/verdict/classifyChange';
import { range, table } from './checkFixture';

const tolerance = { abs: 1e-9, rel: 1e-9 };

function classify(base: unknown[], target: unknown[], rows: Row[] = base.map((_, i) => ({ id: i }))) {
  return classifyChange({ featureName: 'age_norm', rows: table(rows), base, target, tolerance });
}

function close(actual: number | undefined, expected: number, tol = 1e-9): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${actual} !== ${expected}`);
}

const xs = range(100, (i) => i + 1);

describe('verdict/classifyChange', () => {
  it('is undefined for identical values, values within tolerance, and rows where a side threw', () => {
    assert.equal(classify(xs, [...xs]), undefined);
    assert.equal(classify(xs, xs.map((v) => v + 1e-12)), undefined);
    assert.equal(classify(['a', null, true], ['a', null, true]), undefined);
    assert.equal(classify([1, undefined, 3], [1, 5, undefined]), undefined);
  });

  it('affine: a rescale, with slope, intercept and r2', () => {
    const c = classify(xs, xs.map((v) => 2 * v + 3));
    assert.equal(c?.kind, 'affine');
    close(c?.slope, 2);
    close(c?.intercept, 3);
    close(c?.r2, 1, 1e-12);
    assert.equal(c?.rate, 1);
    assert.match(c!.recommendation, /^rescaled \(≈ 2·old \+ 3\): the store holds the old scale — backfill age_norm before deploying, or publish the new code as age_norm_v2$/);
  });

  it('affine with a negative intercept (z-scoring), over unchanged rows too', () => {
    // v = 10 maps to itself: that row is unchanged, but the fit covers every row.
    const c = classify(xs, xs.map((v) => 0.5 * v + 5));
    assert.equal(c?.kind, 'affine');
    close(c?.slope, 0.5);
    close(c?.intercept, 5);
    close(c?.rate, 0.99);
    const z = classify(xs, xs.map((v) => (v - 50.5) / 10));
    assert.equal(z?.kind, 'affine');
    close(z?.slope, 0.1);
    close(z?.intercept, -5.05);
    assert.match(z!.recommendation, /≈ 0\.1·old − 5\.05/);
  });

  it('monotonic: order kept, not affine', () => {
    const c = classify(xs, xs.map((v) => Math.log(v + 1)));
    assert.equal(c?.kind, 'monotonic');
    assert.equal(c?.rate, 1);
    assert.equal(c?.slope, undefined);
    assert.match(c!.recommendation, /order kept/);
  });

  it('monotonic needs more than 90% of rows changed; an almost-affine map is monotonic, not affine', () => {
    assert.equal(classify(xs, xs.map((v) => (v <= 5 ? v : v * v)))?.kind, 'monotonic');
    const atNinety = classify(xs, xs.map((v) => (v <= 10 ? v : v * v)));
    assert.deepEqual(atNinety && [atNinety.kind, atNinety.rate], ['subset', 0.9]);
    // 2x + 3 with ±0.15 wiggle: r2 ≈ 0.99999, below the affine bar, order kept.
    const wiggle = classify(xs, xs.map((v) => 2 * v + 3 + (v % 2 ? 0.15 : -0.15)));
    assert.equal(wiggle?.kind, 'monotonic');
  });

  it('null-handling: only rows whose base value or input is null changed', () => {
    const c = classify([null, 1, 2, null], [0, 1, 2, 0]);
    assert.deepEqual(c && { kind: c.kind, rate: c.rate }, { kind: 'null-handling', rate: 0.5 });
    const rows = [{ age: null }, { age: 30 }, { age: 40 }, { age: 50 }];
    const byInput = classify([5, 30, 40, 50], [0, 30, 40, 50], rows);
    assert.deepEqual(byInput && { kind: byInput.kind, rate: byInput.rate }, { kind: 'null-handling', rate: 0.25 });
    assert.match(byInput!.recommendation, /only rows with nulls changed \(25%\)/);
    // The target now returns null where the base had a value: a new null policy too.
    const toNull = classify([1, 2, 3, 4], [1, null, 3, null]);
    assert.deepEqual(toNull && { kind: toNull.kind, rate: toNull.rate }, { kind: 'null-handling', rate: 0.5 });
  });

  it('category-remap: a one-to-one renaming, with the mapping of renamed categories only', () => {
    const c = classify(['a', 'b', 'c', 'a', 'b'], ['x', 'y', 'c', 'x', 'y']);
    assert.equal(c?.kind, 'category-remap');
    assert.deepEqual(c?.mapping, { a: 'x', b: 'y' });
    assert.equal(c?.rate, 0.8);
    assert.match(c!.recommendation, /categories renamed \(a→x, b→y\)/);
  });

  it('a merge of categories is not a remap', () => {
    const c = classify(['a', 'b', 'c'], ['x', 'x', 'c']);
    assert.equal(c?.kind, 'subset');
    assert.equal(c?.mapping, undefined);
    close(c?.rate, 2 / 3);
  });

  it('type-change: numbers became strings', () => {
    const c = classify(xs, xs.map(String));
    assert.equal(c?.kind, 'type-change');
    assert.equal(c?.rate, 1);
    assert.match(c!.recommendation, /output type changed from integer to string/);
    assert.match(c!.recommendation, /age_norm_v2/);
  });

  it('subset: only some rows changed, with the rate', () => {
    const c = classify(xs, xs.map((v) => (v % 25 === 0 ? -v : v)));
    assert.equal(c?.kind, 'subset');
    assert.equal(c?.rate, 0.04);
    assert.match(c!.recommendation, /^4\.0% of rows changed/);
  });

  it('other: every row changed without a pattern', () => {
    const c = classify(xs, xs.map((v) => ((v * 37) % 101) + 0.5));
    assert.equal(c?.kind, 'other');
    assert.equal(c?.rate, 1);
  });

  it('a collapse to a constant is neither affine nor monotonic', () => {
    const c = classify(xs, xs.map(() => 0.5));
    assert.deepEqual(c && [c.kind, c.rate, c.slope], ['other', 1, undefined]);
    const mostly = classify(xs, xs.map(() => 5));
    assert.deepEqual(mostly && [mostly.kind, mostly.rate], ['subset', 0.99]);
  });
});
