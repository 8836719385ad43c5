/**
 * A small feature repository with real ONNX models for the model tests (SPEC §10): twelve rows,
 * hand-checkable, in a Parquet snapshot read whole (`sampleRows: 0`), TypeScript row features
 * whose stored columns are what the committed code computes, and models written by
 * scripts/onnxBuilder.mjs. The expected figures are computed here from the models' own formulas.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { makeRepo, runJson, writeFiles, type Files } from '../helpers';
import { parquetBytes, type SnapshotRows } from '../e2e/snapshotFiles';
import type { Tree } from '../../scripts/onnxBuilder.mjs';

export const FILE = 'src/features/model.ts';

export const featureCode = `type Row = { a: number; b: number; plan: string; spend: number; o: number };
export function featA(row: Row) { return row.a; }
export function featB(row: Row) { return row.b; }
export function planOf(row: Row) { return row.plan; }
export function spendOf(row: Row) { return row.spend; }
export function other(row: Row) { return row.o; }
`;

/** Where each feature function is declared (1-based line and column of its name). */
export const LOCATION = {
  fa: { file: FILE, line: 2, column: 17 },
  plan_f: { file: FILE, line: 4, column: 17 },
  other: { file: FILE, line: 6, column: 17 },
};

export const A = [-2.5, -1.5, -0.7, -0.2, 0.3, 0.8, 1.2, 1.7, 2.4, 3.1, -3.3, 0.6];
export const B = [1, 0, 2, -1, 0.5, -2, 1, 0, -1, 2, 0, 1];
/** A raw column (no feature stores it), bound into one model by name. */
export const C = [0, 1, 1, 0, 1, 0, 0, 1, 0, 1, 1, 0];
/** The true class. */
export const Y = [0, 0, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0];
/** A regression target. */
export const T = [-1, -2, 0.5, -3, 2, 1, 4, 1, 0, 3, -2, 3];
export const PLAN = ['basic', 'pro', 'team', 'pro', 'basic', 'pro', 'team', 'basic', 'pro', 'basic', 'team', 'pro'];
export const SPEND = [10, 20, 5, 40, 80, 15, 60, 30, 27, 72, 12, 50];
export const O = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

/** The edit the model tests make to `fa`: negative values become positive. */
export const EDIT_A: [string, string] = ['return row.a; }', 'return Math.abs(row.a); }'];
export const A_AFTER = A.map(Math.abs);

/** The snapshot: the raw columns and the features' stored columns. */
export function snapshotRows(): SnapshotRows {
  return A.map((a, i) => ({
    a,
    b: B[i],
    c: C[i],
    o: O[i],
    plan: PLAN[i],
    spend: SPEND[i],
    y: Y[i],
    yb: Y[i] === 1,
    t: T[i],
    fa: a,
    fb: B[i],
    plan_f: PLAN[i],
    spend_f: SPEND[i],
    other: O[i],
  }));
}

export interface ModelFile {
  /** The file's bytes; null for a file that is not there. */
  bytes: Uint8Array | Buffer | null;
  /** The `models` entry, without `path`. */
  config?: Record<string, unknown>;
}

export interface RepoOptions {
  /** Each feature's `consumers`; default none. */
  consumers?: Partial<Record<'fa' | 'fb' | 'plan_f' | 'spend_f' | 'other', string[]>>;
  /** More top-level config (`thresholds`, `timeoutMs`). */
  extra?: Record<string, unknown>;
  rows?: SnapshotRows;
  /** Write model files after the commit, untracked (a 200 MB file need not go through git). */
  untrackedModels?: boolean;
}

/** A committed repository with the models at `models/<name>.onnx`. */
export function modelRepo(models: Record<string, ModelFile>, options: RepoOptions = {}): string {
  const consumers = options.consumers ?? {};
  const f = (fn: string, column: string) => ({ source: `${FILE}#${fn}`, snapshot: 's', column, consumers: consumers[column as keyof typeof consumers] ?? [] });
  const config = {
    snapshots: { s: { path: 'data/s.parquet', sampleRows: 0 } },
    defaultSnapshot: 's',
    features: { fa: f('featA', 'fa'), fb: f('featB', 'fb'), plan_f: f('planOf', 'plan_f'), spend_f: f('spendOf', 'spend_f'), other: f('other', 'other') },
    models: Object.fromEntries(Object.entries(models).map(([name, m]) => [name, { path: `models/${name}.onnx`, ...m.config }])),
    timeoutMs: 5000,
    ...options.extra,
  };
  const files: Files = {
    [FILE]: featureCode,
    'data/s.parquet': Buffer.from(parquetBytes(options.rows ?? snapshotRows())),
    'featureguard.json': JSON.stringify(config, null, 2),
  };
  const modelFiles: Files = {};
  for (const [name, m] of Object.entries(models)) if (m.bytes) modelFiles[`models/${name}.onnx`] = Buffer.from(m.bytes);
  const root = makeRepo(options.untrackedModels ? files : { ...files, ...modelFiles });
  if (options.untrackedModels) writeFiles(root, modelFiles);
  return root;
}

export function edit(root: string, [from, to]: [string, string], file = FILE): void {
  const path = `${root}/${file}`;
  const text = readFileSync(path, 'utf8');
  assert.ok(text.includes(from), `fixture edit: "${from}" not in ${file}`);
  writeFiles(root, { [file]: text.replace(from, to) });
}

/** Runs `featureguard check --format json`; indexes the features and their findings. */
export function check(root: string) {
  const { code, report, stderr } = runJson(root, ['check']);
  const byName: Record<string, any> = Object.fromEntries(report.features.map((f: any) => [f.name, f]));
  const modelByName: Record<string, any> = Object.fromEntries((report.models ?? []).map((m: any) => [m.name, m]));
  const findings = (feature: string, check?: string) => byName[feature].findings.filter((x: any) => !check || x.check === check);
  return { code, report, stderr, byName, modelByName, findings };
}

// ---- The models' formulas, evaluated independently of ONNX Runtime ----

export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export function evalTree(t: Tree, x: number[]): number {
  return 'value' in t ? t.value : evalTree(x[t.feature] <= t.threshold ? t.left : t.right, x);
}

export function evalTrees(trees: Tree[], x: number[]): number {
  return trees.reduce((s, t) => s + evalTree(t, x), 0);
}

/** AUC as the share of (positive, negative) pairs ranked right, ties half: O(n²), no sorting. */
export function pairwiseAuc(score: readonly number[], truth: readonly number[]): number {
  let pairs = 0;
  let won = 0;
  for (let i = 0; i < score.length; i++) {
    for (let j = 0; j < score.length; j++) {
      if (truth[i] !== 1 || truth[j] !== 0) continue;
      pairs++;
      won += score[i] > score[j] ? 1 : score[i] === score[j] ? 0.5 : 0;
    }
  }
  return won / pairs;
}

export function populationStd(x: readonly number[]): number {
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  return Math.sqrt(x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length);
}

export function meanAbs(a: readonly number[], b: readonly number[]): { mean: number; max: number } {
  const d = a.map((v, i) => Math.abs(b[i] - v));
  return { mean: d.reduce((s, v) => s + v, 0) / d.length, max: Math.max(...d) };
}

export function count(n: number, pred: (i: number) => boolean): number {
  let c = 0;
  for (let i = 0; i < n; i++) if (pred(i)) c++;
  return c;
}

/** Float32 rounding, as the models read float inputs and thresholds. */
export const f32 = (x: number) => Math.fround(x);
