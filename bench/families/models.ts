/**
 * The models sections of the benchmarks (issue 12, SPEC §10), on the default TypeScript workspace
 * (500 modules, 50 features, 100k rows; `sampleRows` is the row count, so every check runs on all
 * 100k rows, as the check sections do). `npm run bench -- --only models` runs them alone; a full
 * run runs them after the Python workspace.
 *
 * Setup, in the run's private clone and undone after each section: the snapshot is rewritten with
 * one more column, `churned` (0/1, drawn from the tree model's own probability on the stored rows,
 * seeded), so the model part computes its labelled metrics (AUC, accuracy); a model file is
 * written under models/; featureguard.json gets a `models` block and the model's features name it
 * in `consumers`; the first feature's function body is scaled ×1.25 (as in check-one).
 *
 *   models-trees     a 300-tree TreeEnsembleClassifier (depth 3–4, seeded splits at stored values of
 *                    the 10 features it reads, one [N, 10] input bound by a list), `featureguard check`
 *                    whole process: the report's `summary.timings.models` (the model part: the wait
 *                    for the preloaded session, the stored columns, the two input tensors, both runs
 *                    in the worker, scores, flips, AUC/accuracy, histogram); then, in this process,
 *                    bare onnxruntime-node `InferenceSession.run` on the same model bytes and the same
 *                    two 100k × 10 float32 batches (intraOpNumThreads 1), best of several; then where
 *                    the model part's time goes (worker start, session create, IPC of the batches)
 *   models-overhead  a logistic regression over the edited feature and two others: `featureguard
 *                    check` of that one feature with the `models` block, and without it (a second
 *                    clone with the same data and edit, no `models`, no `consumers`), runs alternated
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { checkReportProblems, featureParts, PHASES } from '../core/checkSection';
import { scaledFeatureText } from '../core/edits';
import { makeRng } from '../generators/generateWorkspace';
import { fillSummaryCache, fmtCount, fmtMB, fmtMs, median, runProcessSampled } from '../core/measure';
import { CLI, ROOT, WORK } from '../core/paths';
import type { CheckReport } from '../core/checkSection';
import type { BenchOptions, Family, Goal, Machine, MetaFeature, Phases, ReadmeHelpers, SampledRun, Section, SectionContext, WorkspaceResult } from '../core/types';
import { DEFAULT_TS_WORKSPACE } from '../core/defaultWorkspace';

const require = createRequire(join(ROOT, 'package.json'));

/** Model sizes of the benchmark. */
const TREES = 300;
const N_INPUTS = 10;
const MODEL_SEED = 12;
const LABEL = 'churned';
/** Timed `check` runs per figure (more with --runs when larger), bare-run repetitions. */
const minRuns = (opts: BenchOptions) => Math.max(opts.runs, 7);
const BARE_REPS = 9;

// ---------------------------------------------------------------------------------------------
// Setup

type OnnxBuilder = typeof import('../../scripts/onnxBuilder.mjs');
type Tree = import('../../scripts/onnxBuilder.mjs').Tree;
let onnxBuilder: OnnxBuilder | undefined;
/** scripts/onnxBuilder.mjs (JavaScript shared with the tests, typed by onnxBuilder.d.mts), loaded at run time. */
const builder = async (): Promise<OnnxBuilder> => (onnxBuilder ??= await import(join(ROOT, 'scripts/onnxBuilder.mjs')));

/**
 * The snapshot's columns as stored (`columns`: name → array, schema order), read once per bench
 * process, and the bytes of the snapshot with the label column added.
 */
type Column = Float64Array | string[];
interface TreeModel { trees: Tree[]; probability(x: (j: number) => number): number }
interface LabelledSnapshot {
  original: Buffer;
  bytes: Buffer;
  columns: Map<string, Column>;
  rows: number;
  model: TreeModel;
  positives: number;
}
let snapshotCache: LabelledSnapshot | undefined;
async function snapshotWithLabel(ws: string, features: MetaFeature[]): Promise<LabelledSnapshot> {
  if (snapshotCache) return snapshotCache;
  const { parquetRead, parquetMetadata, parquetSchema } = await import('hyparquet');
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const path = join(ws, 'data/main.parquet');
  const original = readFileSync(path);
  const file = original.buffer.slice(original.byteOffset, original.byteOffset + original.byteLength);
  const metadata = parquetMetadata(file);
  const names = parquetSchema(metadata).children.map((c) => c.element.name);
  const rows = Number(metadata.num_rows);
  const columns = new Map<string, Column>();
  await parquetRead({
    file, metadata,
    onChunk: ({ columnName, columnData, rowStart }) => {
      let col = columns.get(columnName);
      if (!col) columns.set(columnName, (col = columnName === 'seg' ? new Array(rows) : new Float64Array(rows)));
      for (let i = 0; i < columnData.length; i++) col[rowStart + i] = columnData[i];
    },
  });
  const model = treeModel(columns, features);
  // The label: 1 with the model's own probability on the stored rows (an informative label, AUC well above 0.5).
  const rand = makeRng(MODEL_SEED + 1).next;
  const x = features.map((f) => columns.get(f.name) as Float64Array);
  const label = new Int32Array(rows);
  for (let i = 0; i < rows; i++) label[i] = rand() < model.probability((j) => x[j][i]) ? 1 : 0;
  const columnData: { name: string; data: Column | Int32Array; type: 'STRING' | 'DOUBLE' | 'INT32'; nullable: boolean }[] = names.map((name) => ({ name, data: columns.get(name)!, type: name === 'seg' ? 'STRING' : 'DOUBLE', nullable: false }));
  columnData.push({ name: LABEL, data: label, type: 'INT32', nullable: false });
  const bytes = Buffer.from(parquetWriteBuffer({ columnData, rowGroupSize: rows, createdBy: 'featureguard-bench models' }));
  return (snapshotCache = { original, bytes, columns, rows, model, positives: label.reduce((a, b) => a + b, 0) });
}

/**
 * 300 seeded trees of depth 3 or 4 over the 10 features: each split picks a feature and a
 * threshold at the stored value of a random row (so every split divides the data); leaf values
 * in ±0.12 (the sum over 300 trees has a spread of about one logit).
 */
function treeModel(columns: Map<string, Column>, features: MetaFeature[]): TreeModel {
  const num = (name: string) => columns.get(name) as Float64Array;
  const rng = makeRng(MODEL_SEED);
  const rows = num(features[0].name).length;
  const grow = (depth: number): Tree => {
    if (depth === 0) return { value: Math.round(rng.range(-0.12, 0.12) * 1e4) / 1e4 };
    const feature = rng.int(features.length);
    // float32 thresholds: the same number in JS and in the model.
    const threshold = Math.fround(num(features[feature].name)[rng.int(rows)]);
    return { feature, threshold, left: grow(depth - 1), right: grow(depth - 1) };
  };
  const trees: Tree[] = [];
  for (let t = 0; t < TREES; t++) trees.push(grow(rng.chance(0.5) ? 3 : 4));
  const leaf = (t: Tree, x: (j: number) => number): number => ('value' in t ? t.value : leaf(Math.fround(x(t.feature)) <= t.threshold ? t.left : t.right, x));
  return {
    trees,
    probability: (x: (j: number) => number) => {
      let z = 0;
      for (const t of trees) z += leaf(t, x);
      return 1 / (1 + Math.exp(-z));
    },
  };
}

/** featureguard.json with a `models` block and `consumers` naming the model on the features it reads. */
function configWithModel(text: string, name: string, model: unknown, consumers: string[]): string {
  const config = JSON.parse(text);
  config.models = { ...(config.models ?? {}), [name]: model };
  for (const f of consumers) config.features[f].consumers = [...(config.features[f].consumers ?? []), name];
  return JSON.stringify(config, null, 2) + '\n';
}

/**
 * The data and the edit every models figure shares, in `dir`: the snapshot with its label column,
 * the first feature ×1.25. Returns how to undo it (the snapshot's original bytes back).
 */
function applyDataAndEdit(dir: string, snap: LabelledSnapshot, edited: MetaFeature, editFile: (dir: string, file: string, transform: (text: string) => string) => void): () => void {
  const snapshot = join(dir, 'data/main.parquet');
  writeFileSync(snapshot, snap.bytes);
  const { file, exportName } = featureParts(edited);
  editFile(dir, file, (text) => scaledFeatureText(text, exportName, 1.25));
  return () => writeFileSync(snapshot, snap.original);
}

/** Writes the model under `dir`/models and returns its path in the repository; `ctx.defer` removes it. */
function writeModel(ctx: SectionContext, dir: string, fileName: string, bytes: Uint8Array): string {
  const rel = `models/${fileName}`;
  mkdirSync(join(dir, 'models'), { recursive: true });
  writeFileSync(join(dir, rel), bytes);
  ctx.defer(() => rmSync(join(dir, 'models'), { recursive: true, force: true }));
  return rel;
}

// ---------------------------------------------------------------------------------------------
// Measuring

/** One `featureguard check --format json` in `cwd`, whole process; exit 1 expected (error findings). */
async function checkOnce(cwd: string, label: string): Promise<SampledRun & { report: CheckReport }> {
  const r = await runProcessSampled(process.execPath, [CLI, 'check', '--format', 'json'], { cwd });
  if (r.status !== 1) {
    const lines = r.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
    throw new Error(`featureguard check (${label}): exit ${r.status} (expected 1) after ${fmtMs(r.ms)}: ${lines.slice(-3).join(' / ') || r.stdout.slice(0, 300)}`);
  }
  return { ...r, report: JSON.parse(r.stdout) as CheckReport };
}

/** What must hold for the model entry of a report: every row, the edited feature, flips, labelled metrics. */
function modelProblems(report: CheckReport, name: string, edited: MetaFeature, rows: number): string[] {
  const problems: string[] = [];
  const m = report.models?.find((x) => x.name === name);
  if (!m) return [`no models[] entry for ${name} (models: ${JSON.stringify(report.models?.map((x) => x.name) ?? [])})`];
  if (m.error) problems.push(`model error: ${m.error}`);
  if (m.rows !== rows) problems.push(`${m.rows} rows, expected ${rows}`);
  if (JSON.stringify(m.features) !== JSON.stringify([edited.name])) problems.push(`features ${JSON.stringify(m.features)}, expected [${edited.name}]`);
  if (!(m.flipRate > 0)) problems.push(`flip rate ${m.flipRate}, expected > 0 (the edit moves an input of the model)`);
  if (m.metric?.name !== 'auc' || !(m.metric.rows === rows)) problems.push(`metric ${JSON.stringify(m.metric)}, expected AUC on ${rows} labelled rows`);
  const f = report.features.find((x) => x.name === edited.name);
  if (!f?.findings.some((x) => x.check === 'model.prediction-shift')) problems.push(`${edited.name}: no model.prediction-shift finding`);
  return problems;
}

/** The phases of a report (ms), `models` included. */
const phasesOf = (reports: CheckReport[]): Phases => {
  const out: Phases = { durationMs: median(reports.map((r) => r.summary.durationMs)) };
  for (const k of [...PHASES, 'models']) out[k] = median(reports.map((r) => r.summary.timings?.[k] ?? NaN));
  return out;
};

/** onnxruntime-node, loaded in this process (the package the worker loads). */
function ort(): typeof import('onnxruntime-node') {
  return require('onnxruntime-node');
}
const SESSION_OPTIONS: import('onnxruntime-node').InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all', logSeverityLevel: 3 };

/** Row-major [rows, k] float32 from columns (`override(j)` replaces column j). */
function matrix(columns: Map<string, Column>, names: string[], rows: number, override: (j: number) => Float64Array | undefined = () => undefined): Float32Array {
  const k = names.length;
  const out = new Float32Array(rows * k);
  for (let j = 0; j < k; j++) {
    const col = override(j) ?? (columns.get(names[j]) as Float64Array);
    for (let i = 0; i < rows; i++) out[i * k + j] = col[i];
  }
  return out;
}

/**
 * Bare onnxruntime-node on the same model bytes and the same two batches: `reps` timed pairs of
 * `session.run` (stored batch, then target batch) after 2 untimed pairs. Also the session's
 * create time (median of 3 fresh sessions).
 */
async function bareRuns(bytes: Uint8Array, stored: Float32Array, target: Float32Array, rows: number, reps: number) {
  const { InferenceSession, Tensor } = ort();
  const creates: number[] = [];
  let session: import('onnxruntime-node').InferenceSession | undefined;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const s = await InferenceSession.create(bytes, SESSION_OPTIONS);
    creates.push(performance.now() - t0);
    if (session) await session.release();
    session = s;
  }
  if (!session) throw new Error('no session');
  const name = session.inputNames[0];
  const feedsA = { [name]: new Tensor('float32', stored, [rows, N_INPUTS]) };
  const feedsB = { [name]: new Tensor('float32', target, [rows, N_INPUTS]) };
  let outA!: import('onnxruntime-node').InferenceSession.OnnxValueMapType, outB!: import('onnxruntime-node').InferenceSession.OnnxValueMapType;
  for (let i = 0; i < 2; i++) {
    outA = await session.run(feedsA);
    outB = await session.run(feedsB);
  }
  const pairs: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    outA = await session.run(feedsA);
    outB = await session.run(feedsB);
    pairs.push(performance.now() - t0);
  }
  await session.release();
  // Flips between the two batches, to compare with the report's.
  const pa = outA.probabilities.data as Float32Array, pb = outB.probabilities.data as Float32Array;
  let flips = 0;
  for (let i = 0; i < rows; i++) if ((pa[2 * i + 1] > 0.5) !== (pb[2 * i + 1] > 0.5)) flips++;
  return { pairs, creates, flips, storedProbabilities: pa };
}

/** A child process run as `node -e SOURCE` with an IPC channel (advanced serialization, like the model worker). */
function ipcChild(source: string): ChildProcess {
  return spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'advanced', env: { ...process.env, NODE_OPTIONS: '' } });
}
const nextMessage = (child: ChildProcess) => new Promise<unknown>((resolve, reject) => {
  child.once('message', resolve);
  child.once('exit', (code: number | null) => reject(new Error(`child exited (${code})`)));
});

/**
 * Where the model part's time can go outside the runtime's scoring: a model worker's start (node +
 * require('onnxruntime-node'), first message back), and the IPC round trip of the two feed sets
 * and of outputs the size of the real ones (probabilities [N, 2] float32 + label [N] int64, twice),
 * with the worker's serialization. Medians.
 */
async function ipcProfile(stored: Float32Array, target: Float32Array, rows: number, reps = 5) {
  const ortPath = require.resolve('onnxruntime-node');
  const starts: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const child = ipcChild(`require(${JSON.stringify(ortPath)}); process.send(1); process.on('disconnect', () => process.exit(0));`);
    await nextMessage(child);
    starts.push(performance.now() - t0);
    child.disconnect();
  }
  const echo = ipcChild(`
    const rows = ${rows};
    process.on('message', (req) => {
      const out = () => ({ probabilities: { name: 'probabilities', type: 'float32', dims: [rows, 2], data: new Float32Array(rows * 2) }, label: { name: 'label', type: 'int64', dims: [rows], data: new BigInt64Array(rows) } });
      process.send({ id: req.id, ok: true, value: req.feedSets.map(out) });
    });
    process.on('disconnect', () => process.exit(0));`);
  const trips: number[] = [];
  const feedSets = [[{ name: 'float_input', type: 'float32', dims: [rows, N_INPUTS], data: stored }], [{ name: 'float_input', type: 'float32', dims: [rows, N_INPUTS], data: target }]];
  for (let i = 0; i < reps + 1; i++) {
    const t0 = performance.now();
    echo.send({ id: i, op: 'run', key: 'k', feedSets, fetch: ['probabilities', 'label'] });
    await nextMessage(echo);
    if (i > 0) trips.push(performance.now() - t0); // the first: untimed
  }
  echo.disconnect();
  return { startMs: median(starts), ipcMs: median(trips), starts, trips };
}

// ---------------------------------------------------------------------------------------------
// Sections

const SECTIONS: Section[] = [
  {
    id: 'models-trees',
    title: `model part of \`featureguard check\`: a ${TREES}-tree classifier over ${N_INPUTS} features, 100k rows, vs bare InferenceSession.run`,
    async run(ctx) {
      const feats = ctx.meta.features.slice(0, N_INPUTS);
      const edited = feats[0];
      const snap = await snapshotWithLabel(ctx.ws, feats);
      const rows = snap.rows;
      ctx.defer(applyDataAndEdit(ctx.ws, snap, edited, (_dir, file, t) => ctx.editFile(file, t)));
      const { treeClassifier } = await builder();
      const bytes = treeClassifier({ trees: snap.model.trees, nFeatures: N_INPUTS });
      const path = writeModel(ctx, ctx.ws, 'bench_trees.onnx', bytes);
      ctx.editFile('featureguard.json', (text) => configWithModel(text, 'bench_trees', { path, snapshot: 'main', inputs: { float_input: feats.map((f) => f.name) }, label: LABEL }, feats.map((f) => f.name)));
      fillSummaryCache(ctx.ws);
      console.log(`   model: ${TREES} trees (${snap.model.trees.filter((t) => depthOf(t) === 4).length} of depth 4, the others 3), ${(bytes.length / 1024).toFixed(0)} KB; label ${LABEL}: ${snap.positives} of ${rows} positive`);

      const samples = [];
      for (let i = 0; i < minRuns(ctx.opts); i++) samples.push(await checkOnce(ctx.ws, 'trees'));
      const reports = samples.map((s) => s.report);
      const phases = phasesOf(reports);
      const check = ctx.record('models-trees-check', `featureguard check, 1 feature affected, read by a ${TREES}-tree model (10 inputs), ${fmtCount(rows)} rows`, samples, { phases, generic: 'featureguard check, 1 feature read by the 300-tree model' });
      check.cpuMs = median(samples.map((s) => s.cpuMs).filter((x) => x !== undefined));
      check.mainKB = Math.max(...samples.map((s) => s.mainKB));
      check.treeKB = Math.max(...samples.map((s) => s.treeKB));
      const part = ctx.record('models-part', `model part of that check (summary.timings.models: both runs, scores, flips, AUC/accuracy)`, reports.map((r) => ({ ms: r.summary.timings!.models })), { generic: 'model part (timings.models)' });

      const problems = [];
      reports.forEach((r, i) => {
        for (const p of [...checkReportProblems(r, [edited], rows), ...modelProblems(r, 'bench_trees', edited, rows)]) problems.push(`run ${i + 1}: ${p}`);
      });
      const m = reports[0].models?.[0];

      // Bare onnxruntime-node on the same bytes and batches, in this process, after the check runs.
      const names = feats.map((f) => f.name);
      const stored = matrix(snap.columns, names, rows);
      const scaled = Float64Array.from(snap.columns.get(edited.name) as Float64Array, (v) => 1.25 * v);
      const target = matrix(snap.columns, names, rows, (j) => (j === 0 ? scaled : undefined));
      const bare = await bareRuns(bytes, stored, target, rows, Math.max(BARE_REPS, ctx.opts.runs));
      const bareRow = ctx.record('models-bare', `bare onnxruntime-node InferenceSession.run, same model bytes, stored + target batches (${fmtCount(rows)} × ${N_INPUTS} float32), intraOpNumThreads 1, in the bench process`, bare.pairs.map((ms) => ({ ms })), { generic: 'bare InferenceSession.run, both batches' });
      bareRow.best = Math.min(...bare.pairs);
      part.best = Math.min(...reports.map((r) => r.summary.timings!.models));
      part.ratio = `${(part.median / bareRow.best).toFixed(2)}× bare best (best ${(part.best / bareRow.best).toFixed(2)}×)`;
      bareRow.ratio = '1.00× (best of the pairs)';
      if (m && Math.abs(m.flipRate * rows - bare.flips) > Math.max(5, rows * 1e-4)) problems.push(`the report's flips (${Math.round(m.flipRate * rows)}) differ from the bare run's (${bare.flips}) on the same batches`);
      ctx.check('models: 300-tree model check', problems.length === 0,
        `${reports.length} runs: ${m ? `${m.rows} rows, flip rate ${(m.flipRate * 100).toFixed(2)}% (bare run: ${bare.flips} flips), AUC ${m.metric?.before?.toFixed(4)} → ${m.metric?.after?.toFixed(4)}, findings ${[...new Set(reports[0].features[0].findings.map((f) => `${f.check}/${f.severity}`))].join(', ')}` : 'no model entry'}${problems.length ? ' — ' + problems.slice(0, 6).join('; ') : ''}`);

      // Where the rest of the time goes.
      const profile = await ipcProfile(stored, target, rows);
      ctx.state.models = { ...(ctx.state.models ?? {}), trees: { part, bare: bareRow, check, createMs: median(bare.creates), startMs: profile.startMs, ipcMs: profile.ipcMs, bytes: bytes.length, rows, positives: snap.positives } };
      ctx.record('models-worker-start', 'model worker start: node -e + require(\'onnxruntime-node\') → first IPC message (3 runs)', profile.starts.map((ms) => ({ ms })), { generic: 'model worker start' });
      ctx.record('models-session-create', `InferenceSession.create of the ${TREES}-tree model (${(bytes.length / 1024).toFixed(0)} KB), in the bench process (3 runs)`, bare.creates.map((ms) => ({ ms })), { generic: 'session create, 300-tree model' });
      ctx.record('models-ipc', `IPC round trip (advanced serialization): both ${fmtCount(rows)} × ${N_INPUTS} float32 feed sets to a child, outputs of the real size back (5 runs)`, profile.trips.map((ms) => ({ ms })), { generic: 'IPC of the batches and outputs' });
    },
  },
  {
    id: 'models-overhead',
    title: '`featureguard check` of one feature read by a small logistic regression vs the same check without `models`',
    async run(ctx) {
      const feats = ctx.meta.features.slice(0, N_INPUTS);
      const edited = feats[0];
      const inputs = feats.slice(0, 3);
      const snap = await snapshotWithLabel(ctx.ws, feats);
      const rows = snap.rows;
      // The second clone: the same data and edit, no `models` block.
      const bare = join(WORK, `run-${process.pid}-models-nomodel`);
      rmSync(bare, { recursive: true, force: true });
      execFileSync('git', ['clone', '-q', '--local', ctx.ws, bare], { stdio: 'ignore' });
      ctx.defer(() => rmSync(bare, { recursive: true, force: true }));
      const editIn = (dir: string, file: string, transform: (text: string) => string) => {
        if (dir === ctx.ws) return ctx.editFile(file, transform);
        writeFileSync(join(dir, file), transform(readFileSync(join(dir, file), 'utf8')));
      };
      ctx.defer(applyDataAndEdit(ctx.ws, snap, edited, editIn));
      applyDataAndEdit(bare, snap, edited, editIn);
      // z = Σ w_j (x_j − mean_j) / std_j
      const w = [1.0, -0.7, 0.5];
      const stats = inputs.map((f) => {
        const col = snap.columns.get(f.name) as Float64Array;
        let s = 0, s2 = 0;
        for (const v of col) s += v, s2 += v * v;
        const mean = s / col.length;
        return { mean, std: Math.sqrt(Math.max(s2 / col.length - mean * mean, 1e-12)) };
      });
      const { logisticRegression } = await builder();
      const bytes = logisticRegression({ weights: w.map((x, j) => x / stats[j].std), bias: -w.reduce((a, x, j) => a + (x * stats[j].mean) / stats[j].std, 0) });
      const path = writeModel(ctx, ctx.ws, 'bench_lr.onnx', bytes);
      ctx.editFile('featureguard.json', (text) => configWithModel(text, 'bench_lr', { path, snapshot: 'main', inputs: { float_input: inputs.map((f) => f.name) }, label: LABEL }, inputs.map((f) => f.name)));
      fillSummaryCache(ctx.ws);
      fillSummaryCache(bare);
      // Alternated, so both see the same load; one untimed pair first (page cache, disk cache).
      await checkOnce(ctx.ws, 'with model');
      await checkOnce(bare, 'without model');
      const withModel = [], without = [];
      for (let i = 0; i < minRuns(ctx.opts); i++) {
        if (i % 2 === 0) withModel.push(await checkOnce(ctx.ws, 'with model')), without.push(await checkOnce(bare, 'without model'));
        else without.push(await checkOnce(bare, 'without model')), withModel.push(await checkOnce(ctx.ws, 'with model'));
      }
      const rowOf = (id: string, label: string, samples: (SampledRun & { report: CheckReport })[], generic: string) => {
        const row = ctx.record(id, label, samples, { phases: phasesOf(samples.map((s) => s.report)), generic });
        row.cpuMs = median(samples.map((s) => s.cpuMs).filter((x): x is number => x !== undefined));
        row.mainKB = Math.max(...samples.map((s) => s.mainKB));
        row.treeKB = Math.max(...samples.map((s) => s.treeKB));
        return row;
      };
      const a = rowOf('models-check-lr', `featureguard check, 1 feature affected, read by a logistic regression over 3 features (models block, label), ${fmtCount(rows)} rows`, withModel, 'featureguard check, 1 feature, small model');
      const b = rowOf('models-check-none', `featureguard check, the same feature and edit, no models block, ${fmtCount(rows)} rows`, without, 'featureguard check, 1 feature, no models');
      a.ratio = `${(a.median / b.median).toFixed(2)}× without models`;
      b.ratio = '1.00×';
      ctx.state.models = { ...(ctx.state.models ?? {}), overhead: { with: a, without: b } };
      const problems: string[] = [];
      withModel.forEach((s, i) => {
        for (const p of [...checkReportProblems(s.report, [edited], rows), ...modelProblems(s.report, 'bench_lr', edited, rows)]) problems.push(`with model, run ${i + 1}: ${p}`);
      });
      without.forEach((s, i) => {
        for (const p of checkReportProblems(s.report, [edited], rows)) problems.push(`without model, run ${i + 1}: ${p}`);
        if (s.report.models?.length) problems.push(`without model, run ${i + 1}: a models[] entry`);
      });
      const m = withModel[0].report.models?.[0];
      ctx.check('models: small model check vs none', problems.length === 0,
        `${withModel.length} + ${without.length} runs alternated; with: ${m ? `flip rate ${(m.flipRate * 100).toFixed(2)}%, AUC ${m.metric?.before?.toFixed(4)} → ${m.metric?.after?.toFixed(4)}` : 'no model entry'}; without: no models[]${problems.length ? ' — ' + problems.slice(0, 6).join('; ') : ''}`);
    },
  },
];

function depthOf(t: Tree): number {
  return 'value' in t ? 0 : 1 + Math.max(depthOf(t.left), depthOf(t.right));
}

// ---------------------------------------------------------------------------------------------
// Goals and output

const rowOf = (result: WorkspaceResult, id: string) => result.rows.find((x) => x.id === id && !x.skipped);

function goals(result: WorkspaceResult): Goal[] {
  const out = [];
  const part = rowOf(result, 'models-part'), bare = rowOf(result, 'models-bare');
  if (part && bare) {
    out.push({
      goal: `model part of \`check\` (${TREES} trees, ${fmtCount(result.params.rows)} × ${N_INPUTS}, both runs + metrics) ≤ 2× bare \`InferenceSession.run\` of the same two batches`,
      measured: `${(part.median / bare.best).toFixed(2)}× (median ${fmtMs(part.median)} vs bare best ${fmtMs(bare.best)}; bare median ${fmtMs(bare.median)})`,
      met: part.median <= 2 * bare.best,
    });
  }
  const a = rowOf(result, 'models-check-lr'), b = rowOf(result, 'models-check-none');
  if (a && b) out.push({ goal: '`check` of one feature with a small model ≤ 1.2× the same check without `models`', measured: `${(a.median / b.median).toFixed(2)}× (medians ${fmtMs(a.median)} vs ${fmtMs(b.median)})`, met: a.median <= 1.2 * b.median });
  return out;
}

/** Where the model part's time goes, from this run's figures. */
function discussion(result: WorkspaceResult): string[] {
  const part = rowOf(result, 'models-part'), bare = rowOf(result, 'models-bare'), check = rowOf(result, 'models-trees-check');
  const start = rowOf(result, 'models-worker-start'), create = rowOf(result, 'models-session-create'), ipc = rowOf(result, 'models-ipc');
  const a = rowOf(result, 'models-check-lr'), b = rowOf(result, 'models-check-none');
  const out = [];
  if (part && bare && ipc) {
    const rest = part.median - bare.best - ipc.median;
    out.push(
      `Where the model part's time goes (${TREES}-tree model). Scoring both batches in ONNX Runtime takes ${fmtMs(bare.best)} (bare, best;`,
      `median ${fmtMs(bare.median)}); carrying both ${fmtCount(result.params.rows)} × ${N_INPUTS} float32 batches to the worker and the outputs back over IPC ${fmtMs(ipc.median)};`,
      `the rest of the model part's median ${fmtMs(part.median)}, ${fmtMs(Math.max(rest, 0))}, is in the CLI's thread: the wait for the stored columns the feature`,
      `check did not read (the other ${N_INPUTS - 1} inputs and the label; read ahead while the feature runs, so only what is left of that read), building`,
      `the two input tensors, then scores, flips, AUC and accuracy and the histogram over ${fmtCount(result.params.rows)} rows, each loop run once`,
      'in a fresh process (before V8 optimizes it). The worker\'s start',
      `(${start ? fmtMs(start.median) : '?'}: node + onnxruntime-node) and the session's create (${create ? fmtMs(create.median) : '?'}) happen while the CLI computes the impact`,
      `and while the feature runs (the worker is started, the model opened, ahead) and are not in the model part.${check ? ` The whole check: ${fmtMs(check.median)} (phases in the table above).` : ''}`,
      'Engine changes that came out of profiling this section: the AUC is computed from two radix-sorted typed arrays (it sorted',
      'row indices with a comparator: ~50 ms per 100k rows, twice per model); the columns a model\'s config names (inputs, label)',
      'are read while the features run instead of after them (before: ~20–100 ms of reads inside the model part); the model worker',
      'starts while the CLI computes the impact (one core is idle then); float tensors are written directly.',
    );
  }
  if (a && b) {
    out.push(
      '',
      `A small model's cost in a one-feature check: ${fmtMs(a.median - b.median)} of wall time (${(a.median / b.median).toFixed(2)}×), ${a.cpuMs && b.cpuMs ? `${fmtMs(a.cpuMs - b.cpuMs)} more CPU (CLI + workers: ${fmtMs(a.cpuMs)} vs ${fmtMs(b.cpuMs)}); ` : ''}model part ${fmtMs(a.phases!.models)}.`,
      'What is left is CPU on two busy cores: a third Node process (~60 ms: Node itself, ONNX Runtime, the worker source), the',
      'model part in the CLI\'s thread, and the model\'s other stored columns and label (read while the features run); the',
      'feature workers and the impact slow down by about as much as that CPU adds. Earlier runs on this machine, before the',
      'last three engine changes, gave 1.21–1.24× when quiet and 1.12× at load ~4: near 1.2× the goal is met at its edge, not with room.',
    );
  }
  return out;
}

function phaseTable(result: WorkspaceResult): string {
  const rows = result.rows.filter((r) => r.phases);
  if (!rows.length) return '';
  const keys = [...PHASES, 'models'];
  const out = [
    `| figure | process wall | durationMs | ${keys.join(' | ')} | CPU, CLI + workers | CLI process peak RSS | CLI + workers, summed peak |`,
    `| --- | ---: | ---: | ${keys.map(() => '---:').join(' | ')} | ---: | ---: | ---: |`,
  ];
  const mb = (kb: number | undefined) => (kb ? fmtMB(kb) : '—');
  for (const r of rows) out.push(`| ${r.figure} | ${fmtMs(r.median)} | ${fmtMs(r.phases!.durationMs)} | ${keys.map((k) => (Number.isFinite(r.phases![k]) ? `${Math.round(r.phases![k])} ms` : '—')).join(' | ')} | ${r.cpuMs !== undefined ? fmtMs(r.cpuMs) : '—'} | ${mb(r.mainKB)} | ${mb(r.treeKB)} |`);
  return out.join('\n');
}

const METHOD = [
  `- **models** (\`bench/families/models.ts\`, \`--only models\`): the default TypeScript workspace (its private clone), \`sampleRows\` = 100k, so`,
  `  every model run scores all 100k rows. The snapshot is rewritten with a \`${LABEL}\` column (0/1, drawn seeded from the tree`,
  `  model's probability on the stored rows) so the metrics are computed; the first feature's body is scaled ×1.25. **Tree model**:`,
  `  \`scripts/onnxBuilder.mjs\`'s \`treeClassifier\`, ${TREES} trees of depth 3 or 4, each split on one of the first ${N_INPUTS} features at the`,
  `  stored value of a random row (seed ${MODEL_SEED}), one [N, ${N_INPUTS}] input bound by a list, the ${N_INPUTS} features' \`consumers\` naming it.`,
  '  **model part** is the report\'s `summary.timings.models` (ms, engine/runCheck.ts: from the end of the feature checks to the',
  '  model reports: the wait for the preloaded session, the stored columns, the tensors, both runs in the worker, scores, flips,',
  '  AUC/accuracy, histogram) of whole `featureguard check` processes. **bare**: onnxruntime-node loaded in the bench process,',
  '  `InferenceSession.create` on the same bytes with the worker\'s options (intraOpNumThreads 1, interOpNumThreads 1,',
  '  graphOptimizationLevel all), the same stored and target 100k × 10 float32 batches (target: the edited column ×1.25), timed',
  '  pairs of `run` (both batches, all outputs) after 2 untimed pairs; the goal compares the model part\'s median with the bare',
  '  pairs\' best. **Worker start**, **session create** and **IPC** are measured on their own (a child process with the worker\'s',
  '  IPC serialization echoing outputs of the real size). **Small model**: a logistic regression over the edited feature and two',
  '  others (same label); the check without `models` runs in a second clone with the same data and edit, the runs alternated.',
];

function readmeSubsection(result: WorkspaceResult, m: Machine, date: string, resultsFile: string, { readmeTable, goalsTable, loadAtStart }: ReadmeHelpers): string {
  const phases = phaseTable(result);
  return [
    '### Models',
    '',
    `\`npm run bench -- --only models\` adds a ${TREES}-tree classifier (depth 3–4, ${N_INPUTS} of the default workspace's features as one [N, ${N_INPUTS}]`,
    `input, a seeded label column in the snapshot) and times the model part of \`featureguard check\` on all ${fmtCount(result.params.rows)} rows against bare`,
    'onnxruntime-node `InferenceSession.run` of the same two batches, then a one-feature check with a small logistic regression',
    `against the same check without \`models\`. Latest run, ${date}, ${m.nproc} shared cores (${m.cpu}), load average ${loadAtStart.split(' ')[0]} at the start and`,
    `${result.loadEnd} at the end (method and all figures: \`${resultsFile}\`):`,
    '',
    readmeTable(result),
    '',
    ...(phases ? ['Phases of `featureguard check` (the report\'s `summary.timings`, median of the runs):', '', phases, ''] : []),
    goalsTable(result),
    '',
    ...discussion(result),
    '',
  ].join('\n');
}

export const MODELS_WORKSPACE: Family = {
  /** The default TypeScript workspace (bench/work/ws-…), reused. */
  ...DEFAULT_TS_WORKSPACE,
  sections: SECTIONS,
  ratioOf: (r) => r.ratio,
  goals,
  goalsTitle: 'Goals (issue 12, models):',
  discussion,
  phaseTable,
  method: METHOD,
  readmeHeading: '### Models',
  readmeSubsection,
};
