import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { categoricalDrift } from '../../engine/stats/categoricalDrift';
import { histogram, sharedEdges } from '../../engine/stats/describe';
import { numericDrift } from '../../engine/stats/numericDrift';
import { normals, prng as mulberry32 } from '../helpers';

// Checks our metrics against scipy itself rather than against numbers copied from it, so that a
// difference in definition (ties, normalisation, log base) cannot hide. CI installs scipy with
// `apt-get install -y python3-scipy`; Debian's interpreter is used because a pyenv python on
// PATH may lack it.
const PYTHON = '/usr/bin/python3';

const REFERENCE_SCRIPT = `
import json, sys
import numpy as np
from collections import Counter
from scipy.stats import ks_2samp, wasserstein_distance
from scipy.spatial.distance import jensenshannon

data = json.load(open(sys.argv[1]))
out = {"numeric": [], "categorical": [], "histogram": []}
for case in data["numeric"]:
    s = np.array(case["stored"], dtype=float)
    t = np.array(case["target"], dtype=float)
    out["numeric"].append({
        "ks": float(ks_2samp(s, t).statistic),
        "w1": float(wasserstein_distance(s, t)),
        "std": float(np.std(s)),
    })
for case in data["categorical"]:
    cs, ct = Counter(case["stored"]), Counter(case["target"])
    keys = sorted(set(cs) | set(ct))
    p = np.array([cs[k] for k in keys], dtype=float)
    q = np.array([ct[k] for k in keys], dtype=float)
    out["categorical"].append({
        "js": float(jensenshannon(p, q, base=2)),
        "lInf": float(np.max(np.abs(p / p.sum() - q / q.sum()))),
    })
for case in data["histogram"]:
    counts, _ = np.histogram(np.array(case["values"], dtype=float), bins=np.array(case["edges"], dtype=float))
    out["histogram"].append([int(c) for c in counts])
print(json.dumps(out))
`;

function categories(n: number, seed: number, weights: Record<string, number>): string[] {
  const rand = mulberry32(seed);
  const entries = Object.entries(weights);
  const total = entries.reduce((acc, [, w]) => acc + w, 0);
  return Array.from({ length: n }, () => {
    let r = rand() * total;
    for (const [value, w] of entries) {
      r -= w;
      if (r < 0) return value;
    }
    return entries[entries.length - 1][0];
  });
}

function assertRelClose(actual: number, expected: number, what: string, rel = 1e-9): void {
  const scale = Math.max(Math.abs(expected), 1e-300);
  assert.ok(
    actual === expected || Math.abs(actual - expected) / scale <= rel,
    `${what}: ours ${actual} vs scipy ${expected} (relative difference ${Math.abs(actual - expected) / scale})`,
  );
}

interface Reference {
  numeric: { ks: number; w1: number; std: number }[];
  categorical: { js: number; lInf: number }[];
  histogram: number[][];
}

describe('stats against scipy', function () {
  this.timeout(60000);

  const round = (a: Float64Array) => a.map(Math.round);
  const numericCases: { name: string; stored: Float64Array; target: Float64Array }[] = [
    { name: 'normal vs shifted and scaled normal', stored: normals(5000, 11), target: normals(5000, 12, 0.3, 1.4) },
    { name: 'normal vs normal of another size', stored: normals(5000, 13, 10, 2), target: normals(3217, 14, 10, 2) },
    { name: 'rounded integers with many ties', stored: round(normals(5000, 15, 0, 3)), target: round(normals(5000, 16, 0.5, 3)) },
    { name: 'heavy ties across both sides', stored: normals(5000, 17).map((v) => Math.round(v * 2) / 2), target: normals(4000, 18).map((v) => Math.floor(v)) },
    { name: 'large offset', stored: normals(5000, 19, 1e6, 5), target: normals(5000, 20, 1e6 + 1, 5) },
  ];
  const categoricalCases: { name: string; stored: string[]; target: string[] }[] = [
    { name: 'reweighted categories', stored: categories(5000, 21, { a: 5, b: 3, c: 2 }), target: categories(5000, 22, { a: 3, b: 3, c: 4 }) },
    { name: 'new and missing categories', stored: categories(5000, 23, { a: 5, b: 3, c: 2 }), target: categories(4000, 24, { a: 5, b: 3, d: 1, e: 0.1 }) },
    { name: 'identical weights', stored: categories(5000, 25, { x: 1, y: 1 }), target: categories(5000, 26, { x: 1, y: 1 }) },
  ];
  const histogramValues = [normals(5000, 27), round(normals(5000, 28, 0, 4))];
  const histogramEdges = sharedEdges(histogramValues, 20);

  let reference: Reference;
  let dir: string;

  before(() => {
    try {
      execFileSync(PYTHON, ['-c', 'import scipy, numpy'], { stdio: 'pipe' });
    } catch (err) {
      throw new Error(
        `${PYTHON} cannot import scipy: install it with \`apt-get install -y python3-scipy\` ` +
          `(these reference tests are required, not optional). ${(err as Error).message}`,
      );
    }
    dir = mkdtempSync(join(tmpdir(), 'featureguard-scipy-'));
    const input = join(dir, 'cases.json');
    writeFileSync(
      input,
      JSON.stringify({
        numeric: numericCases.map((c) => ({ stored: [...c.stored], target: [...c.target] })),
        categorical: categoricalCases.map((c) => ({ stored: c.stored, target: c.target })),
        histogram: histogramValues.map((v) => ({ values: [...v], edges: histogramEdges })),
      }),
    );
    reference = JSON.parse(execFileSync(PYTHON, ['-c', REFERENCE_SCRIPT, input], { encoding: 'utf8', maxBuffer: 64 << 20 }));
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  numericCases.forEach((c, k) => {
    it(`matches ks_2samp, wasserstein_distance and np.std: ${c.name}`, () => {
      const ours = numericDrift(c.stored, c.target);
      const ref = reference.numeric[k];
      assertRelClose(ours.ks, ref.ks, 'KS statistic');
      assertRelClose(ours.storedStd, ref.std, 'stored std');
      assertRelClose(ours.wasserstein, ref.w1 / ref.std, 'normalized Wasserstein-1');
      assertRelClose(ours.wasserstein * ours.storedStd, ref.w1, 'Wasserstein-1');
      assert.ok(ref.ks > 0 && ref.w1 > 0, 'the case should have some drift');
    });
  });

  categoricalCases.forEach((c, k) => {
    it(`matches jensenshannon(p, q, base=2): ${c.name}`, () => {
      const ours = categoricalDrift(c.stored, c.target);
      const ref = reference.categorical[k];
      assertRelClose(ours.jensenShannon, ref.js, 'Jensen–Shannon distance');
      assertRelClose(ours.lInf, ref.lInf, 'L-infinity');
    });
  });

  it('matches numpy.histogram on shared edges', () => {
    histogramValues.forEach((values, k) => {
      assert.deepEqual(histogram(values, histogramEdges), reference.histogram[k]);
    });
  });
});
