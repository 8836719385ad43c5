/**
 * The statistics kernel against scipy: `numericDrift` (PSI + KS + Wasserstein-1) on n vs n values in
 * this process, and scipy's ks_2samp + wasserstein_distance + a numpy PSI on the same bytes in
 * Debian's /usr/bin/python3; the values must agree. And a feature's whole statistics
 * (`checkFeature`) for a numeric feature in a process that checks only numeric features, against one
 * that also checks categorical ones (fresh processes: V8's optimized code is per process).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lcg } from '../../core/edits';
import { buildEngine, loadEngine } from '../../core/engine';
import { fmtCount, fmtMs } from '../../core/measure';
import { ROOT } from '../../core/paths';
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
  {
    id: 'stats-mixed',
    title: 'a numeric feature\'s statistics (checkFeature) in a process of numeric features only vs one that also checks categorical features',
    async run(ctx) {
      const bundle = await buildEngine();
      const n = ctx.params.rows;
      const runs: Record<StatsMode, MixedRun[]> = { numeric: [], mixed: [] };
      for (let r = 0; r < MIXED_PROCESSES; r++) for (const mode of ['numeric', 'mixed'] as const) runs[mode].push(runMixed(bundle, mode, n));
      const label = `${fmtCount(n)} rows`;
      const only = ctx.record('stats-numeric-only', `statistics of a numeric feature (checkFeature), ${label}, process of numeric features only`, runs.numeric.flatMap((r) => r.numericMs.map((ms) => ({ ms }))), { p95: true });
      const mixed = ctx.record('stats-numeric-mixed', `statistics of a numeric feature, ${label}, process that also checks categorical features`, runs.mixed.flatMap((r) => r.numericMs.map((ms) => ({ ms }))), { p95: true });
      mixed.ratio = `${(mixed.median / only.median).toFixed(2)}× numeric-only`;
      ctx.record('stats-categorical', `statistics of a categorical feature (strings, 10 labels), ${label}`, runs.mixed.flatMap((r) => r.categoricalMs.map((ms) => ({ ms }))), { p95: true });
      const kinds = [...new Set(runs.mixed.flatMap((r) => r.kinds))];
      ctx.check('numeric arrays stay doubles beside categorical features', kinds.length === 1 && kinds[0] === 'double',
        `element kinds of the numeric features' base, stored and target arrays after their statistics: ${kinds.join(', ')} (V8's %HasDoubleElements); ${MIXED_PROCESSES} processes a mode, ${MIXED_WARMUP} features of warm-up then ${MIXED_TIMED} timed; numeric-only ${fmtMs(only.median)}, mixed ${fmtMs(mixed.median)}`);
    },
  },
];

// ---------------------------------------------------------------------------------------------
// A numeric feature's statistics beside categorical ones

type StatsMode = 'numeric' | 'mixed';
interface MixedRun {
  numericMs: number[];
  categoricalMs: number[];
  kinds: string[];
}

const MIXED_PROCESSES = 5;
const MIXED_WARMUP = 10;
const MIXED_TIMED = 20;

/**
 * Seeded columns (a: doubles, seg: 5 labels), then per feature: in 'mixed', a categorical feature
 * (labels from seg and a threshold of a, one in ten rows relabelled by the edit) checked first; then
 * a numeric one (base, a stored column that equals it, the target ×1.25) — both through
 * `checkFeature` as the check calls it, arrays made by `doubles` as the worker replies and the
 * snapshot reader make them.
 */
const MIXED_SCRIPT = String.raw`
const [bundle, mode, n, warmup, timed] = [process.argv[1], process.argv[2], +process.argv[3], +process.argv[4], +process.argv[5]];
const { checkFeature, doubles, rowsFromColumns, thresholdsFrom, forgetDerivedViews } = require(bundle);
const kind = new Function('a', 'return %HasDoubleElements(a) ? "double" : "other"');
let seed = 42;
const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
const a = doubles(Float64Array.from({ length: n }, () => rnd() * 100));
const labels = ['north', 'south', 'east', 'west', 'online'];
const seg = Array.from({ length: n }, () => labels[Math.floor(rnd() * 5)]);
const rows = rowsFromColumns(n, [{ name: 'a', type: 'number' }, { name: 'seg', type: 'string' }], (c) => (c === 'a' ? a : c === 'seg' ? seg : undefined));
const thresholds = thresholdsFrom({});
const location = { file: 'src/features.ts', line: 1, column: 1 };
const feature = (name) => ({ name, source: 'src/features.ts#' + name, file: 'src/features.ts', exportName: name, column: name, kind: 'row', tolerance: { abs: 1e-9, rel: 1e-9 }, consumers: [], origin: 'config', snapshot: 'main' });
const side = (values) => ({ ok: true, result: { ok: true, values, extraValues: [], errorCount: 0, errors: [], nondeterministic: 0, runMs: 1 } });
const check = (name, base, target, stored, type) => {
  const t = performance.now();
  const r = checkFeature({ feature: feature(name), location, rows, stored: { values: stored, type }, sliceBy: [], base: side(base), target: side(target), thresholds });
  const ms = performance.now() - t;
  if (r.verdict !== 'changed') throw new Error(name + ': verdict ' + r.verdict);
  forgetDerivedViews();
  return ms;
};
const out = { numericMs: [], categoricalMs: [], kinds: [] };
for (let k = 0; k < warmup + timed; k++) {
  if (mode === 'mixed') {
    const base = seg.map((s, i) => s + (a[i] > 50 + k ? '_hi' : '_lo'));
    const target = base.map((l, i) => (i % 10 === 0 ? 'other' : l));
    const ms = check('c' + k, base, target, base.slice(), 'string');
    if (k >= warmup) out.categoricalMs.push(ms);
  }
  const base = doubles(Float64Array.from(a, (x) => x * (1 + k / 100)));
  const stored = doubles(base);
  const target = doubles(Float64Array.from(base, (x) => x * 1.25));
  const ms = check('n' + k, base, target, stored, 'number');
  if (k >= warmup) out.numericMs.push(ms);
  out.kinds.push(kind(base), kind(stored), kind(target));
}
console.log(JSON.stringify(out));
`;

function runMixed(bundle: string, mode: StatsMode, n: number): MixedRun {
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '-e', MIXED_SCRIPT, bundle, mode, String(n), String(MIXED_WARMUP), String(MIXED_TIMED)], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`statistics process (${mode}): exit ${r.status}\n${r.stderr.split('\n').slice(0, 12).join('\n')}`);
  return JSON.parse(r.stdout) as MixedRun;
}

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
