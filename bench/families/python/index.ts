/**
 * The Python workspace of the benchmarks (issue 10, and the Python data checks):
 * bench/generators/generatePythonWorkspace.ts's 500 modules in 10 layers with 50 row features and a pandas
 * series feature, a 100k-row snapshot, measured side by side in one run —
 *
 *   py-pyright         `pyright -p WS` (the pyright npm package: the reference Python analyzer written
 *                      in TypeScript), whole process; its report must show no error
 *   py-impact-cold     `featureguard impact` after one constant edit, .git/featureguard deleted first
 *   py-impact-cached   the same edit again, summary cache present (run once untimed first), each run
 *                      after one of `python3 -m compileall -q -f WS/src` (byte-compiles every module,
 *                      whole process), so that both see the same load
 *   py-parse           the Python front end in a fresh process: tree-sitter wasm load, parse + summary
 *                      of every module (cold), and of one module edited again and again (warm)
 *   py-impact-session  WorkspaceSession.impact after a buffer edit (the server's warm path, no transport)
 *   py-lsp             `featureguard lsp --stdio`: start, keystroke → impact diagnostics p50/p95
 *   py-startup         the data checks' interpreter (/usr/bin/python3): `-c pass`, `-c "import pandas"`
 *   py-transfer        the protocol: 100k rows × 10 columns from encodeColumns to the worker's decoded
 *                      columns (bench/families/python/transfer.ts)
 *   py-check-one       `featureguard check` after scaling the first row feature (×1.25); then the
 *                      minimal script doing the same (py-minimal-row)
 *   py-check-series    the same for the pandas series feature (py-minimal-series)
 *   py-check-all       the same for every row feature (py-minimal-all, one run)
 *
 * Every impact figure is checked against the generator's reference graph, as for TypeScript, and
 * every check report's features, verdicts, findings and interpreter against the edit.
 * `npm run bench -- --only python` runs this workspace alone.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSection, featureParts } from '../../core/checkSection';
import { editedText, impactCheck, warmEdits, withConstantValue } from '../../core/edits';
import { buildEngine, loadEngine } from '../../core/engine';
import { DATA_PYTHON, generatePythonWorkspace, generatorVersion } from '../../generators/generatePythonWorkspace';
import { LspBenchServer, measureKeystrokes } from '../../core/lspClient';
import { fillSummaryCache, fmtCount, fmtMs, measureProcess } from '../../core/measure';
import { CLI, ROOT } from '../../core/paths';
import { measureTransfer } from './transfer';
import type { CheckRun } from '../../core/checkSection';
import type { ImpactReport } from '../../core/edits';
import type { MetaConstant, MetaFeature, WorkspaceMeta } from '../../core/types';
import type { Family, Goal, GoalContext, Machine, ReadmeHelpers, Row, Section, SectionContext, WorkspaceResult } from '../../core/types';

const PYRIGHT = join(ROOT, 'node_modules/pyright/index.js');
const PYTHON3 = process.env.FG_BENCH_PYTHON ?? 'python3';
/**
 * The interpreter of the data checks: the one that computed the snapshot (numpy and pandas;
 * Debian's /usr/bin/python3 unless FG_BENCH_DATA_PYTHON says otherwise). The CLI gets it as
 * FEATUREGUARD_PYTHON in its environment: the generated featureguard.json names no interpreter.
 */
const CHECK_PYTHON = DATA_PYTHON;
const checkEnv = () => ({ ...process.env, FEATUREGUARD_PYTHON: CHECK_PYTHON });
/** The worker's environment (engine/exec/python/runPython.ts), for the interpreter figures and the minimal script. */
const workerEnv = () => ({ ...process.env, PYTHONDONTWRITEBYTECODE: '1', OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' });

const version = (() => {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'node_modules/pyright/package.json'), 'utf8')).version;
  } catch {
    return '?';
  }
})();
const pythonVersion = () => spawnSync(PYTHON3, ['--version'], { encoding: 'utf8' }).stdout?.trim().replace(/^Python /, '') || '?';

// ---------------------------------------------------------------------------------------------
// The front end in a fresh process

/**
 * Runs in a child process with the bundled engine: loads the grammar, summarizes every module
 * (texts read beforehand: parse + summary only), then one module edited `warm.texts.length` times.
 */
const PARSE_SCRIPT = String.raw`
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const spec = JSON.parse(readFileSync(process.argv[1], 'utf8'));
const { createPythonFrontEnd } = require(spec.bundle);
const texts = spec.files.map((f) => readFileSync(join(spec.ws, f), 'utf8'));
(async () => {
  const fe = createPythonFrontEnd(spec.roots);
  let t = performance.now();
  await fe.prepare?.(spec.files);
  const prepareMs = performance.now() - t;
  t = performance.now();
  const summaries = spec.files.map((f, i) => fe.summarize(f, texts[i]));
  const coldMs = performance.now() - t;
  t = performance.now();
  for (let i = 0; i < spec.files.length; i++) fe.summarize(spec.files[i], texts[i]);
  const againMs = performance.now() - t;
  const warm = [];
  spec.warm.texts.forEach((text, i) => {
    const t0 = performance.now();
    fe.summarize(spec.warm.path, text);
    if (i >= spec.warm.warmups) warm.push(performance.now() - t0);
  });
  const decls = Object.fromEntries(spec.files.map((f, i) => [f, summaries[i].decls.map((d) => d.name).sort()]));
  const syntaxErrors = summaries.reduce((n, s) => n + s.syntaxErrors.length, 0);
  process.stdout.write(JSON.stringify({ prepareMs, coldMs, againMs, warm, decls, syntaxErrors, lines: texts.reduce((n, s) => n + s.split('\n').length - 1, 0) }));
})().catch((err) => { console.error(err.stack); process.exit(1); });
`;

interface ParseRun {
  prepareMs: number;
  coldMs: number;
  againMs: number;
  warm: number[];
  decls: Record<string, string[]>;
  syntaxErrors: number;
  lines: number;
}

function runParse(ctx: SectionContext, bundle: string, files: string[], warmTexts: string[], warmups: number): ParseRun {
  const dir = mkdtempSync(join(tmpdir(), 'fg-bench-py-'));
  try {
    const specFile = join(dir, 'spec.json');
    writeFileSync(specFile, JSON.stringify({ bundle, ws: ctx.ws, roots: ['src'], files, warm: { path: ctx.editConstant.path, texts: warmTexts, warmups } }));
    const r = spawnSync(process.execPath, ['-e', PARSE_SCRIPT, specFile], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`parse process: exit ${r.status}\n${r.stderr.split('\n').slice(0, 12).join('\n')}`);
    return JSON.parse(r.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Sections

const impactArgs = [CLI, 'impact', '--format', 'json'];

const SECTIONS: Section[] = [
  {
    id: 'py-pyright',
    title: `pyright ${version} -p WS (the reference Python analyzer, in TypeScript), whole process`,
    run(ctx) {
      const samples = measureProcess('pyright', process.execPath, [PYRIGHT, '-p', ctx.ws], { cwd: ctx.ws, runs: ctx.opts.pyRuns });
      ctx.record('py-pyright', `pyright ${version} -p WS (whole process)`, samples);
      const summary = samples[samples.length - 1].stdout.trim().split('\n').pop() ?? '';
      ctx.check('pyright on the generated code', /^0 errors/.test(summary), `every run exit 0; "${summary}"`);
    },
  },
  {
    id: 'py-impact-cold',
    title: 'featureguard impact, no cache (.git/featureguard deleted before each run)',
    run(ctx) {
      ctx.edit(ctx.editConstant);
      const cacheDir = join(ctx.ws, '.git/featureguard');
      const samples = measureProcess('featureguard impact (cold)', process.execPath, impactArgs, {
        cwd: ctx.ws, runs: ctx.opts.pyRuns, before: () => rmSync(cacheDir, { recursive: true, force: true }),
      });
      ctx.record('py-impact-cold', 'featureguard impact, cold (no cache)', samples);
      const report = JSON.parse(samples[0].stdout);
      const { expected, problems } = impactCheck(ctx.meta, report, ctx.editConstant);
      ctx.check('impact (CLI, cold)', problems.length === 0, `edit ${ctx.editConstant.id}: ${report.features.length} features reported, ${expected.length} expected${problems.length ? ' — ' + problems.join('; ') : ''}`);
    },
  },
  {
    id: 'py-impact-cached',
    title: 'featureguard impact with the summary cache present (same edit; one untimed run first) and python3 -m compileall -q -f src, run by run in turn',
    run(ctx) {
      ctx.edit(ctx.editConstant);
      fillSummaryCache(ctx.ws);
      // In turn, so that both see the same load from the other jobs on this machine.
      const impact = [], compileall = [];
      for (let i = 0; i < ctx.opts.runs; i++) {
        compileall.push(...measureProcess('compileall', PYTHON3, ['-m', 'compileall', '-q', '-f', 'src'], { cwd: ctx.ws, runs: 1 }));
        impact.push(...measureProcess('featureguard impact (cached)', process.execPath, impactArgs, { cwd: ctx.ws, runs: 1 }));
      }
      ctx.record('py-compileall', `python3 ${pythonVersion()} -m compileall -q -f src (whole process)`, compileall);
      ctx.record('py-impact-cached', 'featureguard impact, disk cache present (repeated)', impact);
      const report = JSON.parse(impact[impact.length - 1].stdout);
      const { expected, problems } = impactCheck(ctx.meta, report, ctx.editConstant);
      ctx.check('impact (CLI, cached)', problems.length === 0, `${report.features.length} features reported, ${expected.length} expected${problems.length ? ' — ' + problems.join('; ') : ''}`);
    },
  },
  {
    id: 'py-parse',
    title: 'Python front end in a fresh process: tree-sitter wasm load, parse + summary of every module (cold), one edited module (warm)',
    async run(ctx) {
      const bundle = await buildEngine();
      const files = ctx.gitOut(['ls-files', '*.py']).split('\n').filter(Boolean);
      const warmups = 10;
      const base = readFileSync(join(ctx.ws, ctx.editConstant.path), 'utf8');
      const warmTexts: string[] = [];
      for (let i = 0; i < warmups + ctx.opts.edits * 5; i++) warmTexts.push(withConstantValue(base, ctx.editConstant, (v) => (v * (1 + 0.001 * (i + 1))).toFixed(4)));
      const runs: ParseRun[] = [];
      for (let i = 0; i < ctx.opts.pyRuns; i++) runs.push(runParse(ctx, bundle, files, warmTexts, warmups));
      const modules = files.length;
      ctx.record('py-prepare', 'tree-sitter runtime + Python grammar load (wasm), per process', runs.map((r) => ({ ms: r.prepareMs })));
      ctx.record('py-parse-cold', `parse + summary, all ${modules} .py files (${runs[0].lines} lines), cold process`, runs.map((r) => ({ ms: r.coldMs })), { generic: 'parse + summary, every module, cold' });
      ctx.record('py-parse-again', `parse + summary, all ${modules} .py files again, same process (JIT warm)`, runs.map((r) => ({ ms: r.againMs })));
      ctx.record('py-parse-warm', `parse + summary, one edited module (${ctx.editConstant.path}), warm`, runs.flatMap((r) => r.warm.map((ms) => ({ ms }))), { p95: true, generic: 'parse + summary, one edited module, warm' });
      // Every declaration the generator wrote, and no other, in every module.
      const wrong: string[] = [];
      const want = new Map<string, string[]>();
      for (const id of Object.keys(ctx.meta.graph)) {
        const [p, n] = id.split('#');
        if (!want.has(p)) want.set(p, []);
        want.get(p)!.push(n);
      }
      for (const [p, names] of want) {
        const got = runs[0].decls[p] ?? [];
        if (JSON.stringify(got) !== JSON.stringify(names.sort())) wrong.push(`${p}: ${got.length} declarations, ${names.length} expected`);
      }
      ctx.check('Python summaries', wrong.length === 0 && runs[0].syntaxErrors === 0,
        `${modules} files, ${runs[0].syntaxErrors} syntax errors; the declarations of every module are the generator's${wrong.length ? ' — ' + wrong.slice(0, 3).join('; ') : ''}`);
    },
  },
  {
    id: 'py-impact-session',
    title: 'one-buffer edit re-analysis in a WorkspaceSession (the language server\'s warm path, without LSP transport)',
    async run(ctx) {
      const { WorkspaceSession, neverCancelled } = await loadEngine();
      const session = await WorkspaceSession!.open({ cwd: ctx.ws });
      let open: string | undefined;
      const once = async (constant: MetaConstant) => {
        if (open && open !== constant.path) session.setBuffer(open, undefined);
        session.setBuffer(constant.path, editedText(ctx.ws, constant));
        open = constant.path;
        const t0 = performance.now();
        const { report } = await session.impact(neverCancelled);
        return { ms: performance.now() - t0, report: report as unknown as ImpactReport };
      };
      const { warmup, edits } = warmEdits(ctx.meta, ctx.opts.edits);
      const first = await once(warmup[0]);
      await once(warmup[1]);
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
      ctx.record('py-impact-session', 'one-buffer edit, WorkspaceSession.impact (LSP warm path, no transport)', samples, { p95: true });
      ctx.check('impact (WorkspaceSession, random edits)', failures.length === 0,
        `${edits.length} buffer edits in all layers, ${(reached / edits.length).toFixed(1)} features reached on average; first (cold) session run ${fmtMs(first.ms)}${failures.length ? ' — ' + failures.slice(0, 3).join(' | ') : ''}`);
    },
  },
  {
    id: 'py-lsp',
    title: 'language server over stdio (featureguard lsp --stdio, warmBaseValues off as before the warm-up existed): start, keystroke → impact diagnostics in a .py buffer',
    async run(ctx) {
      const server = await LspBenchServer.start(ctx.ws, { runDataChecks: 'onSave', warmBaseValues: false });
      ctx.defer(() => server.close());
      try {
        ctx.record('py-lsp-start', 'language server: start → first idle status (initial run, no edit)', [{ ms: server.readyMs }], { rssKB: server.memory().hwmKB });
        await measureKeystrokes(ctx, server, {
          id: 'py-lsp-keystroke',
          figure: 'language server: keystroke (didChange, languageId python) → impact diagnostics (no debounce)',
          label: 'language server keystrokes (Python)',
        });
      } catch (err) {
        if (!(err instanceof Error)) throw err;
        const logs = server.logs.join('').split('\n').slice(-15).join('\n      ');
        throw new Error(`${err.message}${logs ? `\n      server log (last lines):\n      ${logs}` : ''}`);
      }
    },
  },
  {
    id: 'py-startup',
    title: 'the interpreter of the data checks: start (python3 -c pass) and start + import pandas, whole process',
    run(ctx) {
      const runs = ctx.opts.runs * 2;
      const bare = measureProcess('python3 -c pass', CHECK_PYTHON, ['-c', 'pass'], { runs, env: workerEnv() });
      ctx.record('py-start', `${CHECK_PYTHON} -c pass (interpreter start, whole process)`, bare);
      const version = spawnSync(CHECK_PYTHON, ['-c', 'import sys, pandas; print("%d.%d.%d" % sys.version_info[:3], pandas.__version__)'], { encoding: 'utf8' }).stdout.trim().split(' ');
      const pandas = measureProcess('python3 -c "import pandas"', CHECK_PYTHON, ['-c', 'import pandas'], { runs, env: workerEnv() });
      ctx.record('py-start-pandas', `${CHECK_PYTHON} -c "import pandas" (start + pandas ${version[1] ?? '?'}, whole process)`, pandas);
      ctx.state.pythonVersion = version[0];
    },
  },
  {
    id: 'py-transfer',
    title: 'the Python protocol: 100k rows × 10 columns, encodeColumns → pipe → the worker\'s decoded columns (bench/families/python/transfer.ts)',
    async run(ctx) {
      const { encodeColumns, encodeFrameParts } = await loadEngine();
      const rows = ctx.params.rows;
      const r = await measureTransfer({ python: CHECK_PYTHON, workerPath: join(ROOT, 'engine/exec/python/featureguard_worker.py'), encodeColumns, encodeFrameParts, rows, runs: 20 });
      const row = ctx.record('py-transfer', `protocol transfer, ${fmtCount(rows)} rows × 10 columns (${(r.bytes / 1e6).toFixed(1)} MB): encodeColumns → pipe → every column decoded in the worker (warm)`, r.samples.map((x) => ({ ms: x.total })), { p95: true, generic: 'protocol transfer, rows × 10 columns' });
      row.first = r.first.total;
      const m = (k: keyof typeof r.stats) => fmtMs(r.stats[k].median);
      ctx.note('protocol transfer', `medians of ${r.samples.length} runs after 3 warm-up ones: encodeColumns ${m('encode')}, frame ${m('frame')}, pipe (write → read_frame done) ${m('pipe')}, decode to the lists a row feature gets ${m('decode')}; the DataFrame a pandas feature gets instead, from the same buffers, ${m('dataframe')}; the first run (a cold encoder, as in a check) ${fmtMs(r.first.total)}`);
      ctx.check('protocol transfer', r.problems.length === 0, r.problems.length ? r.problems.join('; ') : 'every column arrived with its nulls and the sum of its values (or of its strings\' lengths); the DataFrame has every row and column');
    },
  },
  checkSection({
    id: 'py-check-one',
    title: 'featureguard check, ONE row feature affected (its return ×1.25), summary cache present',
    figure: 'featureguard check, 1 row feature affected',
    pick: (meta) => [rowFeatures(meta)[0]],
    runs: (opts) => opts.runs,
    scale: scaledPythonFeature,
    env: checkEnv,
    what: 'one row feature',
    after: (ctx, run) => pythonChecks(ctx, run, { minimal: 'py-minimal-row' }),
  }),
  checkSection({
    id: 'py-check-series',
    title: 'featureguard check, the pandas series feature affected (its return ×1.25), summary cache present',
    figure: 'featureguard check, 1 series (pandas) feature affected',
    pick: (meta) => [seriesFeature(meta)],
    runs: (opts) => opts.runs,
    scale: scaledPythonFeature,
    env: checkEnv,
    what: 'the series feature',
    after: (ctx, run) => pythonChecks(ctx, run, { minimal: 'py-minimal-series' }),
  }),
  checkSection({
    id: 'py-check-all',
    title: 'featureguard check, ALL row features affected (every return ×1.25), summary cache present',
    figure: (meta) => `featureguard check, all ${rowFeatures(meta).length} row features affected`,
    generic: 'featureguard check, all row features affected',
    pick: rowFeatures,
    runs: (opts) => opts.checkRuns,
    scale: scaledPythonFeature,
    env: checkEnv,
    what: 'all row features',
    after: (ctx, run) => pythonChecks(ctx, run, { minimal: 'py-minimal-all', minimalRuns: 1 }),
  }),
];

// ---------------------------------------------------------------------------------------------
// Data checks: the features, the edits, a minimal script doing the same work

/** The generator's row features (meta.features lists them first, then the series one). */
function rowFeatures(meta: WorkspaceMeta): MetaFeature[] {
  return meta.features.filter((f) => (f.kind ?? 'row') === 'row');
}

/** The generator's pandas series feature. */
function seriesFeature(meta: WorkspaceMeta): MetaFeature {
  const f = meta.features.find((x) => x.kind === 'series');
  if (!f) throw new Error('the generated workspace has no series feature (regenerate it: --regenerate)');
  return f;
}

/**
 * The generator's features (`def NAME(row: dict) -> float:` or `def NAME(df: pd.DataFrame) ->
 * pd.Series:`, a docstring, a few assignments, `return EXPR`): `text` with that feature's first
 * `return EXPR` rewritten as `return FACTOR * (EXPR)`, so every stored value is off by the factor.
 */
function scaledPythonFeature(text: string, name: string, factor: number): string {
  const re = new RegExp(`(\\ndef ${name}\\([^)]*\\) -> [^:\\n]+:\\n(?:    [^\\n]*\\n)*?    return )([^\\n]*)`);
  if (!re.test(text)) throw new Error(`no generated feature function "${name}" (def ${name}(…) -> …: … return EXPR)`);
  return text.replace(re, (_, head: string, expr: string) => `${head}${factor} * (${expr})`);
}

/**
 * A minimal script doing what FeatureGuard's Python run does for the features in argv: read the
 * sampled rows (prepared beforehand), import the base version (git archive of HEAD) and the target
 * version (a copy of the working tree) of the package each from its own folder, and call each
 * feature of each version on every row (a row feature) or on the frame (a series feature), one
 * after the other in one interpreter. It prints the number of values and their sums.
 */
const MINIMAL_SCRIPT = String.raw`
import array, importlib, json, sys
rows_dir, base_root, target_root = sys.argv[1:4]
features = json.loads(sys.argv[4])  # [module, function, kind]
cols = {}
for k in "abc":
    cols[k] = array.array("d")
    with open(rows_dir + "/" + k + ".f64", "rb") as f:
        cols[k].frombytes(f.read())
with open(rows_dir + "/seg.txt", encoding="utf-8") as f:
    seg = f.read().split("\n")


def load(root):
    for name in [m for m in sys.modules if m == "featlib" or m.startswith("featlib.")]:
        del sys.modules[name]
    sys.path.insert(0, root)
    try:
        return [getattr(importlib.import_module(module), fn) for module, fn, kind in features]
    finally:
        sys.path.remove(root)


versions = [load(base_root), load(target_root)]
rows = frame = None
sums = []
for fns in versions:
    total = 0.0
    for fn, (module, name, kind) in zip(fns, features):
        if kind == "series":
            if frame is None:
                import pandas as pd
                frame = pd.DataFrame({"a": cols["a"].tolist(), "b": cols["b"].tolist(), "c": cols["c"].tolist(), "seg": seg})
            values = fn(frame.copy()).to_numpy(dtype=float).tolist()
        else:
            if rows is None:
                rows = [{"a": a, "b": b, "c": c, "seg": s} for a, b, c, s in zip(cols["a"], cols["b"], cols["c"], seg)]
            values = [fn(row) for row in rows]
        total += sum(values)
    sums.append(total)
print(json.dumps({"n": len(seg), "base": sums[0], "target": sums[1]}))
`;

/** The sampled rows' inputs (a, b, c, seg) as files for the minimal script, read once per bench run. */
async function minimalRows(ctx: SectionContext): Promise<{ dir: string; n: number }> {
  if (ctx.state.minimalRows) return ctx.state.minimalRows;
  const { asyncBufferFromFile, parquetReadObjects } = await import('hyparquet');
  const file = await asyncBufferFromFile(join(ctx.ws, 'data/main.parquet'));
  const objects = await parquetReadObjects({ file, columns: ['a', 'b', 'c', 'seg'] });
  const dir = mkdtempSync(join(tmpdir(), 'fg-bench-minimal-'));
  for (const k of ['a', 'b', 'c']) writeFileSync(join(dir, `${k}.f64`), Buffer.from(Float64Array.from(objects, (o) => o[k]).buffer));
  writeFileSync(join(dir, 'seg.txt'), objects.map((o) => o.seg).join('\n'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return (ctx.state.minimalRows = { dir, n: objects.length });
}

/**
 * After a check section: the interpreter each report names, then the minimal script on the same
 * edit (recorded as `minimal`), compared with the check's `execute` phase and whole process.
 */
async function pythonChecks(ctx: SectionContext, { feats, reports, row }: CheckRun, { minimal, minimalRuns }: { minimal: string; minimalRuns?: number }): Promise<void> {
  const named = reports.map((r) => r.summary.python?.path);
  ctx.check(`${row.id}: the interpreter`, named.every((p) => p === CHECK_PYTHON), `every report's summary.python names ${[...new Set(named)].join(', ')} (FEATUREGUARD_PYTHON=${CHECK_PYTHON}; ${reports[0].summary.python?.version ?? '?'})`);
  const rows = await minimalRows(ctx);
  const dir = mkdtempSync(join(tmpdir(), 'fg-bench-versions-'));
  try {
    // Outside the timing: the two versions, each in a folder of its own.
    mkdirSync(join(dir, 'base'));
    execFileSync('sh', ['-c', 'git archive HEAD src | tar -x -C "$1"', 'sh', join(dir, 'base')], { cwd: ctx.ws });
    cpSync(join(ctx.ws, 'src'), join(dir, 'target/src'), { recursive: true });
    const spec = JSON.stringify(feats.map((f) => [featureModule(f), featureParts(f).exportName, f.kind ?? 'row']));
    // -B: no byte code written (FeatureGuard compiles the sources it serves each time, too).
    const samples = measureProcess('minimal script', CHECK_PYTHON, ['-B', '-c', MINIMAL_SCRIPT, rows.dir, join(dir, 'base/src'), join(dir, 'target/src'), spec], { runs: minimalRuns ?? ctx.opts.runs, env: workerEnv() });
    const out = JSON.parse(samples[0].stdout);
    const what = feats.length === 1 ? `${feats[0].name} (${feats[0].kind ?? 'row'})` : `${feats.length} row features`;
    const m = ctx.record(minimal, `minimal script: both versions of ${what} on the same ${fmtCount(out.n)} rows, one after the other (python3 -B, whole process)`, samples, { generic: `minimal script, ${feats.length === 1 ? feats[0].kind ?? 'row' : 'all row'} feature${feats.length === 1 ? '' : 's'}` });
    m.checkId = row.id;
    m.execute = row.phases!.execute;
    m.check = row.median;
    m.ratio = `check's execute ${(m.execute / m.median).toFixed(2)}×, whole check ${(m.check / m.median).toFixed(2)}×`;
    const ratio = out.target / out.base;
    ctx.check(`${minimal}: the script's values`, out.n === ctx.params.rows && Math.abs(ratio - 1.25) < 1e-9, `${out.n} rows; the target's values sum to ${ratio.toFixed(12)}× the base's (the edit: ×1.25)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `src/featlib/layer9/x.py#f` → `featlib.layer9.x` (python.paths is ["src"]). */
function featureModule(feature: MetaFeature): string {
  return featureParts(feature).file.replace(/^src\//, '').replace(/\.py$/, '').replace(/\//g, '.');
}

// ---------------------------------------------------------------------------------------------
// Goals and output

const rowOf = (result: WorkspaceResult, id: string) => result.rows.find((x) => x.id === id && !x.skipped);

/** The ratio column: impact figures against pyright and compileall. */
function ratioOf(r: Row, result: WorkspaceResult): string | undefined {
  const pyright = rowOf(result, 'py-pyright'), compileall = rowOf(result, 'py-compileall');
  if (!/^py-(impact-cold|impact-cached|pyright|compileall)$/.test(r.id)) return undefined;
  const parts = [];
  if (pyright) parts.push(`${(r.median / pyright.median).toFixed(2)}× pyright`);
  if (compileall) parts.push(`${(r.median / compileall.median).toFixed(2)}× compileall`);
  return parts.join(', ') || undefined;
}

/**
 * The TypeScript workspace's `check` of all 50 features: this run's when it measured it, else the
 * README's latest (its `## Benchmarks` table), else undefined.
 */
function typescriptCheckAll({ results = [], readme }: Partial<GoalContext> = {}): { ms: number; from: string } | undefined {
  const ts = results.find((r) => r.name === 'default')?.rows.find((x) => x.id === 'check-all' && !x.skipped);
  if (ts) return { ms: ts.median, from: 'this run' };
  try {
    const m = /^\| featureguard check, all 50 features affected, 100k rows \| ([0-9.]+) (ms|s) \|/m.exec(readme?.() ?? '');
    if (m) return { ms: Number(m[1]) * (m[2] === 's' ? 1000 : 1), from: 'README' };
  } catch {
    // no README
  }
  return undefined;
}

/** The goals of issue 10 and of the Python data checks, each with the measured figure (only those this run measured). */
function goals(result: WorkspaceResult, context: GoalContext): Goal[] {
  const out: Goal[] = [];
  const add = (goal: string, measured: string, met: boolean | undefined) => out.push({ goal, measured, met });
  const pyright = rowOf(result, 'py-pyright'), compileall = rowOf(result, 'py-compileall'), cached = rowOf(result, 'py-impact-cached');
  if (pyright && cached) add('repeated `featureguard impact` ≤ 0.1× pyright', `${(cached.median / pyright.median).toFixed(3)}× (${fmtMs(cached.median)} vs ${fmtMs(pyright.median)})`, cached.median <= 0.1 * pyright.median);
  if (compileall && cached) add('repeated `featureguard impact` ≤ 1.0× `python3 -m compileall -q`', `${(cached.median / compileall.median).toFixed(2)}× (${fmtMs(cached.median)} vs ${fmtMs(compileall.median)})`, cached.median <= compileall.median);
  const key = rowOf(result, 'py-lsp-keystroke');
  if (key) {
    add('keystroke → impact diagnostics p50 ≤ 20 ms', fmtMs(key.median), key.median <= 20);
    add('keystroke → impact diagnostics p95 ≤ 50 ms', fmtMs(key.p95 ?? NaN), (key.p95 ?? NaN) <= 50);
  }
  const cold = rowOf(result, 'py-parse-cold'), warm = rowOf(result, 'py-parse-warm'), prep = rowOf(result, 'py-prepare');
  if (cold) add(`tree-sitter parse + summary of all ${result.meta.modules} modules (${result.meta.files} .py files with the \`__init__.py\`s), cold (reported)`, `${fmtMs(cold.median)}${prep ? ` (+ ${fmtMs(prep.median)} wasm load)` : ''}`, undefined);
  if (warm) add('tree-sitter parse + summary of one edited module, warm (reported)', `p50 ${fmtMs(warm.median)}, p95 ${fmtMs(warm.p95 ?? NaN)}`, undefined);
  // Data checks.
  const start = rowOf(result, 'py-start'), pandas = rowOf(result, 'py-start-pandas');
  /** How much of a check is the interpreter's start (with pandas' import for a pandas form): both sides start at once. */
  const startup = (withPandas: boolean) => {
    const r = withPandas ? pandas : start;
    return r ? ` (of which ${withPandas ? 'python3 start + import pandas' : 'python3 start'} ${fmtMs(r.median)}, both sides at once)` : '';
  };
  const one = rowOf(result, 'py-check-one'), series = rowOf(result, 'py-check-series'), all = rowOf(result, 'py-check-all');
  if (one) add('`check` of one row feature ≤ 1.5 s (interpreter start included)', `${fmtMs(one.median)}${startup(false)}`, one.median <= 1500);
  if (series) add('`check` of one pandas `series` feature ≤ 1.2 s (interpreter start included)', `${fmtMs(series.median)}${startup(true)}`, series.median <= 1200);
  if (all) {
    const ts = typescriptCheckAll(context);
    const n = result.meta.features.filter((f) => (f.kind ?? 'row') === 'row').length;
    if (ts) add(`\`check\` of all ${n} row features ≤ 2× the TypeScript workspace's 50 (${fmtMs(ts.ms)}, ${ts.from})`, `${(all.median / ts.ms).toFixed(2)}× (${fmtMs(all.median)})`, all.median <= 2 * ts.ms);
    else add(`\`check\` of all ${n} row features ≤ 2× the TypeScript workspace's 50`, `${fmtMs(all.median)} (no TypeScript figure)`, undefined);
  }
  const transfer = rowOf(result, 'py-transfer');
  if (transfer) add(`protocol transfer of ${fmtCount(result.params.rows)} rows × 10 columns ≤ 30 ms`, `${fmtMs(transfer.median)} (p95 ${fmtMs(transfer.p95 ?? NaN)}; the first, with a cold encoder: ${fmtMs(transfer.first)})`, transfer.median <= 30);
  for (const id of ['py-minimal-row', 'py-minimal-series', 'py-minimal-all']) {
    const m = rowOf(result, id);
    if (!m) continue;
    const what = id === 'py-minimal-row' ? 'one row feature' : id === 'py-minimal-series' ? 'the series feature' : 'all row features';
    add(`FeatureGuard's Python run of ${what} (the check's \`execute\`) ≤ 1.5× a minimal script doing the same`, `${(m.execute / m.median).toFixed(2)}× (${fmtMs(m.execute)} vs ${fmtMs(m.median)}; whole check ${(m.check / m.median).toFixed(2)}×)`, id === 'py-minimal-all' ? undefined : m.execute <= 1.5 * m.median);
  }
  return out;
}

const METHOD = [
  '- **Python workspace** (`bench/generators/generatePythonWorkspace.ts`, `--only python`): 500 modules under `src/featlib/layer0…9` with',
  '  `__init__.py` packages, every import form of SPEC §9 (relative and absolute `from … import`, `import a.b as m` + `m.X`,',
  '  `from ..pkg import submodule`, names re-exported by `__init__.py`, `from m import *` through `__all__`, `import a.b.c`),',
  '  50 row features in the top two layers. **pyright** is `node node_modules/pyright/index.js -p WS` (the npm package, whole',
  '  process, no cache between runs) and **compileall** `python3 -m compileall -q -f src` (forced: every module byte-compiled);',
  '  both are whole processes like `featureguard impact`, which is timed after one layer-0 constant edit (×1.25), once untimed',
  '  first so the summary cache holds the tree, then the median of the runs, each run right after one of compileall (the',
  '  machine is shared: in turn, both see the same load). **parse + summary** runs the Python front end',
  '  (`createPythonFrontEnd`, bundled with esbuild) in fresh processes: the texts are read first, then the wasm grammar is',
  '  loaded, every module summarized once (cold) and again (JIT warm), then one module re-summarized after each of a series',
  '  of edits to a constant (warm; 10 untimed first). The keystroke figure is the TypeScript one on a `.py` buffer',
  '  (`languageId: python`).',
  '- **Python data checks**: the snapshot (100k rows by default) holds a, b, c, seg and one column per feature, computed by the',
  '  generated code in the interpreter of the checks (`/usr/bin/python3`, numpy + pandas; `FG_BENCH_DATA_PYTHON`), which the CLI',
  '  gets as `FEATUREGUARD_PYTHON` in its environment (featureguard.json names none). Besides the 50 row features there is one',
  '  pandas `series` feature (`def f(df: pd.DataFrame) -> pd.Series`) in a layer-9 module of its own, which reads only its',
  '  module\'s constants (no layer-0 edit reaches it: the impact figures are what they were). **check** is `featureguard check',
  '  --format json` (whole process, summary cache filled first) after `return EXPR` → `return 1.25 * (EXPR)` in the first row',
  '  feature, in the series feature, or in every row feature; every report must name exactly the edited features, each',
  '  `changed`, affine ×1.25, with a value.mismatch error on every row, and `/usr/bin/python3` in `summary.python`. The phases are',
  '  the report\'s `summary.timings`; for Python `execute` is the wait for both sides\' results (interpreter start, imports, the',
  '  rows, the calls, the values back; base and target run side by side) and `bundle` the sides\' sources and column encoding.',
  '  **Interpreter start** is `python3 -c pass` and `python3 -c "import pandas"` (whole processes, the workers\' environment).',
  '  **Protocol transfer** (bench/families/python/transfer.ts): 10 seeded columns (7 float, 1 integer, 2 string) of 100k rows, timed',
  '  across the processes on CLOCK_MONOTONIC from `encodeColumns` in Node to every column decoded into the lists a row feature',
  '  gets, in a python3 that loaded the worker\'s own functions and pandas beforehand (so the interpreter\'s start is not in it);',
  '  3 warm-up runs, then the median of 20; checksums of every column are compared. **Minimal script**: a hand-written python3',
  '  script (`-B`, the workers\' environment) that reads the same rows from files written beforehand, imports the base version',
  '  (`git archive HEAD src`) and the target version (a copy of the working tree) of the package from two folders, and calls',
  '  the feature(s) of each version on every row (or on the frame), one version after the other; its process wall time is',
  '  compared with the `execute` phase of the same check (and with the whole check).',
];

/** Where the time of the Python checks goes, from this run's figures (after the goals, in the results and the README). */
function discussion(result: WorkspaceResult, context: GoalContext): string[] {
  const row = (id: string) => rowOf(result, id);
  const one = row('py-check-one'), series = row('py-check-series'), all = row('py-check-all');
  const start = row('py-start'), pandas = row('py-start-pandas'), mOne = row('py-minimal-row'), mSeries = row('py-minimal-series'), mAll = row('py-minimal-all');
  const out: string[] = [];
  if (one && series && start && pandas && mOne && mSeries && one.cpuMs && series.cpuMs) {
    out.push(
      `Where the time of a Python check goes. One feature: the check is bound by the machine's 2 cores — ${fmtMs(one.median)} of wall time`,
      `for ${fmtMs(one.cpuMs)} of CPU (CLI and workers) for the row feature, ${fmtMs(series.median)} for ${fmtMs(series.cpuMs)} for the series one. Each side's`,
      `worker starts python3 (${fmtMs(start.median)}), imports pandas when the form needs it (${fmtMs(pandas.median - start.median)} more), imports the feature's module`,
      'and the package modules it imports (user code: compiling them and creating their dataclasses), decodes the rows and runs the',
      'feature, then again on the first 200 rows (a row feature) or on all of them (a vectorized one) for code.nondeterministic; the',
      'CLI meanwhile starts, finds the impact, reads the snapshot\'s columns, encodes them once per side and computes the statistics.',
      `The minimal script (one interpreter, no statistics, no second run) takes ${fmtMs(mOne.median)} (row) and ${fmtMs(mSeries.median)} (series).`,
    );
  }
  if (all && mAll && all.cpuMs) {
    const ts = typescriptCheckAll(context);
    out.push(
      '',
      `All row features: the feature code is the cost. The minimal script needs ${fmtMs(mAll.median)} to run both versions of the ${rowFeatures(result.meta).length} features`,
      `one after the other in CPython; FeatureGuard runs the two versions side by side (\`execute\` ${fmtMs(all.phases!.execute)}) and then the statistics`,
      `of every feature (${fmtMs(all.phases!.statistics)}): ${fmtMs(all.cpuMs)} of CPU on 2 cores.${ts ? ` Split perfectly over the two cores, the minimal script alone would take ${fmtMs(mAll.median / 2)}, ${(mAll.median / 2 / (2 * ts.ms)).toFixed(2)}× the goal (2 × ${fmtMs(ts.ms)}).` : ''}`,
    );
  }
  return out;
}

function readmeSubsection(result: WorkspaceResult, m: Machine, date: string, resultsFile: string, { readmeTable, goalsTable, phaseTable, loadAtStart, context }: ReadmeHelpers): string {
  const { meta } = result;
  const rows = meta.features.filter((f) => (f.kind ?? 'row') === 'row').length;
  const phases = phaseTable?.(result);
  return [
    `### Python workspace (${meta.modules} modules, ${rows} row features + ${meta.features.length - rows} series feature)`,
    '',
    `\`npm run bench -- --only python\` generates ${meta.lines.toLocaleString('en-US')} lines of Python in ${meta.files} files (10 layers of packages, every`,
    `import form of SPEC §9, ${rows} row features and a pandas \`series\` one) with a ${fmtCount(result.params.rows)}-row snapshot the code computed, and times`,
    '`featureguard impact` against pyright (the reference Python analyzer, in TypeScript) and `python3 -m compileall` on the same',
    'files, the Python front end alone, the language server on a `.py` buffer, and `featureguard check` running the features in',
    '`/usr/bin/python3` (`FEATUREGUARD_PYTHON`) against a minimal script doing the same, with the protocol\'s transfer and the',
    'interpreter\'s start on their own; every impact report is checked against the generator\'s graph and every check report\'s',
    `verdicts against the edit. Latest run, ${date}, ${m.nproc} shared cores (${m.cpu}), load average ${loadAtStart.split(' ')[0]} at the start`,
    `(method and all figures: \`${resultsFile}\`):`,
    '',
    readmeTable(result),
    '',
    ...(phases ? ['Phases of `featureguard check` (the report\'s `summary.timings`, median of the runs):', '', phases, ''] : []),
    goalsTable(result),
    '',
    ...discussion(result, context),
    '',
  ].join('\n');
}

export const PYTHON_WORKSPACE: Family = {
  language: 'Python',
  /** bench/work/py-ws-… */
  prefix: 'py-ws',
  params: { modules: 500, features: 50, rows: 100_000, seed: 1 },
  generate: generatePythonWorkspace,
  generatorVersion,
  sections: SECTIONS,
  ratioOf,
  goals,
  goalsTitle: 'Goals (issue 10; the Python data checks):',
  discussion,
  method: METHOD,
  readmeHeading: '### Python workspace',
  readmeSubsection,
};
