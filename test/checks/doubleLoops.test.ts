/**
 * The numbers-only loops (engine/checks/doubleLoops.ts) give what the generic ones give: every
 * function that sends double arrays there is run on arrays made by `doubles` and on plain copies
 * of the same values (which `isDoubles` does not know, so they take the generic loops), and the
 * results must be deep-equal — whole feature checks included.
 */
import { strict as assert } from 'node:assert';
import { doubles, isDoubles } from '../../engine/data/cellValue';
import { sameNumber } from '../../engine/checks/doubleLoops';
import { historyUnreproduced } from '../../engine/checks/historyUnreproduced';
import { mismatchedRows } from '../../engine/checks/valueMismatch';
import { forgetDerivedViews, nullRate, sameValue, sortedFiniteNumbers, valuesType } from '../../engine/checks/values';
import { checkFeature } from '../../engine/verdict/checkFeature';
import { classifyChange } from '../../engine/verdict/classifyChange';
import { ctx, feature, LOCATION, ran, table } from './checkFixture';
import { thresholdsFrom } from '../../engine/checks/thresholds';

/** A seeded generator of value arrays with the awkward numbers in them. */
function numbers(seed: number, n: number, opts: { integers?: boolean; special?: boolean } = {}): number[] {
  let s = seed;
  const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  const special = [NaN, Infinity, -Infinity, -0, 0, 1e-300, -1e308];
  return Array.from({ length: n }, () => {
    if (opts.special && rnd() < 0.05) return special[Math.floor(rnd() * special.length)];
    const v = (rnd() - 0.5) * 1000;
    return opts.integers ? Math.round(v) : v;
  });
}

/** The same values twice: as `doubles` makes them, and as a plain array the generic loops take. */
function both(values: number[]): [number[], number[]] {
  const d = doubles(values);
  const plain = Array.from(values);
  assert.ok(isDoubles(d) && !isDoubles(plain));
  return [d, plain];
}

const TOLERANCES = [{ abs: 1e-9, rel: 1e-9 }, { abs: 0, rel: 0 }, { abs: 0.5, rel: 0 }, { abs: 0, rel: 0.01 }];

describe('numbers-only loops (doubleLoops)', () => {
  afterEach(forgetDerivedViews);

  it('sameNumber is sameValue on numbers, quirks included', () => {
    const cases: [number, number][] = [[NaN, NaN], [NaN, 1], [1, NaN], [-0, 0], [Infinity, Infinity], [Infinity, -Infinity], [1, 1 + 1e-12], [1, 1.5], [-1e308, 1e308], [5, 5]];
    for (const tol of TOLERANCES) for (const [a, b] of cases) assert.equal(sameNumber(a, b, tol), sameValue(a, b, tol), `${a} vs ${b} at ${JSON.stringify(tol)}`);
    // Infinities of opposite sign are within any relative tolerance (∞ ≤ ∞), as sameValue has always said.
    assert.equal(sameNumber(Infinity, -Infinity, { abs: 0, rel: 0.01 }), true);
    assert.equal(sameNumber(NaN, 0, { abs: Infinity, rel: 0 }), false);
  });

  it('valuesType, nullRate and sortedFiniteNumbers agree with the generic loops', () => {
    const arrays = [numbers(1, 500), numbers(2, 500, { integers: true }), numbers(3, 500, { special: true }), numbers(4, 500, { integers: true, special: true }), [], [NaN], [Infinity, 2], [1.5]];
    for (const values of arrays) {
      const [d, plain] = both(values);
      assert.equal(valuesType(d), valuesType(plain), `type of ${values.slice(0, 4)}`);
      assert.equal(nullRate(d), nullRate(plain));
      assert.deepEqual(sortedFiniteNumbers(d), sortedFiniteNumbers(plain));
    }
  });

  it('classifyChange, mismatchedRows and historyUnreproduced agree with the generic loops', () => {
    const n = 400;
    const rows = table(Array.from({ length: n }, (_, i) => ({ x: i })));
    const base = numbers(7, n, { special: true });
    const targets = [base.map((v) => v * 2 + 1), base.map((v, i) => (i % 3 === 0 ? v + 1 : v)), base.map((v) => v), numbers(8, n, { special: true }), base.map((v) => Math.exp(v / 400))];
    for (const tol of TOLERANCES) {
      for (const target of targets) {
        const [db, pb] = both(base);
        const [dt, pt] = both(target);
        const change = (b: number[], t: number[]) => classifyChange({ featureName: 'f', rows, base: b, target: t, tolerance: tol });
        assert.deepEqual(change(db, dt), change(pb, pt));
        const c = ctx({ target: dt, stored: db, feature: { tolerance: tol } });
        assert.deepEqual(mismatchedRows(dt, db, c), mismatchedRows(pt, pb, c));
        // The stored column partly reproduced by the base: history.unreproduced's rows and finding.
        const stored = base.map((v, i) => (i % 4 === 0 ? v + 100 : v));
        const [ds, ps] = both(stored);
        const history = (b: number[], s: number[]) => historyUnreproduced(ctx({ base: b, target: b, stored: s, feature: { tolerance: tol } }));
        const fromDoubles = history(db, ds);
        assert.ok(fromDoubles && fromDoubles.reproduced.length > 0, 'a quarter of the stored rows are stale');
        assert.deepEqual(fromDoubles, history(pb, ps));
      }
    }
  });

  it('a whole feature check gives the same report for double arrays and plain ones', () => {
    const n = 1000;
    const rows = table(Array.from({ length: n }, (_, i) => ({ x: i, f: 0 })));
    const base = numbers(11, n, { special: true });
    const stored = base.map((v, i) => (i % 50 === 0 ? v + 3 : v));
    for (const target of [base.map((v) => v * 1.25), base.map((v, i) => (i % 10 === 0 ? v - 7 : v)), base]) {
      const report = (b: number[], t: number[], s: number[]) => {
        forgetDerivedViews();
        return checkFeature({ feature: feature(), location: LOCATION, rows, stored: { values: s, type: 'number' }, sliceBy: [], base: ran(b), target: ran(t), thresholds: thresholdsFrom({}) });
      };
      const fromDoubles = report(doubles(base), doubles(target), doubles(stored));
      const fromPlain = report(Array.from(base), Array.from(target), Array.from(stored));
      assert.deepEqual(fromDoubles, fromPlain);
      assert.ok(fromDoubles.findings.length > 0, 'the stale rows make findings');
    }
  });
});
