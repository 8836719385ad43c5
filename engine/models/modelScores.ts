/**
 * What a model's outputs say, as numbers the report compares (SPEC §10): which output is read, the
 * predicted class and score per row, flips and deltas between two runs, and the labelled metrics
 * (AUC and accuracy for classifiers, RMSE for regressors). Pure functions over typed arrays.
 */
import type { ModelConfig } from '../config/configTypes';
import { sortedCopy } from '../stats/sortNumbers';
import type { ModelInfo, ModelOutputInfo, WireTensor } from './modelProtocol';

export type ModelTask = 'classifier' | 'regressor';

export interface OutputChoice {
  output: ModelOutputInfo;
  task: ModelTask;
  /** A classifier's own `label` output, read on the stored run to compare with its probabilities. */
  labelOutput?: ModelOutputInfo;
}

/** The output the comparison reads: the configured one, else a classifier's probabilities, else the first. */
export function chooseOutput(model: ModelConfig, info: ModelInfo): OutputChoice | string {
  const list = info.outputs.map((o) => `${o.zipmapOf ?? o.name}${o.isTensor ? '' : ' (not a tensor)'}`).join(', ');
  let output: ModelOutputInfo | undefined;
  if (model.output !== undefined) {
    output = info.outputs.find((o) => o.name === model.output || o.zipmapOf === model.output);
    if (!output) return `models.${model.name}.output names "${model.output}", which is not an output of the model (its outputs: ${list})`;
  } else {
    output = info.outputs.find((o) => o.isTensor && o.probabilities) ?? info.outputs.find((o) => o.isTensor);
  }
  if (!output || !output.isTensor) {
    return `output "${output?.name ?? info.outputs[0]?.name}" is not a tensor (a sequence or map, which ONNX Runtime for Node cannot return): export the model with plain tensor outputs (skl2onnx: options={"zipmap": False}) or name a tensor output in models.${model.name}.output (its outputs: ${list})`;
  }
  if (output.type === 'string') return `output "${output.name}" holds strings: name the probabilities or score output in models.${model.name}.output (its outputs: ${list})`;
  const task: ModelTask = output.probabilities ? 'classifier' : 'regressor';
  // The classifier's own label: made by the same operator as its probabilities (skl2onnx), or an
  // int64/string output named like one (a model exported with its own decision threshold).
  const isLabel = (o: ModelOutputInfo) => o !== output && o.isTensor && (o.type === 'int64' || o.type === 'string');
  const labelOutput = task === 'classifier' ? info.outputs.find((o) => isLabel(o) && o.producer === output.producer) ?? info.outputs.find((o) => isLabel(o) && /label|class/i.test(o.name)) : undefined;
  return { output, task, ...(labelOutput ? { labelOutput } : {}) };
}

/** Per row: the score compared (a classifier's probability, a regressor's value) and a classifier's class. */
export interface Scores {
  score: Float64Array;
  /** The predicted class index (classifiers). */
  classes?: Int32Array;
  /** Number of classes (classifiers). */
  classCount?: number;
}

/**
 * Reads a run's output. A classifier with one column (a sigmoid) predicts class 1 when p > 0.5;
 * with C columns, the most probable class; its score is p(class 1) for two classes, and for more
 * the probability of the class `reference` gives (the class predicted on the stored run).
 */
export function scoresOf(t: WireTensor, task: ModelTask, rows: number, reference?: Int32Array): Scores {
  const data = t.data as ArrayLike<number | bigint>;
  const width = t.dims.length >= 2 ? t.dims.slice(1).reduce((a, b) => a * b, 1) : 1;
  const at = (i: number, j: number) => Number(data[i * width + j]);
  const score = new Float64Array(rows);
  if (task === 'regressor') {
    for (let i = 0; i < rows; i++) score[i] = at(i, 0);
    return { score };
  }
  const classes = new Int32Array(rows);
  if (width === 1) {
    for (let i = 0; i < rows; i++) {
      score[i] = at(i, 0);
      classes[i] = score[i] > 0.5 ? 1 : 0;
    }
    return { score, classes, classCount: 2 };
  }
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let j = 1; j < width; j++) if (at(i, j) > at(i, best)) best = j;
    classes[i] = best;
    score[i] = width === 2 ? at(i, 1) : at(i, reference ? reference[i] : best);
  }
  return { score, classes, classCount: width };
}

export interface Shift {
  /** Rows compared. */
  rows: number;
  /** Rows whose class changed (classifiers) or whose score moved by more than 10% of its std (regressors). */
  shifted: number;
  meanAbsDelta: number;
  maxAbsDelta: number;
}

/** How the predictions moved from `before` to `after`; rows where either score is NaN count as moved when only one is. */
export function compareScores(before: Scores, after: Scores, task: ModelTask): Shift {
  const n = before.score.length;
  let shifted = 0;
  let sumAbs = 0;
  let maxAbs = 0;
  let counted = 0;
  const band = task === 'regressor' ? 0.1 * std(before.score) : 0;
  for (let i = 0; i < n; i++) {
    const a = before.score[i];
    const b = after.score[i];
    const d = Math.abs(b - a);
    if (Number.isNaN(a) !== Number.isNaN(b)) shifted++;
    else if (task === 'classifier' ? before.classes![i] !== after.classes![i] : d > band) shifted++;
    if (Number.isFinite(d)) {
      sumAbs += d;
      counted++;
      if (d > maxAbs) maxAbs = d;
    }
  }
  return { rows: n, shifted, meanAbsDelta: counted ? sumAbs / counted : 0, maxAbsDelta: maxAbs };
}

function std(x: Float64Array): number {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  for (const v of x) {
    if (!Number.isFinite(v)) continue;
    n++;
    const d = v - mean;
    mean += d / n;
    m2 += d * (v - mean);
  }
  return n > 1 ? Math.sqrt(m2 / n) : 0;
}

/**
 * The true class index of each row from a label column: matched against the classifier's class
 * labels when it has them (booleans as 1 and 0), else integers as class indices; -1 when unknown.
 */
export function truthClasses(labels: readonly unknown[], classLabels: readonly (string | number)[] | undefined, classCount: number): Int32Array {
  const index = new Map((classLabels ?? []).map((l, i) => [String(l), i]));
  const out = new Int32Array(labels.length).fill(-1);
  // Numbers against numeric class labels (the usual 0/1 column): compared as numbers, the same
  // match as by their text (String is one-to-one on finite numbers, and -0 is "0" as 0 is), without
  // making a string per row.
  const numeric = classLabels?.every((l) => typeof l === 'number' && Number.isFinite(l)) ? new Map(classLabels.map((l, i) => [l as number, i])) : undefined;
  labels.forEach((v, i) => {
    if (numeric && typeof v === 'number') {
      const at = numeric.get(v);
      if (at !== undefined) out[i] = at;
      return;
    }
    if (v === null || v === undefined) return;
    const key = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
    if (classLabels) {
      const at = index.get(key) ?? (typeof v === 'boolean' ? index.get(String(v)) : undefined);
      if (at !== undefined) out[i] = at;
      return;
    }
    const n = Number(key);
    if (Number.isInteger(n) && n >= 0 && n < classCount) out[i] = n;
  });
  return out;
}

export interface MetricValue {
  name: 'auc' | 'accuracy' | 'rmse';
  before: number;
  after: number;
  /** Labelled rows the metric was computed on. */
  rows: number;
}

/** The labelled metrics of both runs: AUC (two classes) and accuracy for classifiers, RMSE for regressors. */
export function labelledMetrics(before: Scores, after: Scores, task: ModelTask, labels: readonly unknown[], classLabels?: readonly (string | number)[]): MetricValue[] {
  if (task === 'regressor') {
    const truth = labels.map((v) => (typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : NaN));
    const rows = truth.filter((t, i) => Number.isFinite(t) && Number.isFinite(before.score[i]) && Number.isFinite(after.score[i])).length;
    return rows ? [{ name: 'rmse', before: rmse(before.score, truth), after: rmse(after.score, truth), rows }] : [];
  }
  const truth = truthClasses(labels, classLabels, before.classCount ?? 2);
  const labelled = truth.filter((t) => t >= 0).length;
  if (!labelled) return [];
  const out: MetricValue[] = [];
  if ((before.classCount ?? 2) === 2) {
    const a = auc(before.score, truth);
    const b = auc(after.score, truth);
    if (a !== undefined && b !== undefined) out.push({ name: 'auc', before: a, after: b, rows: labelled });
  }
  out.push({ name: 'accuracy', before: accuracy(before.classes!, truth), after: accuracy(after.classes!, truth), rows: labelled });
  return out;
}

function rmse(pred: Float64Array, truth: number[]): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < pred.length; i++) {
    if (!Number.isFinite(truth[i]) || !Number.isFinite(pred[i])) continue;
    sum += (pred[i] - truth[i]) ** 2;
    n++;
  }
  return Math.sqrt(sum / n);
}

function accuracy(pred: Int32Array, truth: Int32Array): number {
  let right = 0;
  let n = 0;
  for (let i = 0; i < pred.length; i++) {
    if (truth[i] < 0) continue;
    n++;
    if (pred[i] === truth[i]) right++;
  }
  return right / n;
}

/**
 * The area under the ROC curve of `score` for class 1 against the other labelled rows (rank
 * statistic, ties counted half); undefined when only one class is labelled. NaN scores rank lowest.
 */
export function auc(score: Float64Array, truth: Int32Array): number | undefined {
  // The Mann-Whitney U of the positives over the negatives: for each positive, the negatives below
  // it plus half the negatives equal to it; the same number as the rank-sum formula, computed on two
  // typed arrays radix-sorted (a comparator sort of row indices took ~50 ms per 100k rows).
  let pos = 0;
  let neg = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === 1) pos++;
  else if (truth[i] >= 0) neg++;
  if (pos === 0 || neg === 0) return undefined;
  const p = new Float64Array(pos);
  const n = new Float64Array(neg);
  for (let i = 0, a = 0, b = 0; i < truth.length; i++) {
    if (truth[i] < 0) continue;
    const v = Number.isNaN(score[i]) ? -Infinity : score[i];
    if (truth[i] === 1) p[a++] = v;
    else n[b++] = v;
  }
  const ps = sortedCopy(p);
  const ns = sortedCopy(n);
  let u = 0;
  let below = 0;
  for (let i = 0; i < pos; ) {
    const v = ps[i];
    let same = 1;
    while (i + same < pos && ps[i + same] === v) same++;
    while (below < neg && ns[below] < v) below++;
    let equal = 0;
    while (below + equal < neg && ns[below + equal] === v) equal++;
    u += same * (below + equal / 2);
    i += same;
  }
  return u / (pos * neg);
}

/** Rows where a classifier's own label output names another class than its probabilities. */
export function labelDisagreements(labelOutput: WireTensor, classes: Int32Array, classLabels: readonly (string | number)[] | undefined): number {
  const data = labelOutput.data as ArrayLike<unknown>;
  let n = 0;
  for (let i = 0; i < classes.length; i++) {
    const predicted = classLabels ? classLabels[classes[i]] : classes[i];
    if (String(typeof data[i] === 'bigint' ? Number(data[i]) : data[i]) !== String(predicted)) n++;
  }
  return n;
}

/** Score distributions of both runs on 20 shared equal-width bins. */
export function scoreHistogram(before: Float64Array, after: Float64Array, task: ModelTask): { edges: number[]; before: number[]; after: number[] } {
  let lo = task === 'classifier' ? 0 : Infinity;
  let hi = task === 'classifier' ? 1 : -Infinity;
  // Indexed loops: this runs once per model in a fresh CLI process, before V8 optimizes anything.
  for (const x of [before, after]) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (v - v !== 0) continue; // NaN or ±Infinity
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (!Number.isFinite(lo)) (lo = 0, (hi = 1));
  if (hi === lo) hi = lo + 1;
  const bins = 20;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
  const scale = bins / (hi - lo);
  const count = (x: Float64Array) => {
    const c = new Array<number>(bins).fill(0);
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (v >= lo && v <= hi) c[Math.min(bins - 1, Math.floor((v - lo) * scale))]++;
    }
    return c;
  };
  return { edges, before: count(before), after: count(after) };
}
