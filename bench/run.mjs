#!/usr/bin/env node
/**
 * FeatureGuard benchmarks (`npm run bench`, after `npm run build`).
 *
 *   node bench/run.mjs                 the 500-module / 50-feature / 100k-row workspace, then the
 *                                      500-module / 50-feature / 100k-row Python one (bench/python.mjs),
 *                                      then the models sections on the first one (bench/models.mjs),
 *                                      then the datasets sections (bench/datasets.mjs), then the scale sections (bench/scale.mjs)
 *   node bench/run.mjs --large         also the 2000-module / 200-feature / 1M-row one
 *                                      (or BENCH_LARGE=1)
 *   node bench/run.mjs --only python   the Python workspace alone (a few minutes); --only typescript
 *                                      the TypeScript ones alone; --only models the models sections alone;
 *                                      --only datasets the datasets sections alone (bench/datasets.mjs);
 *                                      --only scale the scale sections alone (bench/scale.mjs: generated
 *                                      declarations, shards, the results cache warm and cold)
 *   options: --runs N (whole-process runs per figure, default 5), --edits N (warm edits, default 20),
 *            --regenerate (do not reuse a workspace generated earlier), --no-write (no results file),
 *            --keep (keep the private clone the measurements ran in)
 *
 * Workspaces are generated into bench/work/ (gitignored) and reused while the generator, its
 * arguments and the workspace's commit are unchanged and its working tree is clean. Each run
 * measures in a private `git clone --local` of it (bench/work/run-<pid>-<name>, removed after).
 * dist/ is copied to bench/work/dist-<pid> at the start, so a rebuild during the run changes nothing.
 *
 * Sections (SECTIONS below, in this order; `--sections a,b` runs some only):
 *   tsc, impact-cold, impact-cached, impact-touched-snapshot, impact-warm, impact-session — static impact
 *     against `tsc --noEmit`; every impact figure is checked against the generator's reference graph;
 *   check-one, check-all — `featureguard check` (whole process) after scaling the body of one feature
 *     function, or of every one, by 1.25: wall time, peak RSS, the report's phase split
 *     (summary.timings); every run's features and verdicts are checked;
 *   stats — numericDrift on n vs n values (n = the workspace's rows) against scipy's ks_2samp +
 *     wasserstein_distance + a numpy PSI (Debian's /usr/bin/python3), values checked to agree;
 *   lsp — `featureguard lsp --stdio` over a real JSON-RPC connection: keystroke → impact
 *     diagnostics p50/p95, save → value.mismatch diagnostics, the server's VmHWM.
 *   more options: --check-runs N (runs of the all-features check, default 3), --keystrokes N
 *   (default 50), --saves N (default 5), --stats-reps N (default 20), --large-only, --no-readme;
 *   FG_BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=DIR' profiles the language server.
 *   The Python workspace's sections (py-pyright, py-impact-cold, py-impact-cached with compileall,
 *   py-parse, py-impact-session, py-lsp, py-startup, py-transfer, py-check-one, py-check-series,
 *   py-check-all with the minimal scripts) are described in bench/python.mjs; --py-runs N (runs of
 *   pyright, cold impact and the parse process, default 3). The check sections live in
 *   bench/checkSection.mjs, shared by both languages. The models sections (models-trees: the model
 *   part of a check with a 300-tree model vs bare onnxruntime-node; models-overhead: a one-feature
 *   check with a small model vs none) are described in bench/models.mjs. The datasets sections
 *   (datasets-partitioned: a one-feature check on a 1M-row Hive-partitioned dataset vs a single file
 *   of its sample; datasets-remote: s3rver on 127.0.0.1, cold and cached, bytes and requests;
 *   datasets-init: init --dry-run on the default workspace) are described in bench/datasets.mjs.
 *
 * Output: bench/results/bench-<date>[-large|-python|-models|-datasets].md (machine, load average, tables, goals of
 * issues 6 and 10, correctness checks, growth from default to large) and, for a full run, the
 * `## Benchmarks` section at the end of README.md (replaced, or appended when absent; the Python
 * workspace writes its `### Python workspace` subsection of it, the models sections `### Models`). Exit 1 when a check failed.
 *
 * Shared with bench/python.mjs: bench/measure.mjs (whole-process timing, RSS, formatting),
 * bench/edits.mjs (constant edits, impact checks against the generator's graph),
 * bench/lspClient.mjs (the language client, keystroke measurement), bench/engine.mjs (the engine
 * bundled for in-process figures), bench/paths.mjs.
 *
 * Structure, so more measurements can be added: a *section* is `{ id, title, run(ctx) }` in
 * SECTIONS below (PYTHON_WORKSPACE.sections for the Python workspace). `run` may measure (ctx.record: a row of the table), check (ctx.check: a
 * correctness line; a failed check makes the run exit 1), note (ctx.note), edit the workspace
 * through ctx.edit / ctx.editFile and register clean-up with ctx.defer (all undone after the
 * section, whatever happens).
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir, cpus } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { chooseEdit, editConstant, editedText, impactCheck, lcg, scaledFeatureText, warmEdits } from './edits.mjs';
import { loadEngine } from './engine.mjs';
import { expectedImpact, generateWorkspace, generatorVersion } from './generateWorkspace.mjs';
import { LspBenchServer, measureKeystrokes, messageOf } from './lspClient.mjs';
import { fillSummaryCache, fmtCount, fmtMB, fmtMs, hasTime, loadNow, measureProcess, median, percentile } from './measure.mjs';
import { BUILT_CLI, CLI, RESULTS, ROOT, TIME, TSC, WORK } from './paths.mjs';
import { PHASES, checkSection, featureParts } from './checkSection.mjs';
import { PYTHON_WORKSPACE } from './python.mjs';
import { MODELS_WORKSPACE } from './models.mjs';
import { DATASETS_WORKSPACE } from './datasets.mjs';
import { SCALE_WORKSPACE } from './scale.mjs';

// The results cache (.git/featureguard/results/, issue 14) would make every repeated `check` of a
// section a warm one: the figures here are of cold checks, comparable run to run, so the CLI and
// the server started by the benchmark keep no values on disk (the bound 0 empties it each run).
process.env.FEATUREGUARD_RESULTS_CACHE_MB ??= '0';

const WORKSPACES = {
  default: { modules: 500, features: 50, rows: 100_000, seed: 1 },
  large: { modules: 2000, features: 200, rows: 1_000_000, seed: 1 },
  // bench/python.mjs: static impact, the language server, the parser and the data checks.
  python: PYTHON_WORKSPACE.params,
  // bench/models.mjs: the default workspace with ONNX models (issue 12).
  models: MODELS_WORKSPACE.params,
  // bench/datasets.mjs: partitioned and remote snapshots, init (issue 13); init runs on the default workspace.
  datasets: DATASETS_WORKSPACE.params,
  // bench/scale.mjs: generated declarations, shards, the results cache (issue 14), on the default workspace.
  scale: SCALE_WORKSPACE.params,
};
/** Per-workspace defaults of options (an option given on the command line wins). */
const WORKSPACE_OPTIONS = {
  // 200 features × 1M rows: one all-features check takes tens of minutes on 2 cores.
  large: { checkRuns: 1 },
};

// ---------------------------------------------------------------------------------------------
// Options

function parseOptions(argv) {
  const o = { large: process.env.BENCH_LARGE === '1', runs: 5, edits: 20, checkRuns: 3, keystrokes: 50, saves: 5, statsReps: 20, pyRuns: 3, regenerate: false, write: true, readme: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--large') o.large = true;
    else if (a === '--large-only') o.large = o.largeOnly = true;
    else if (a === '--check-runs') o.checkRuns = Number(argv[++i]), o.given = { ...o.given, checkRuns: true };
    else if (a === '--keystrokes') o.keystrokes = Number(argv[++i]);
    else if (a === '--saves') o.saves = Number(argv[++i]);
    else if (a === '--stats-reps') o.statsReps = Number(argv[++i]);
    else if (a === '--sections') o.sections = argv[++i].split(',');
    else if (a === '--no-readme') o.readme = false;
    else if (a === '--regenerate') o.regenerate = true;
    else if (a === '--no-write') o.write = false;
    else if (a === '--keep') o.keep = true;
    else if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--edits') o.edits = Number(argv[++i]);
    else if (a === '--py-runs') o.pyRuns = Number(argv[++i]);
    else if (a === '--only') {
      o.only = argv[++i];
      if (!['python', 'typescript', 'models', 'datasets', 'scale'].includes(o.only)) throw new Error('--only expects python, typescript, models, datasets or scale');
    } else throw new Error(`unknown option ${a}`);
  }
  for (const k of ['runs', 'edits', 'checkRuns', 'keystrokes', 'saves', 'statsReps', 'pyRuns']) if (!(o[k] >= 1)) throw new Error(`--${k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} expects a positive number`);
  return o;
}

// ---------------------------------------------------------------------------------------------
// Measuring

let cliHash = '?';
/** FeatureGuard's commit when the bench started (others may commit during a long run). */
const commitAtStart = (() => {
  try {
    return execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
})();
const loadAtStart = (() => {
  try {
    return readFileSync('/proc/loadavg', 'utf8').trim();
  } catch {
    return '(unavailable)';
  }
})();

// ---------------------------------------------------------------------------------------------
// Workspaces

const wsDir = (p, lang) => join(WORK, `${lang.prefix}-${p.modules}m-${p.features}f-${p.rows}r-s${p.seed}`);

function gitOut(cwd, args) {
  return execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 1 << 26 }).trim();
}

/** Generates the workspace, or reuses the one from an earlier run when nothing it depends on changed. */
async function prepareWorkspace(params, opts, lang) {
  const dir = wsDir(params, lang);
  const metaFile = `${dir}.meta.json`;
  if (!opts.regenerate && existsSync(metaFile) && existsSync(join(dir, '.git'))) {
    try {
      const meta = JSON.parse(readFileSync(metaFile, 'utf8'));
      const same = meta.generator === lang.generatorVersion() && JSON.stringify(meta.args) === JSON.stringify(params);
      if (same && gitOut(dir, ['rev-parse', 'HEAD']) === meta.commit && gitOut(dir, ['status', '--porcelain']) === '') {
        return { meta, generatedMs: undefined };
      }
    } catch {
      // Unreadable meta or broken repository: generate again.
    }
  }
  mkdirSync(WORK, { recursive: true });
  const t0 = performance.now();
  const meta = await lang.generate(dir, params, { onProgress: (m) => console.log(`   generating: ${m} (${((performance.now() - t0) / 1000).toFixed(0)} s)`) });
  const generatedMs = performance.now() - t0;
  writeFileSync(metaFile, JSON.stringify(meta));
  return { meta, generatedMs };
}

/**
 * A private clone of the generated workspace for one run (objects hard-linked, files checked out),
 * so nobody else editing bench/work/ws-* at the same time can disturb the measurements or checks.
 */
function privateClone(dir, name) {
  const clone = join(WORK, `run-${process.pid}-${name}`);
  rmSync(clone, { recursive: true, force: true });
  execFileSync('git', ['clone', '-q', '--local', dir, clone], { stdio: 'ignore' });
  // Settle the index (racily-clean entries right after checkout) before anything is timed.
  gitOut(clone, ['status', '--porcelain']);
  return clone;
}

// ---------------------------------------------------------------------------------------------
// Sections

const SECTIONS = [
  {
    id: 'tsc',
    title: 'tsc --noEmit (TypeScript 7 native), whole process',
    run(ctx) {
      const samples = measureProcess('tsc', TSC, ['--noEmit', '-p', ctx.ws], { cwd: ctx.ws, runs: ctx.opts.runs });
      ctx.record('tsc', 'tsc --noEmit (TS 7 native)', samples);
    },
  },
  {
    id: 'impact-cold',
    title: 'featureguard impact, no cache (.git/featureguard deleted before each run)',
    run(ctx) {
      ctx.edit(ctx.editConstant);
      const cacheDir = join(ctx.ws, '.git/featureguard');
      const samples = measureProcess('featureguard impact (cold)', process.execPath, [CLI, 'impact', '--format', 'json'], {
        cwd: ctx.ws, runs: ctx.opts.runs, before: () => rmSync(cacheDir, { recursive: true, force: true }),
      });
      ctx.record('impact-cold', 'featureguard impact, cold (no cache)', samples);
      const report = JSON.parse(samples[0].stdout);
      const { expected, problems } = impactCheck(ctx.meta, report, ctx.editConstant);
      ctx.check('impact (CLI, cold)', problems.length === 0, `edit ${ctx.editConstant.id}: ${report.features.length} features reported, ${expected.length} expected${problems.length ? ' — ' + problems.join('; ') : ''}`);
      const strip = (text) => text.replace(/"durationMs": \d+/, '');
      if (samples.some((s) => strip(s.stdout) !== strip(samples[0].stdout))) ctx.check('impact (CLI, cold) deterministic', false, 'the reports of the runs differ');
    },
  },
  {
    id: 'impact-cached',
    title: 'featureguard impact, on-disk summary cache present (same edit)',
    run(ctx) {
      ctx.edit(ctx.editConstant);
      // Fill the cache with this exact tree first (the cold section may not have run).
      fillSummaryCache(ctx.ws);
      const samples = measureProcess('featureguard impact (cached)', process.execPath, [CLI, 'impact', '--format', 'json'], { cwd: ctx.ws, runs: ctx.opts.runs });
      ctx.record('impact-cached', 'featureguard impact, disk cache present', samples);
      const report = JSON.parse(samples[samples.length - 1].stdout);
      const { expected, problems } = impactCheck(ctx.meta, report, ctx.editConstant);
      ctx.check('impact (CLI, cached)', problems.length === 0, `${report.features.length} features reported, ${expected.length} expected${problems.length ? ' — ' + problems.join('; ') : ''}`);
    },
  },
  {
    id: 'impact-touched-snapshot',
    title: 'featureguard impact right after the snapshot file was touched (same bytes, new mtime), cache present',
    run(ctx) {
      // A restored CI cache, a re-downloaded identical snapshot or `touch` leaves git's index with
      // stale stat data for a large tracked file. FeatureGuard limits git to source paths and uses
      // diff-index, which never re-reads it (nor rewrites the index): the run must stay as fast.
      ctx.edit(ctx.editConstant);
      fillSummaryCache(ctx.ws);
      const snapshot = join(ctx.ws, 'data/main.parquet');
      const samples = measureProcess('featureguard impact (touched snapshot)', process.execPath, [CLI, 'impact', '--format', 'json'], {
        cwd: ctx.ws, runs: 1, before: () => { const now = new Date(); utimesSync(snapshot, now, now); },
      });
      ctx.record('impact-touched', 'featureguard impact, snapshot file touched (1 run)', samples);
      const { problems } = impactCheck(ctx.meta, JSON.parse(samples[0].stdout), ctx.editConstant);
      ctx.check('impact (CLI, touched snapshot)', problems.length === 0, problems.length ? problems.join('; ') : 'same report');
    },
  },
  {
    id: 'impact-warm',
    title: 'one-file edit re-analysis in one process (PROXY for the language server\'s warm path)',
    async run(ctx) {
      const { runImpact } = await loadEngine();
      const once = async (constant) => {
        const undo = ctx.edit(constant);
        const t0 = performance.now();
        const report = await runImpact({ cwd: ctx.ws, diskCache: true });
        const ms = performance.now() - t0;
        undo();
        return { ms, report };
      };
      const { warmup, edits } = warmEdits(ctx.meta, ctx.opts.edits);
      for (const c of warmup) await once(c); // untimed: load the compiler, fill the cache, warm the JIT
      const samples = [];
      const failures = [];
      let reached = 0;
      for (const constant of edits) {
        const { ms, report } = await once(constant);
        samples.push({ ms });
        const { expected, problems } = impactCheck(ctx.meta, report, constant);
        reached += expected.length;
        if (problems.length) failures.push(`${constant.id}: ${problems.join('; ')}`);
      }
      ctx.record('impact-warm', 'one-file edit, in-process runImpact (proxy: files on disk, disk cache)', samples, { p95: true });
      ctx.check('impact (in-process runImpact, random edits)', failures.length === 0,
        `${edits.length} edits in all layers, ${(reached / edits.length).toFixed(1)} features reached on average${failures.length ? ' — ' + failures.slice(0, 3).join(' | ') : ''}`);
    },
  },
  {
    id: 'impact-session',
    title: 'one-buffer edit re-analysis in a WorkspaceSession (the language server\'s warm path, without LSP transport)',
    async run(ctx) {
      const { WorkspaceSession, neverCancelled } = await loadEngine();
      if (!WorkspaceSession) return console.log('   (no engine/session/workspaceSession.ts: skipped)');
      const session = await WorkspaceSession.open({ cwd: ctx.ws });
      let open;
      const once = async (constant) => {
        if (open && open !== constant.path) session.setBuffer(open, undefined);
        session.setBuffer(constant.path, editedText(ctx.ws, constant));
        open = constant.path;
        const t0 = performance.now();
        const { report } = await session.impact(neverCancelled);
        return { ms: performance.now() - t0, report };
      };
      const { warmup, edits } = warmEdits(ctx.meta, ctx.opts.edits);
      const first = await once(warmup[0]); // untimed: parses both sides, loads the compiler
      await once(warmup[1]);
      const samples = [];
      const failures = [];
      for (const constant of edits) {
        const { ms, report } = await once(constant);
        samples.push({ ms });
        const { problems } = impactCheck(ctx.meta, report, constant);
        if (problems.length) failures.push(`${constant.id}: ${problems.join('; ')}`);
      }
      ctx.record('impact-session', 'one-buffer edit, WorkspaceSession.impact (LSP warm path, no transport)', samples, { p95: true });
      ctx.check('impact (WorkspaceSession, same edits)', failures.length === 0,
        `${edits.length} buffer edits; first (cold) session run ${fmtMs(first.ms)}${failures.length ? ' — ' + failures.slice(0, 3).join(' | ') : ''}`);
    },
  },
  // -------------------------------------------------------------------------------------------
  // Data checks: `featureguard check`, whole process

  checkSection({
    id: 'check-one',
    title: 'featureguard check, ONE feature affected (its function body ×1.25), summary cache present',
    figure: 'featureguard check, 1 feature affected',
    pick: (meta) => [meta.features[0]],
    runs: (opts) => opts.runs,
    scale: scaledFeatureText,
  }),
  checkSection({
    id: 'check-all',
    title: 'featureguard check, ALL features affected (every feature function body ×1.25), summary cache present',
    figure: (meta) => `featureguard check, all ${meta.features.length} features affected`,
    generic: 'featureguard check, all features affected',
    pick: (meta) => meta.features,
    runs: (opts) => opts.checkRuns,
    scale: scaledFeatureText,
  }),

  // -------------------------------------------------------------------------------------------
  // The statistics kernel against scipy

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
      let js;
      for (let i = 0; i < 3; i++) js = numericDrift(stored, target); // untimed: JIT
      const samples = [];
      for (let i = 0; i < reps; i++) {
        const t0 = performance.now();
        js = numericDrift(stored, target);
        samples.push({ ms: performance.now() - t0 });
      }
      const label = `${fmtCount(n)} vs ${fmtCount(n)} values`;
      const jsRow = ctx.record('stats-js', `statistics: numericDrift, ${label} (in process)`, samples, { p95: true, generic: 'statistics: numericDrift (n vs n values, n = rows)' });

      const py = runScipy(stored, target, reps);
      if (py.skipped) {
        ctx.record('stats-scipy', `statistics: scipy ks_2samp + wasserstein_distance + numpy PSI, ${label} — ${py.skipped}`, [], { skipped: py.skipped });
        return;
      }
      const pyRow = ctx.record('stats-scipy', `statistics: scipy ${py.scipy} ks_2samp + wasserstein_distance + numpy ${py.numpy} PSI, ${label} (python3 ${py.python})`, py.ms.map((ms) => ({ ms })), { p95: true, generic: 'statistics: scipy + numpy PSI (same data)' });
      const speedup = pyRow.median / jsRow.median;
      jsRow.ratio = `${(jsRow.median / pyRow.median).toFixed(2)}× scipy (${speedup.toFixed(1)}× faster)`;
      pyRow.ratio = '1.00× scipy';
      const rel = (a, b) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
      const problems = [];
      if (js.ks !== py.ks) problems.push(`KS ${js.ks} vs scipy ${py.ks}`);
      if (rel(js.wasserstein, py.w1 / py.std) > 1e-9) problems.push(`W1/σ ${js.wasserstein} vs scipy ${py.w1 / py.std}`);
      if (rel(js.psi, py.psi) > 1e-9) problems.push(`PSI ${js.psi} vs numpy ${py.psi}`);
      ctx.check('statistics agree with scipy', problems.length === 0,
        `${label}: KS ${js.ks.toFixed(5)}, W1/σ ${js.wasserstein.toFixed(5)}, PSI ${js.psi.toFixed(5)}${problems.length ? ' — ' + problems.join('; ') : ' (KS bit-identical, W1 and PSI within 1e-9)'}`);
    },
  },

  // -------------------------------------------------------------------------------------------
  // The language server over a real stdio LSP connection

  {
    id: 'lsp',
    title: 'language server over stdio (featureguard lsp --stdio): keystroke → impact, save → data diagnostics, RSS',
    async run(ctx) {
      const server = await LspBenchServer.start(ctx.ws, { runDataChecks: 'onSave' });
      ctx.defer(() => server.close());
      try {
        await lspSection(ctx, server);
      } catch (err) {
        const logs = server.logs.join('').split('\n').slice(-15).join('\n      ');
        throw new Error(`${err.message}${logs ? `\n      server log (last lines):\n      ${logs}` : ''}`);
      }
    },
  },
];

/** The TypeScript workspaces (default, large); bench/python.mjs describes the Python one the same way. */
const TYPESCRIPT_WORKSPACE = { language: 'TypeScript', prefix: 'ws', generate: generateWorkspace, generatorVersion, sections: SECTIONS, get method() { return METHOD; } };
const languageOf = (name) => (name === 'python' ? PYTHON_WORKSPACE : name === 'models' ? MODELS_WORKSPACE : name === 'datasets' ? DATASETS_WORKSPACE : name === 'scale' ? SCALE_WORKSPACE : TYPESCRIPT_WORKSPACE);

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
function runScipy(stored, target, reps) {
  if (!existsSync(PYTHON)) return { skipped: `skipped: ${PYTHON} not found` };
  const dir = mkdtempSync(join(tmpdir(), 'fg-bench-stats-'));
  try {
    writeFileSync(join(dir, 's.f64'), Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength));
    writeFileSync(join(dir, 't.f64'), Buffer.from(target.buffer, target.byteOffset, target.byteLength));
    // The environment as it is (OPENBLAS_* and the like are left alone).
    const r = spawnSync(PYTHON, ['-c', SCIPY_SCRIPT, join(dir, 's.f64'), join(dir, 't.f64'), String(reps)], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(`${PYTHON}: exit ${r.status}\n${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// The language server over stdio (the client: bench/lspClient.mjs)

async function lspSection(ctx, server) {
  const { meta, opts } = ctx;
  const figureSuffix = `${meta.modules} modules`;
  ctx.record('lsp-start', `language server: start → first idle status (initial run, no edit)`, [{ ms: server.readyMs }], { rssKB: server.memory().hwmKB });

  await measureKeystrokes(ctx, server, {
    id: 'lsp-keystroke',
    figure: 'language server: keystroke (didChange) → impact diagnostics (runDataChecks onSave; no debounce)',
    label: 'language server keystrokes',
  });

  // Saves: edit one feature function (a new factor each time, so no cached result), wait for its
  // impact diagnostics, write the file and time didSave → the publishDiagnostics with value.mismatch.
  // Then undo, save again and wait for the idle status. The first save reads the snapshot.
  const featFile = featureParts(meta.features[0]).file;
  const inFile = meta.features.filter((f) => featureParts(f).file === featFile);
  const featUri = server.uriOf(featFile);
  const abs = join(ctx.ws, featFile);
  const featOriginal = readFileSync(abs, 'utf8');
  ctx.defer(() => writeFileSync(abs, featOriginal));
  server.open(featFile, featOriginal);
  const saveSamples = [];
  const saveFailures = [];
  const trail = [];
  let first;
  for (let i = 0; i <= opts.saves; i++) {
    const f = inFile[i % inFile.length];
    const { exportName } = featureParts(f);
    const text = scaledFeatureText(featOriginal, exportName, (1.25 + 0.05 * i).toFixed(2));
    const impact = server.next(`impact of the edit to ${exportName}`, (e) => e.type === 'diagnostics' && e.uri === featUri && e.diagnostics.some((d) => d.code === 'impact' && messageOf(d).startsWith(`Edit to ${exportName} reaches 1 feature`)), 30_000);
    server.change(featFile, text);
    await impact;
    writeFileSync(abs, text);
    const data = server.next(`value.mismatch after save ${i + 1} (${f.name})`, (e) => e.type === 'diagnostics' && e.uri === featUri && e.diagnostics.some((d) => d.code === 'value.mismatch'), 300_000);
    const t0 = performance.now();
    server.save(featFile);
    const e = await data;
    const mismatches = e.diagnostics.filter((d) => d.code === 'value.mismatch').map(messageOf);
    if (mismatches.length !== 1 || !mismatches[0].includes(`(${ctx.params.rows} of ${ctx.params.rows}) differ from the stored "${f.name}" values`)) saveFailures.push(`save ${i + 1}: ${JSON.stringify(mismatches).slice(0, 300)}`);
    if (i === 0) first = e.t - t0;
    else saveSamples.push({ ms: e.t - t0 });
    trail.push(server.memory());
    // Undo: back to the committed text, saved; wait until the server has checked it and is idle.
    const undone = server.next(`cleared diagnostics after undoing ${exportName}`, (e2) => e2.type === 'diagnostics' && e2.uri === featUri && e2.diagnostics.length === 0, 30_000);
    server.change(featFile, featOriginal);
    await undone;
    writeFileSync(abs, featOriginal);
    let sawChecking = false;
    const idle = server.next('idle after the undo was saved', (e2) => e2.type === 'status' && ((sawChecking ||= e2.state === 'checking'), sawChecking && e2.state === 'idle'), 300_000);
    server.save(featFile);
    await idle;
  }
  const afterSaves = server.memory();
  ctx.record('lsp-save-first', `language server: first save → value.mismatch diagnostics (reads the snapshot, ${fmtCount(ctx.params.rows)} rows)`, [{ ms: first }], { rssKB: afterSaves.hwmKB, generic: 'language server: first save → value.mismatch diagnostics' });
  ctx.record('lsp-save', `language server: save (didSave) → value.mismatch diagnostics, 1 feature, ${fmtCount(ctx.params.rows)} rows`, saveSamples, { rssKB: afterSaves.hwmKB, generic: 'language server: save → value.mismatch diagnostics, 1 feature' });
  ctx.check('language server saves', saveFailures.length === 0,
    `${opts.saves} saves (+1 first) of ${featFile}, a different feature or factor each time: each gave one value.mismatch naming the edited feature on all ${ctx.params.rows} rows${saveFailures.length ? ' — ' + saveFailures.slice(0, 3).join(' | ') : ''}`);
  ctx.serverMemory = afterSaves;
  ctx.note('language server memory', `VmRSS after each save: ${trail.map((m) => fmtMB(m.rssKB)).join(' → ')}; VmHWM ${fmtMB(afterSaves.hwmKB)} (${figureSuffix}; the server process only: feature code runs in worker processes)`);
}

// ---------------------------------------------------------------------------------------------
// Running a workspace through the sections

async function benchWorkspace(name, params, opts, lang) {
  console.log(`\n# ${name}: ${params.modules} ${lang.language} modules, ${params.features} features, ${params.rows} rows, seed ${params.seed}`);
  const { meta, generatedMs } = await prepareWorkspace(params, opts, lang);
  const ws = privateClone(meta.dir, name);
  console.log(`## Workspace ${name}: ${meta.modules} modules in ${meta.layers} layers, ${meta.features.length} features, ${meta.lines} lines of ${lang.language} (${meta.files} files), ${params.rows} rows`);
  console.log(generatedMs === undefined ? `   reused ${meta.dir} (commit ${meta.commit.slice(0, 12)})` : `   generated into ${meta.dir} in ${(generatedMs / 1000).toFixed(1)} s (commit ${meta.commit.slice(0, 12)})`);
  console.log(`   measuring in a private clone: ${ws}`);
  const mainEdit = chooseEdit(meta);
  const rows = [];
  const checks = [];
  const undos = [];
  const notes = [];
  const ctx = {
    name, ws, meta, opts, params, editConstant: mainEdit,
    /** `git ARGS` in the private clone, its trimmed output. */
    gitOut: (args) => gitOut(ws, args),
    /** Rewrites a workspace file (`transform(text)`); undone after the section. */
    editFile(path, transform) {
      const file = join(ws, path);
      const before = readFileSync(file, 'utf8');
      writeFileSync(file, transform(before));
      undos.push({ key: `file:${path}:${undos.length}`, undo: () => writeFileSync(file, before) });
    },
    /** Runs `fn` (may be async) after the section, whatever happens; last deferred first. */
    defer(fn) {
      undos.push({ key: `defer:${undos.length}`, undo: fn });
    },
    /** A remark on what was measured that is not a wrong result (listed under the table). */
    note(label, detail) {
      notes.push({ label, detail });
      console.log(`   note ${label}: ${detail}`);
    },
    /** Edits a constant (no-op if already edited by this section); undone after the section. */
    edit(constant) {
      const key = constant.id;
      if (undos.some((u) => u.key === key)) return () => {};
      const undo = editConstant(ws, constant);
      const entry = { key, undo };
      undos.push(entry);
      return () => {
        const i = undos.indexOf(entry);
        if (i >= 0) undos.splice(i, 1), undo();
      };
    },
    /**
     * A row of the table: median, spread and (with `p95: true`) p95 of the samples' `ms`, the peak
     * of their `rssKB` (or `extra.rssKB`), the 1-minute load average now. Returns the row.
     */
    record(id, figure, samples, extra = {}) {
      const load = loadNow();
      if (extra.skipped) {
        const row = { id, figure, n: 0, skipped: extra.skipped, load };
        rows.push(row);
        console.log(`   ${figure}`);
        return row;
      }
      const ms = samples.map((s) => s.ms);
      const rss = samples.map((s) => s.rssKB).filter((x) => x !== undefined);
      if (extra.rssKB !== undefined) rss.push(extra.rssKB);
      const row = { id, figure, generic: extra.generic, n: ms.length, median: median(ms), min: Math.min(...ms), max: Math.max(...ms), p95: extra.p95 ? percentile(ms, 95) : undefined, rssKB: rss.length ? Math.max(...rss) : undefined, phases: extra.phases, load };
      rows.push(row);
      console.log(`   ${figure}: median ${fmtMs(row.median)} (${fmtMs(row.min)}–${fmtMs(row.max)})${row.p95 !== undefined ? `, p95 ${fmtMs(row.p95)}` : ''}${row.rssKB ? `, peak RSS ${fmtMB(row.rssKB)}` : ''}${row.phases ? `; phases ${PHASES.map((k) => `${k} ${Math.round(row.phases[k])}`).join(', ')} ms` : ''} (load ${load})`);
      return row;
    },
    check(label, ok, detail) {
      checks.push({ label, ok, detail });
      console.log(`   check ${label}: ${ok ? 'ok' : 'WRONG'} — ${detail}`);
    },
  };
  console.log(`   edit: ${mainEdit.id} (${mainEdit.value} → ×1.25), reaches ${expectedImpact(meta, mainEdit.id).length} of ${meta.features.length} features`);
  try {
    for (const section of lang.sections) {
      if (opts.sections && !opts.sections.includes(section.id)) continue;
      console.log(`-- ${section.id}: ${section.title} (load ${loadNow()})`);
      try {
        await section.run(ctx);
      } catch (err) {
        // FeatureGuard crashing or exiting badly on the generated code is a wrong result, not a bench bug.
        ctx.check(`${section.id} ran`, false, String(err?.stack ?? err).split('\n').slice(0, 12).join('\n      '));
      } finally {
        while (undos.length) {
          try {
            await undos.pop().undo();
          } catch (err) {
            console.log(`   warning: undo after ${section.id} failed: ${err?.message ?? err}`);
          }
        }
      }
    }
  } finally {
    if (gitOut(ws, ['status', '--porcelain']) !== '') console.log(`   warning: ${ws} is not clean after the run`);
    if (!opts.keep) rmSync(ws, { recursive: true, force: true });
  }
  const correct = checks.every((c) => c.ok);
  console.log(`results correct: ${correct ? 'yes' : 'no'}`);
  return { name, lang, params, meta, generatedMs, rows, checks, notes, correct, editConstant: mainEdit, loadEnd: loadNow(), datasets: ctx.datasets, scale: ctx.scale };
}

// ---------------------------------------------------------------------------------------------
// Output


/** The ratio column: to tsc for the static figures, or what the row says (scipy). */
function ratioOf(r, result) {
  if (r.ratio) return r.ratio;
  if (result.lang.ratioOf) return result.lang.ratioOf(r, result) ?? '—';
  const tsc = result.rows.find((x) => x.id === 'tsc');
  return tsc && /^(tsc|impact)/.test(r.id) ? `${(r.median / tsc.median).toFixed(2)}× tsc` : '—';
}

function markdownTable(result) {
  const out = [
    '| figure | median | spread (min–max) | p95 | ratio | peak RSS | runs | load |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of result.rows) {
    if (r.skipped) out.push(`| ${r.figure} | — | — | — | — | — | 0 | ${r.load} |`);
    else out.push(`| ${r.figure} | ${fmtMs(r.median)} | ${fmtMs(r.min)}–${fmtMs(r.max)} | ${r.p95 !== undefined ? fmtMs(r.p95) : '—'} | ${ratioOf(r, result)} | ${r.rssKB ? fmtMB(r.rssKB) : '—'} | ${r.n} | ${r.load} |`);
  }
  return out.join('\n');
}

/** The phase split of the check figures (the report's `summary.timings`, medians of the runs). */
function phaseTable(result) {
  const rows = result.rows.filter((r) => r.phases);
  if (!rows.length) return '';
  const out = [
    `| ${'figure'} | process wall | durationMs | ${PHASES.join(' | ')} | CPU, CLI + workers | CLI process peak RSS | CLI + workers, summed peak |`,
    `| --- | ---: | ---: | ${PHASES.map(() => '---:').join(' | ')} | ---: | ---: | ---: |`,
  ];
  const mb = (kb) => (kb ? fmtMB(kb) : '—');
  for (const r of rows) out.push(`| ${r.figure} | ${fmtMs(r.median)} | ${fmtMs(r.phases.durationMs)} | ${PHASES.map((k) => (Number.isFinite(r.phases[k]) ? `${Math.round(r.phases[k])} ms` : '—')).join(' | ')} | ${r.cpuMs !== undefined ? fmtMs(r.cpuMs) : '—'} | ${mb(r.mainKB)} | ${mb(r.treeKB)} |`);
  return out.join('\n');
}

/** How each figure grows from the default workspace to the large one. */
function growthTable(small, large) {
  const out = [
    `| figure | ${small.params.modules} modules / ${fmtCount(small.params.rows)} rows | ${large.params.modules} modules / ${fmtCount(large.params.rows)} rows | growth | peak RSS, small → large | RSS growth |`,
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const a of small.rows) {
    const b = large.rows.find((x) => x.id === a.id);
    if (!b || a.skipped || b.skipped) continue;
    const rss = a.rssKB && b.rssKB ? [`${fmtMB(a.rssKB)} → ${fmtMB(b.rssKB)}`, `${(b.rssKB / a.rssKB).toFixed(2)}×`] : ['—', '—'];
    out.push(`| ${a.generic ?? a.figure} | ${fmtMs(a.median)} | ${fmtMs(b.median)} | ${(b.median / a.median).toFixed(2)}× | ${rss[0]} | ${rss[1]} |`);
  }
  return out.join('\n');
}

/** The goals of the issue, each with the measured figure (only those this run measured). */
function goalsOf(result) {
  const row = (id) => result.rows.find((x) => x.id === id && !x.skipped);
  const goals = [];
  const add = (goal, measured, met) => goals.push({ goal, measured, met });
  const tsc = row('tsc'), cached = row('impact-cached');
  if (tsc && cached) add('repeated `featureguard impact` ≤ 1.0× tsc', `${(cached.median / tsc.median).toFixed(2)}× (${fmtMs(cached.median)} vs ${fmtMs(tsc.median)})`, cached.median <= tsc.median);
  const key = row('lsp-keystroke');
  if (key) {
    add('keystroke → impact diagnostics p50 ≤ 20 ms', fmtMs(key.median), key.median <= 20);
    add('keystroke → impact diagnostics p95 ≤ 50 ms', `${fmtMs(key.p95)}`, key.p95 <= 50);
  }
  const one = row('check-one'), all = row('check-all');
  if (one) add('`featureguard check` of one feature ≤ 1 s', fmtMs(one.median), one.median <= 1000);
  if (all) add(`\`featureguard check\` of ${result.meta.features.length} features ≤ ${result.meta.features.length === 50 ? '5 s' : '5 s (goal set for 50)'}`, fmtMs(all.median), all.median <= 5000);
  const js = row('stats-js'), py = row('stats-scipy');
  if (js && py) add('statistics ≥ 3× faster than scipy', `${(py.median / js.median).toFixed(1)}× (${fmtMs(js.median)} vs ${fmtMs(py.median)})`, py.median / js.median >= 3);
  else if (js) add('statistics ≥ 3× faster than scipy', result.rows.find((x) => x.id === 'stats-scipy')?.skipped ?? 'scipy not measured', undefined);
  const server = result.rows.filter((r) => r.id.startsWith('lsp') && r.rssKB);
  if (server.length) {
    const kb = Math.max(...server.map((r) => r.rssKB));
    add('language server RSS ≤ 400 MB', `${fmtMB(kb)} (VmHWM)`, kb <= 400 * 1024);
  }
  return goals;
}

/** Every workspace's result of this run (a goal of one may refer to another's figure). */
let allResults = [];
/** What a workspace's goals may refer to: the other results of this run, the README as it was. */
const goalContext = () => ({ results: allResults, readme: () => readFileSync(join(ROOT, 'README.md'), 'utf8') });

function goalsTable(result) {
  const goals = (result.lang.goals ?? goalsOf)(result, goalContext());
  if (!goals.length) return '';
  return ['| goal | measured | |', '| --- | ---: | --- |', ...goals.map((g) => `| ${g.goal} | ${g.measured} | ${g.met === undefined ? '—' : g.met ? 'met' : '**missed**'} |`)].join('\n');
}

function machine() {
  const sh = (cmd, args) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8' }).trimEnd();
    } catch {
      return '(unavailable)';
    }
  };
  return {
    nproc: sh('nproc', []),
    cpu: cpus()[0]?.model ?? '?',
    free: sh('free', ['-g']),
    node: process.version,
    tsc: sh(TSC, ['--version']),
    git: sh('git', ['--version']),
    commit: sh('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']),
    load: sh('cat', ['/proc/loadavg']),
  };
}

const METHOD_COMMON = [
  'Whole-process figures are wall time of a fresh process, median of the runs, peak RSS from `/usr/bin/time -f %M`',
  '(for `check`: the largest of the CLI process and the worker processes it waited for — GNU time reports the maximum, not the sum);',
  'every run is in a private `git clone --local` of the generated workspace. The **load** column is the 1-minute load average',
  'when the figure was recorded: this 2-core machine is shared with other jobs, so compare medians and look at the spread.',
  'The phase tables\' **CPU** column is user + system time from `/usr/bin/time` (the CLI and the workers it waited for, median):',
  'it changes little with the load, which the wall times do.',
];
/** How the TypeScript workspaces are measured (the Python one: PYTHON_WORKSPACE.method). */
const METHOD = [
  '- **impact**: one layer-0 constant edited (×1.25) in the working tree. **cold**: `.git/featureguard/` deleted before each run;',
  '  **cache present**: the same edit again. **snapshot file touched**: `data/main.parquet` given a new mtime (same bytes) before one run.',
  '- **in-process runImpact** is a *proxy* for a warm editor: `runImpact({ cwd, diskCache: true })` called repeatedly after editing',
  '  one constant of a random module on disk. **WorkspaceSession.impact** is the language server\'s warm path without the LSP transport.',
  '- **check**: `featureguard check --format json` after rewriting feature function bodies `return EXPR;` → `return 1.25 * (EXPR);`',
  '  (one feature, or every feature), on every sampled row of the snapshot; the summary cache is filled first (an `impact` run), as a',
  '  repeated run finds it. Exit code 1 is expected (error findings). Every run\'s report is checked: exactly the edited features, each',
  '  `changed`, affine with slope 1.25, a value.mismatch error on all rows. The phase split is the report\'s own `summary.timings`',
  '  (`impact` is durationMs minus the other phases, computed by FeatureGuard). Memory of `check` is also sampled every 50 ms from',
  '  /proc: the CLI process\'s own VmHWM and the summed RSS of the CLI and its worker processes at the same moment.',
  '- **statistics**: `numericDrift` (engine/stats/numericDrift.ts, bundled with esbuild) on two seeded arrays in one process (3 warm-up',
  '  calls, then the timed ones), against Debian\'s `/usr/bin/python3` running scipy\'s `ks_2samp` (which also computes a p-value) +',
  '  `wasserstein_distance` + `np.std` + a numpy PSI on the same bytes, timed in the Python process; the values must agree.',
  '- **language server**: `featureguard lsp --stdio` spawned and spoken to with vscode-jsonrpc like an editor, settings',
  '  `{ runDataChecks: \'onSave\' }` answered to `workspace/configuration`. A *keystroke* is a didChange of one constant\'s literal in an',
  '  open buffer (the previous one restored), timed until the publishDiagnostics whose `impact` diagnostic names that constant; the',
  '  server starts static impact at the next event-loop turn (no debounce). A *save* is a feature edit (a new factor each time),',
  '  written to disk, timed from didSave to the publishDiagnostics with a `value.mismatch` for it; then undone and saved again.',
  '  Peak RSS of the server is VmHWM from /proc/PID/status (the server process; feature code runs in worker processes).',
];

function report(results, m, date) {
  const L = [`# FeatureGuard benchmark — ${date}`, ''];
  L.push(`Machine: ${m.nproc} CPUs (${m.cpu}), node ${m.node}, tsc ${m.tsc.replace(/^Version /, '')}, ${m.git}; FeatureGuard at ${commitAtStart} (built from the working tree when the run started; dist/cli.js sha1 ${cliHash}).`, '');
  L.push('```', `$ nproc\n${m.nproc}\n$ free -g\n${m.free}\n$ cat /proc/loadavg   # at the start and at the end of the run: other jobs share this machine\n${loadAtStart}\n${m.load}`, '```', '');
  L.push(...METHOD_COMMON, '');
  for (const lang of new Set(results.map((r) => r.lang))) L.push(...lang.method, '');
  for (const r of results) {
    const { meta } = r;
    L.push(`## ${r.name}: ${meta.modules} modules, ${meta.features.length} features, ${r.params.rows} rows`, '');
    L.push(`${meta.lines} lines of ${r.lang.language} in ${meta.files} files (${meta.layers} layers); seed ${r.params.seed}; commit ${meta.commit.slice(0, 12)}${r.generatedMs !== undefined ? `; generated in ${(r.generatedMs / 1000).toFixed(1)} s` : ''}.`);
    L.push(`Edit for the impact runs: \`${r.editConstant.id}\` ×1.25 (reaches ${expectedImpact(meta, r.editConstant.id).length} features). Load average at the end: ${r.loadEnd}.`, '');
    L.push(markdownTable(r), '');
    const phases = (r.lang.phaseTable ?? phaseTable)(r);
    if (phases) L.push('Phases of `featureguard check` (the report\'s `summary.timings`, median of the runs):', '', phases, '');
    const goals = goalsTable(r);
    if (goals) L.push(r.lang.goalsTitle ?? (r.name === 'default' ? 'Goals (issue 6):' : 'Goals (issue 6; set for the default workspace, shown here for reference):'), '', goals, '');
    const discussion = r.lang.discussion?.(r, goalContext()) ?? [];
    if (discussion.length) L.push(...discussion, '');
    for (const c of r.checks) L.push(`- check ${c.label}: ${c.ok ? 'ok' : '**WRONG**'} — ${c.detail}`);
    for (const n of r.notes) L.push(`- note ${n.label}: ${n.detail}`);
    L.push(`- results correct: ${r.correct ? 'yes' : '**no**'}`, '');
  }
  const small = results.find((r) => r.name === 'default');
  const large = results.find((r) => r.name === 'large');
  if (small && large) L.push('## Growth from the default to the large workspace', '', growthTable(small, large), '');
  return L.join('\n');
}

/** The README's shorter table of a workspace's figures. */
function readmeTable(result) {
  const table = ['| figure | median | p95 | ratio | peak RSS |', '| --- | ---: | ---: | ---: | ---: |'];
  for (const r of result.rows.filter((x) => !x.skipped)) table.push(`| ${r.figure} | ${fmtMs(r.median)} | ${r.p95 !== undefined ? fmtMs(r.p95) : '—'} | ${ratioOf(r, result)} | ${r.rssKB ? fmtMB(r.rssKB) : '—'} |`);
  return table.join('\n');
}

/** The `## Benchmarks` section of README.md: the latest default-workspace table and the goals. */
function readmeSection(result, m, date, resultsFile) {
  return [
    '## Benchmarks',
    '',
    '`npm run bench` generates a seeded workspace — 500 TypeScript modules in 10 layers, 50 features, a 100,000-row Parquet',
    'snapshot (`--large`: 2,000 modules, 200 features, 1,000,000 rows) — and measures static impact against `tsc --noEmit`,',
    '`featureguard check`, the statistics against scipy, and the language server over stdio; it checks every reported feature and',
    `verdict and exits 1 on a wrong one. Latest run, ${date}, ${m.nproc} shared cores (${m.cpu}), load average ${loadAtStart.split(' ')[0]} at the start`,
    `(method and all figures: \`${relative(ROOT, resultsFile)}\`):`,
    '',
    readmeTable(result),
    '',
    goalsTable(result),
    '',
  ].join('\n');
}

/**
 * README.md's `## Benchmarks` section split at its `### ` headings: the text before the first one,
 * then [heading line, text] per subsection (trailing blank lines dropped), and the README around it.
 */
function readReadmeSection() {
  const file = join(ROOT, 'README.md');
  const text = readFileSync(file, 'utf8');
  const m = /^## Benchmarks[ \t]*\n/m.exec(text);
  if (!m) return { file, before: text.replace(/\n*$/, '\n\n'), after: '', intro: '', subs: [] };
  const next = /^## /m.exec(text.slice(m.index + m[0].length));
  const end = next ? m.index + m[0].length + next.index : text.length;
  const [intro, ...rest] = text.slice(m.index, end).split(/^(?=### )/m);
  const trim = (t) => t.replace(/\n+$/, '');
  return { file, before: text.slice(0, m.index), after: text.slice(end), intro: trim(intro), subs: rest.map((t) => [t.split('\n')[0], trim(t)]) };
}

function writeReadme({ file, before, after, intro, subs }) {
  const section = [intro, ...subs.map(([, t]) => t)].filter(Boolean).join('\n\n') + '\n';
  writeFileSync(file, before + section + (after ? '\n' + after : ''));
}

/**
 * Replaces README.md's `## Benchmarks` section (up to the next `## ` heading), or appends it at the
 * end; its `### ` subsections that `section` does not write itself (the Python workspace's) stay.
 */
function writeReadmeSection(section) {
  const readme = readReadmeSection();
  const own = section.replace(/\n+$/, '');
  writeReadme({ ...readme, intro: own, subs: readme.subs.filter(([heading]) => !own.includes(heading)) });
}

/** Replaces the `### ` subsection of `## Benchmarks` whose heading starts with `prefix`, or adds it at the end. */
function writeReadmeSubsection(prefix, subsection) {
  const readme = readReadmeSection();
  const text = subsection.replace(/\n+$/, '');
  const i = readme.subs.findIndex(([heading]) => heading.startsWith(prefix));
  const subs = [...readme.subs];
  if (i >= 0) subs[i] = [text.split('\n')[0], text];
  else subs.push([text.split('\n')[0], text]);
  writeReadme({ ...readme, intro: readme.intro || '## Benchmarks', subs });
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  if (!existsSync(BUILT_CLI)) throw new Error(`${BUILT_CLI} is missing: run \`npm run build\` first`);
  rmSync(dirname(CLI), { recursive: true, force: true });
  cpSync(dirname(BUILT_CLI), dirname(CLI), { recursive: true });
  process.on('exit', () => rmSync(dirname(CLI), { recursive: true, force: true }));
  cliHash = createHash('sha1').update(readFileSync(CLI)).digest('hex').slice(0, 12);
  const probe = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error(`${CLI} (copy of ${BUILT_CLI}) does not run: ${probe.stderr.split('\n').slice(0, 6).join('\n')}`);
  console.log(`featureguard: ${BUILT_CLI} (dist/ copied to ${dirname(CLI)}, cli.js sha1 ${cliHash}); load average ${loadAtStart}`);
  if (!existsSync(TSC)) throw new Error(`${TSC} is missing: run \`npm ci\``);
  if (!hasTime) console.log(`note: ${TIME} not found (apt-get install -y time): no peak RSS`);
  const typescript = opts.largeOnly ? ['large'] : opts.large ? ['default', 'large'] : ['default'];
  const names = ['python', 'models', 'datasets', 'scale'].includes(opts.only) ? [opts.only] : opts.only === 'typescript' || opts.largeOnly ? typescript : [...typescript, 'python', 'models', 'datasets', 'scale'];
  const results = [];
  for (const name of names) {
    const own = Object.fromEntries(Object.entries(WORKSPACE_OPTIONS[name] ?? {}).filter(([k]) => !opts.given?.[k]));
    results.push(await benchWorkspace(name, WORKSPACES[name], { ...opts, ...own }, languageOf(name)));
  }

  const date = new Date().toISOString().slice(0, 10);
  const m = machine();
  allResults = results;
  const md = report(results, m, date);
  console.log('\n' + md);
  if (opts.write) {
    mkdirSync(RESULTS, { recursive: true });
    // A run of some sections only, of the large workspace only or of one language does not replace the full results.
    const only = ['python', 'models', 'datasets', 'scale'].includes(opts.only) ? `-${opts.only}` : opts.only === 'typescript' && !opts.largeOnly ? '-typescript' : '';
    const suffix = `${opts.largeOnly ? '-large-only' : opts.large && !['python', 'models', 'datasets', 'scale'].includes(opts.only) ? '-large' : ''}${only}${opts.sections ? '-partial' : ''}`;
    const file = join(RESULTS, `bench-${date}${suffix}.md`);
    writeFileSync(file, md);
    console.log(`written to ${file}`);
    const small = results.find((r) => r.name === 'default');
    if (opts.readme && small && !opts.sections) {
      writeReadmeSection(readmeSection(small, m, date, file));
      console.log('README.md: ## Benchmarks section updated');
    }
    const py = results.find((r) => r.name === 'python');
    if (opts.readme && py && !opts.sections) {
      writeReadmeSubsection(py.lang.readmeHeading, py.lang.readmeSubsection(py, m, date, relative(ROOT, file), { readmeTable, goalsTable, phaseTable, loadAtStart, context: goalContext() }));
      console.log(`README.md: ${py.lang.readmeHeading} subsection updated`);
    }
    const models = results.find((r) => r.name === 'models');
    if (opts.readme && models && !opts.sections) {
      writeReadmeSubsection(models.lang.readmeHeading, models.lang.readmeSubsection(models, m, date, relative(ROOT, file), { readmeTable, goalsTable, loadAtStart }));
      console.log(`README.md: ${models.lang.readmeHeading} subsection updated`);
    }
    const datasets = results.find((r) => r.name === 'datasets');
    if (opts.readme && datasets && !opts.sections) {
      writeReadmeSubsection(datasets.lang.readmeHeading, datasets.lang.readmeSubsection(datasets, m, date, relative(ROOT, file), { readmeTable, goalsTable, loadAtStart }));
      console.log(`README.md: ${datasets.lang.readmeHeading} subsection updated`);
    }
    const scale = results.find((r) => r.name === 'scale');
    if (opts.readme && scale && !opts.sections) {
      writeReadmeSubsection(scale.lang.readmeHeading, scale.lang.readmeSubsection(scale, m, date, relative(ROOT, file), { goalsTable, loadAtStart }));
      console.log(`README.md: ${scale.lang.readmeHeading} subsection updated`);
    }
  }
  const correct = results.every((r) => r.correct);
  console.log(`results correct: ${correct ? 'yes' : 'NO'}`);
  process.exitCode = correct ? 0 : 1;
}

main().catch((err) => {
  console.error(`bench: ${err.stack ?? err}`);
  process.exitCode = 2;
});
