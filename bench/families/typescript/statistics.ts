/**
 * The statistics kernel against scipy: `numericDrift` (PSI + KS + Wasserstein-1) on n vs n values in
 * this process, and scipy's ks_2samp + wasserstein_distance + a numpy PSI on the same bytes in
 * Debian's /usr/bin/python3; the values must agree.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lcg } from '../../core/edits';
import { loadEngine } from '../../core/engine';
import { fmtCount } from '../../core/measure';
import type { Section } from '../../core/types';

interface ScipyResult {
  ms: number[];
  ks: number;
  w1: number;
  std: number;
  psi: number;
  scipy: string;
  numpy: string;
  python: string;
}

export const STATISTICS_SECTIONS: Section[] = [
  {
    id: 'stats',
    title: 'statistics kernel: numericDrift (PSI + KS + Wasserstein-1) vs scipy ks_2samp + wasserstein_distance + numpy PSI',
    async run(ctx) {
      const n = ctx.params.rows;
      const reps = ctx.opts.statsReps;
      const { numericDrift } = await loadEngine();
      // Seeded data: a lognormal-ish stored column and a shifted, rescaled target, both continuous.
      const rand = lcg(4242 + n);
      const normal = () => Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-12))) * Math.cos(2 * Math.PI * rand());
      const stored = new Float64Array(n);
      const target = new Float64Array(n);
      for (let i = 0; i < n; i++) stored[i] = Math.exp(3 + 0.8 * normal());
      for (let i = 0; i < n; i++) target[i] = 1.1 * Math.exp(3 + 0.8 * normal()) + 2;
      let js = numericDrift(stored, target);
      for (let i = 0; i < 2; i++) js = numericDrift(stored, target); // untimed: JIT (3 calls with the one above)
      const samples = [];
      for (let i = 0; i < reps; i++) {
        const t0 = performance.now();
        js = numericDrift(stored, target);
        samples.push({ ms: performance.now() - t0 });
      }
      const label = `${fmtCount(n)} vs ${fmtCount(n)} values`;
      const jsRow = ctx.record('stats-js', `statistics: numericDrift, ${label} (in process)`, samples, { p95: true, generic: 'statistics: numericDrift (n vs n values, n = rows)' });

      const py = runScipy(stored, target, reps);
      if ('skipped' in py) {
        ctx.record('stats-scipy', `statistics: scipy ks_2samp + wasserstein_distance + numpy PSI, ${label} — ${py.skipped}`, [], { skipped: py.skipped });
        return;
      }
      const pyRow = ctx.record('stats-scipy', `statistics: scipy ${py.scipy} ks_2samp + wasserstein_distance + numpy ${py.numpy} PSI, ${label} (python3 ${py.python})`, py.ms.map((ms: number) => ({ ms })), { p95: true, generic: 'statistics: scipy + numpy PSI (same data)' });
      const speedup = pyRow.median / jsRow.median;
      jsRow.ratio = `${(jsRow.median / pyRow.median).toFixed(2)}× scipy (${speedup.toFixed(1)}× faster)`;
      pyRow.ratio = '1.00× scipy';
      const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
      const problems: string[] = [];
      if (js.ks !== py.ks) problems.push(`KS ${js.ks} vs scipy ${py.ks}`);
      if (rel(js.wasserstein, py.w1 / py.std) > 1e-9) problems.push(`W1/σ ${js.wasserstein} vs scipy ${py.w1 / py.std}`);
      if (rel(js.psi, py.psi) > 1e-9) problems.push(`PSI ${js.psi} vs numpy ${py.psi}`);
      ctx.check('statistics agree with scipy', problems.length === 0,
        `${label}: KS ${js.ks.toFixed(5)}, W1/σ ${js.wasserstein.toFixed(5)}, PSI ${js.psi.toFixed(5)}${problems.length ? ' — ' + problems.join('; ') : ' (KS bit-identical, W1 and PSI within 1e-9)'}`);
    },
  },
];

// ---------------------------------------------------------------------------------------------
// scipy on the same data

const PYTHON = '/usr/bin/python3';
const SCIPY_SCRIPT = String.raw`
import json, sys, time, platform
try:
    import numpy as np
    import scipy
    from scipy.stats import ks_2samp, wasserstein_distance
except ImportError:
    print(json.dumps({"skipped": "skipped: python3-scipy not installed"}))
    sys.exit(0)
s = np.fromfile(sys.argv[1], dtype='<f8')
t = np.fromfile(sys.argv[2], dtype='<f8')
reps = int(sys.argv[3])
DECILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
def psi(s, t):
    # PSI on the stored deciles (linear interpolation), right-closed bins, proportions floored at 1e-4.
    ss = np.sort(s)
    ts = np.sort(t)
    edges = np.quantile(ss, DECILES)
    cs = np.concatenate(([0], np.searchsorted(ss, edges, side='right'), [len(ss)]))
    ct = np.concatenate(([0], np.searchsorted(ts, edges, side='right'), [len(ts)]))
    ps = np.maximum(np.diff(cs) / len(ss), 1e-4)
    pt = np.maximum(np.diff(ct) / len(ts), 1e-4)
    return float(np.sum((pt - ps) * np.log(pt / ps)))
def once():
    ks = ks_2samp(s, t).statistic
    w1 = wasserstein_distance(s, t)
    std = np.std(s)
    return float(ks), float(w1), float(std), psi(s, t)
for _ in range(3):
    once()
ms = []
for _ in range(reps):
    t0 = time.perf_counter()
    r = once()
    ms.append((time.perf_counter() - t0) * 1000)
print(json.dumps({"ms": ms, "ks": r[0], "w1": r[1], "std": r[2], "psi": r[3], "scipy": scipy.__version__, "numpy": np.__version__, "python": platform.python_version()}))
`;

/** scipy's ks_2samp + wasserstein_distance + a numpy PSI on the same arrays, `reps` timed runs in one process. */
function runScipy(stored: Float64Array, target: Float64Array, reps: number): ScipyResult | { skipped: string } {
  if (!existsSync(PYTHON)) return { skipped: `skipped: ${PYTHON} not found` };
  const dir = mkdtempSync(join(tmpdir(), 'fg-bench-stats-'));
  try {
    writeFileSync(join(dir, 's.f64'), Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength));
    writeFileSync(join(dir, 't.f64'), Buffer.from(target.buffer, target.byteOffset, target.byteLength));
    // The environment as it is (OPENBLAS_* and the like are left alone).
    const r = spawnSync(PYTHON, ['-c', SCIPY_SCRIPT, join(dir, 's.f64'), join(dir, 't.f64'), String(reps)], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(`${PYTHON}: exit ${r.status}\n${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as ScipyResult | { skipped: string };
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
