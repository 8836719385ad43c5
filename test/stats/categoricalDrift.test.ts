import { strict as assert } from 'node:assert';
import { categoricalDrift } from '../../engine/stats/categoricalDrift';
import { PSI_EPSILON } from '../../engine/stats/numericDrift';

function close(actual: number, expected: number, tol = 1e-12): void {
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${actual} !== ${expected}`);
}

function repeat(counts: Record<string, number>): string[] {
  return Object.entries(counts).flatMap(([value, n]) => new Array<string>(n).fill(value));
}

describe('stats/categoricalDrift', () => {
  it('gives zero drift for the same frequencies in any order', () => {
    const stored = repeat({ a: 50, b: 30, c: 20 });
    const target = repeat({ c: 2, a: 5, b: 3 });
    const d = categoricalDrift(stored, target);
    close(d.psi, 0);
    close(d.lInf, 0);
    close(d.jensenShannon, 0);
    assert.equal(d.newValues.size, 0);
  });

  it('computes PSI, L-infinity and Jensen–Shannon for a known shift', () => {
    // p = (0.5, 0.5), q = (0.25, 0.75).
    const d = categoricalDrift(repeat({ a: 2, b: 2 }), repeat({ a: 1, b: 3 }));
    close(d.psi, (0.25 - 0.5) * Math.log(0.25 / 0.5) + (0.75 - 0.5) * Math.log(0.75 / 0.5));
    close(d.lInf, 0.25);
    const kl = (p: number[], q: number[]) => p.reduce((acc, pi, i) => acc + (pi > 0 ? pi * Math.log2(pi / q[i]) : 0), 0);
    const m = [0.375, 0.625];
    close(d.jensenShannon, Math.sqrt(kl([0.5, 0.5], m) / 2 + kl([0.25, 0.75], m) / 2));
  });

  it('gives distance 1 and L-infinity 1 for disjoint categories, with PSI finite', () => {
    const d = categoricalDrift(['a', 'a'], ['b', 'c', 'b']);
    close(d.jensenShannon, 1);
    close(d.lInf, 1);
    assert.ok(Number.isFinite(d.psi));
    const eps = PSI_EPSILON;
    close(d.psi, (eps - 1) * Math.log(eps) + (2 / 3 - eps) * Math.log(2 / 3 / eps) + (1 / 3 - eps) * Math.log(1 / 3 / eps));
  });

  it('lists new target categories with their counts, most frequent first', () => {
    const d = categoricalDrift(['a', 'b'], ['a', 'x', 'y', 'y', 'b', 'y', 'x', 'z']);
    assert.deepEqual([...d.newValues], [['y', 3], ['x', 2], ['z', 1]]);
  });

  it('is symmetric in its Jensen–Shannon distance and L-infinity', () => {
    const s = repeat({ a: 10, b: 5, c: 1 });
    const t = repeat({ a: 3, b: 9, d: 4 });
    const st = categoricalDrift(s, t);
    const ts = categoricalDrift(t, s);
    close(st.jensenShannon, ts.jensenShannon);
    close(st.lInf, ts.lInf);
    close(st.psi, ts.psi);
    assert.ok(st.jensenShannon > 0 && st.jensenShannon < 1);
  });

  it('returns zero metrics for empty inputs', () => {
    assert.deepEqual(categoricalDrift([], []), { psi: 0, lInf: 0, jensenShannon: 0, newValues: new Map() });
    const onlyTarget = categoricalDrift([], ['a', 'a']);
    assert.equal(onlyTarget.psi, 0);
    assert.deepEqual([...onlyTarget.newValues], [['a', 2]]);
    assert.deepEqual(categoricalDrift(['a'], []), { psi: 0, lInf: 0, jensenShannon: 0, newValues: new Map() });
  });
});
