/**
 * The Python workspace of the benchmarks (issue 10): bench/generatePythonWorkspace.mjs's 500 modules
 * in 10 layers with 50 row features, measured side by side in one run —
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
 *
 * Every impact figure is checked against the generator's reference graph, as for TypeScript.
 * `node bench/run.mjs --only python` runs this workspace alone (a few minutes).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { editedText, impactCheck, warmEdits, withConstantValue } from './edits.mjs';
import { buildEngine, loadEngine } from './engine.mjs';
import { generatePythonWorkspace, generatorVersion } from './generatePythonWorkspace.mjs';
import { LspBenchServer, measureKeystrokes } from './lspClient.mjs';
import { fillSummaryCache, fmtMs, measureProcess } from './measure.mjs';
import { CLI, ROOT } from './paths.mjs';

const PYRIGHT = join(ROOT, 'node_modules/pyright/index.js');
const PYTHON3 = process.env.FG_BENCH_PYTHON ?? 'python3';

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

function runParse(ctx, bundle, files, warmTexts, warmups) {
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

const SECTIONS = [
  {
    id: 'py-pyright',
    title: `pyright ${version} -p WS (the reference Python analyzer, in TypeScript), whole process`,
    run(ctx) {
      const samples = measureProcess('pyright', process.execPath, [PYRIGHT, '-p', ctx.ws], { cwd: ctx.ws, runs: ctx.opts.pyRuns });
      ctx.record('py-pyright', `pyright ${version} -p WS (whole process)`, samples);
      const summary = samples[samples.length - 1].stdout.trim().split('\n').pop();
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
      const warmTexts = [];
      for (let i = 0; i < warmups + ctx.opts.edits * 5; i++) warmTexts.push(withConstantValue(base, ctx.editConstant, (v) => (v * (1 + 0.001 * (i + 1))).toFixed(4)));
      const runs = [];
      for (let i = 0; i < ctx.opts.pyRuns; i++) runs.push(runParse(ctx, bundle, files, warmTexts, warmups));
      const modules = files.length;
      ctx.record('py-prepare', 'tree-sitter runtime + Python grammar load (wasm), per process', runs.map((r) => ({ ms: r.prepareMs })));
      ctx.record('py-parse-cold', `parse + summary, all ${modules} .py files (${runs[0].lines} lines), cold process`, runs.map((r) => ({ ms: r.coldMs })), { generic: 'parse + summary, every module, cold' });
      ctx.record('py-parse-again', `parse + summary, all ${modules} .py files again, same process (JIT warm)`, runs.map((r) => ({ ms: r.againMs })));
      ctx.record('py-parse-warm', `parse + summary, one edited module (${ctx.editConstant.path}), warm`, runs.flatMap((r) => r.warm.map((ms) => ({ ms }))), { p95: true, generic: 'parse + summary, one edited module, warm' });
      // Every declaration the generator wrote, and no other, in every module.
      const wrong = [];
      const want = new Map();
      for (const id of Object.keys(ctx.meta.graph)) {
        const [p, n] = id.split('#');
        if (!want.has(p)) want.set(p, []);
        want.get(p).push(n);
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
    title: 'language server over stdio (featureguard lsp --stdio): start, keystroke → impact diagnostics in a .py buffer',
    async run(ctx) {
      const server = await LspBenchServer.start(ctx.ws, { runDataChecks: 'onSave' });
      ctx.defer(() => server.close());
      try {
        ctx.record('py-lsp-start', 'language server: start → first idle status (initial run, no edit)', [{ ms: server.readyMs }], { rssKB: server.memory().hwmKB });
        await measureKeystrokes(ctx, server, {
          id: 'py-lsp-keystroke',
          figure: 'language server: keystroke (didChange, languageId python) → impact diagnostics (no debounce)',
          label: 'language server keystrokes (Python)',
        });
      } catch (err) {
        const logs = server.logs.join('').split('\n').slice(-15).join('\n      ');
        throw new Error(`${err.message}${logs ? `\n      server log (last lines):\n      ${logs}` : ''}`);
      }
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Goals and output

const rowOf = (result, id) => result.rows.find((x) => x.id === id && !x.skipped);

/** The ratio column: impact figures against pyright and compileall. */
function ratioOf(r, result) {
  const pyright = rowOf(result, 'py-pyright'), compileall = rowOf(result, 'py-compileall');
  if (!/^py-(impact-cold|impact-cached|pyright|compileall)$/.test(r.id)) return undefined;
  const parts = [];
  if (pyright) parts.push(`${(r.median / pyright.median).toFixed(2)}× pyright`);
  if (compileall) parts.push(`${(r.median / compileall.median).toFixed(2)}× compileall`);
  return parts.join(', ') || undefined;
}

/** The goals of issue 10, each with the measured figure (only those this run measured). */
function goals(result) {
  const out = [];
  const add = (goal, measured, met) => out.push({ goal, measured, met });
  const pyright = rowOf(result, 'py-pyright'), compileall = rowOf(result, 'py-compileall'), cached = rowOf(result, 'py-impact-cached');
  if (pyright && cached) add('repeated `featureguard impact` ≤ 0.1× pyright', `${(cached.median / pyright.median).toFixed(3)}× (${fmtMs(cached.median)} vs ${fmtMs(pyright.median)})`, cached.median <= 0.1 * pyright.median);
  if (compileall && cached) add('repeated `featureguard impact` ≤ 1.0× `python3 -m compileall -q`', `${(cached.median / compileall.median).toFixed(2)}× (${fmtMs(cached.median)} vs ${fmtMs(compileall.median)})`, cached.median <= compileall.median);
  const key = rowOf(result, 'py-lsp-keystroke');
  if (key) {
    add('keystroke → impact diagnostics p50 ≤ 20 ms', fmtMs(key.median), key.median <= 20);
    add('keystroke → impact diagnostics p95 ≤ 50 ms', fmtMs(key.p95), key.p95 <= 50);
  }
  const cold = rowOf(result, 'py-parse-cold'), warm = rowOf(result, 'py-parse-warm'), prep = rowOf(result, 'py-prepare');
  if (cold) add(`tree-sitter parse + summary of all ${result.meta.modules} modules (${result.meta.files} .py files with the \`__init__.py\`s), cold (reported)`, `${fmtMs(cold.median)}${prep ? ` (+ ${fmtMs(prep.median)} wasm load)` : ''}`, undefined);
  if (warm) add('tree-sitter parse + summary of one edited module, warm (reported)', `p50 ${fmtMs(warm.median)}, p95 ${fmtMs(warm.p95)}`, undefined);
  return out;
}

const METHOD = [
  '- **Python workspace** (`bench/generatePythonWorkspace.mjs`, `--only python`): 500 modules under `src/featlib/layer0…9` with',
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
];

function readmeSubsection(result, m, date, resultsFile, { readmeTable, goalsTable, loadAtStart }) {
  const { meta } = result;
  return [
    `### Python workspace (${meta.modules} modules, ${meta.features.length} features)`,
    '',
    `\`npm run bench -- --only python\` generates ${meta.lines.toLocaleString('en-US')} lines of Python in ${meta.files} files (10 layers of packages, every`,
    'import form of SPEC §9, 50 row features) and times `featureguard impact` against pyright (the reference Python analyzer,',
    'in TypeScript) and `python3 -m compileall` on the same files, the Python front end alone, and the language server on a `.py`',
    `buffer; every impact report is checked against the generator's graph. Latest run, ${date}, ${m.nproc} shared cores (${m.cpu}),`,
    `load average ${loadAtStart.split(' ')[0]} at the start (method and all figures: \`${resultsFile}\`):`,
    '',
    readmeTable(result),
    '',
    goalsTable(result),
    '',
  ].join('\n');
}

export const PYTHON_WORKSPACE = {
  language: 'Python',
  /** bench/work/py-ws-… */
  prefix: 'py-ws',
  params: { modules: 500, features: 50, rows: 10_000, seed: 1 },
  generate: generatePythonWorkspace,
  generatorVersion,
  sections: SECTIONS,
  ratioOf,
  goals,
  goalsTitle: 'Goals (issue 10):',
  method: METHOD,
  readmeHeading: '### Python workspace',
  readmeSubsection,
};
