/**
 * What an edit does to the models that read the affected features (SPEC §10). For every model
 * consuming a feature whose values changed, the model runs twice on the snapshot's sampled rows:
 * (a) every input as stored, (b) the affected features replaced by their target values. The
 * report gets one `models[]` entry per model; the findings (`model.prediction-shift`,
 * `model.metric-drop`, `model.input`) stand on each affected feature the model reads.
 */
import type { Config, FeatureConfig, ModelConfig } from '../config/configTypes';
import { grade, type Thresholds } from '../checks/thresholds';
import type { SnapshotLoader } from '../data/snapshotLoader';
import { CancelledError } from '../errors';
import type { Finding, Location } from '../findings';
import { acknowledge } from '../verdict/checkFeature';
import type { ModelReport } from '../report/reportTypes';
import { bindInputs, inputTensor, type BoundColumn } from './bindInputs';
import { ModelFailure, type ModelHost, type ModelLimits } from './modelHost';
import type { WireTensor } from './modelProtocol';
import { chooseOutput, compareScores, labelDisagreements, labelledMetrics, scoreHistogram, scoresOf, type MetricValue } from './modelScores';
import { pct } from '../report/renderText';
import { fixed, metricName, metricText, modelLine } from './modelLine';

/** An affected feature as the model check sees it. */
export interface ChangedFeature {
  feature: FeatureConfig;
  /** Its target values on its snapshot's sampled rows; undefined when it was not run (identical, not checked). */
  target?: readonly unknown[];
  location?: Location;
  /** Where the model findings go. */
  findings: Finding[];
}

export interface ModelCheckInput {
  config: Config;
  snapshots: SnapshotLoader;
  host: ModelHost;
  limits: ModelLimits;
  thresholds: Thresholds;
  signal?: AbortSignal;
}

/** The models the given features reach: by `consumers`, or bound as an input by name. */
export function modelsReached<F extends { feature: { name: string; consumers: readonly string[] } }>(config: Pick<Config, 'models'>, features: readonly F[]): Map<ModelConfig, F[]> {
  const out = new Map<ModelConfig, F[]>();
  for (const model of config.models.values()) {
    const bound = new Set([...model.inputs.values()].flat());
    const linked = features.filter((c) => c.feature.consumers.includes(model.name) || bound.has(c.feature.name));
    if (linked.length) out.set(model, linked);
  }
  return out;
}

/** Opens the models the changed features reach, so loading overlaps the feature runs. Failures wait for `checkModels`. */
export function preloadModels(input: ModelCheckInput, reached: Map<ModelConfig, readonly { feature: FeatureConfig }[]>): void {
  for (const m of reached.keys()) input.host.load(m.absPath, displayOf(input.config, m), input.limits, input.signal).catch(() => undefined);
}

/**
 * Reads the snapshot columns the reached models' config names (inputs bound by name or list, the
 * label) into the snapshot loader's store while the features run: the engine's thread mostly waits
 * for the workers then. Called once the feature batches have taken their columns (a read queued
 * before theirs would delay them). The changed features' own columns are left to their checks.
 */
export function prereadModelColumns(input: ModelCheckInput, reached: Map<ModelConfig, readonly { feature: FeatureConfig }[]>): void {
  const { config, snapshots } = input;
  for (const [m, linked] of reached) {
    if (!m.snapshot) continue;
    const own = new Set(linked.map((c) => c.feature.column));
    const columns = new Set<string>();
    for (const name of [...[...m.inputs.values()].flat(), ...(m.label ? [m.label] : [])]) {
      const feature = config.features.get(name);
      const column = feature && feature.snapshot === m.snapshot ? feature.column : name;
      if (!own.has(column)) columns.add(column);
    }
    if (columns.size) snapshots.load(config, m.snapshot, [...columns]).catch(() => undefined);
  }
}

export async function checkModels(input: ModelCheckInput, changed: readonly ChangedFeature[], warnings: string[]): Promise<ModelReport[]> {
  const reports: ModelReport[] = [];
  // Only features with new values: an identical or unchecked one moves no prediction.
  for (const [model, linked] of modelsReached(input.config, changed.filter((c) => c.target))) {
    reports.push(await checkModel(input, model, linked, warnings));
  }
  return reports;
}

async function checkModel(input: ModelCheckInput, model: ModelConfig, linked: ChangedFeature[], warnings: string[]): Promise<ModelReport> {
  const { config, snapshots } = input;
  const base = { name: model.name, path: displayOf(config, model), features: linked.map((c) => c.feature.name) };
  const fail = (message: string): ModelReport => {
    const text = `${model.name}: ${message}`;
    for (const c of linked) c.findings.push(...acknowledge([{ check: 'model.input', severity: 'error', message: text, ...(c.location ? { location: c.location } : {}) }], config.acknowledged.get(c.feature.name)));
    return { ...base, rows: 0, error: message, summary: text };
  };
  if (!model.snapshot) return fail('no snapshot to run on (set models.' + model.name + '.snapshot or defaultSnapshot)');
  try {
    const { key, info } = await input.host.load(model.absPath, base.path, input.limits, input.signal);
    const choice = chooseOutput(model, info);
    if (typeof choice === 'string') return fail(choice);
    const fileColumns = await snapshots.fileColumns(config, model.snapshot);
    const bound = bindInputs(model, info, config, fileColumns);
    if (typeof bound === 'string') return fail(bound);
    if (model.label && !fileColumns.includes(model.label)) return fail(`models.${model.name}.label names "${model.label}", which is not a column of snapshot "${model.snapshot}"`);
    // The features whose target values replace their stored column.
    const replaced = new Map<string, ChangedFeature>();
    for (const b of bound) for (const col of b.columns) {
      // By name: the run's features may be copies of the config's (a Python feature's detected kind).
      const c = col.feature && linked.find((l) => l.feature.name === col.feature!.name);
      if (c) replaced.set(col.column, c);
    }
    for (const c of linked) {
      if ([...replaced.values()].includes(c)) continue;
      const why = c.feature.snapshot !== model.snapshot ? `it is checked on snapshot "${c.feature.snapshot}" and the model reads "${model.snapshot}"` : 'no input of the model is bound to it';
      warnings.push(`features.${c.feature.name}.consumers names model ${model.name}, but ${why}: the model runs without its new values`);
    }
    if (replaced.size === 0) return { ...base, features: [], rows: 0, summary: `${model.name}: no input reads the changed features` };
    // The model's columns are read once and kept with the snapshot (the editor's next run reuses them).
    const wanted = [...new Set([...bound.flatMap((b) => b.columns.map((c) => c.column)), ...(model.label ? [model.label] : [])])];
    const loaded = await snapshots.load(config, model.snapshot, wanted);
    const stored = new Map<string, readonly unknown[]>(wanted.map((c) => [c, loaded.column(c)?.values ?? []]));
    const rows = loaded.rows.length;
    for (const c of replaced.values()) {
      if (c.target!.length !== rows) return fail(`the new values of ${c.feature.name} cover ${c.target!.length} rows, the model's sample ${rows}`);
    }
    const feeds = (withTarget: boolean): WireTensor[] | string => {
      const out: WireTensor[] = [];
      for (const b of bound) {
        const t = inputTensor(b, rows, (col: BoundColumn) => (withTarget && replaced.has(col.column) ? replaced.get(col.column)!.target! : stored.get(col.column)!));
        if (typeof t === 'string') return t;
        out.push(t);
      }
      return out;
    };
    const before = feeds(false);
    if (typeof before === 'string') return fail(before);
    const after = feeds(true);
    if (typeof after === 'string') return fail(after);
    const fetch = [choice.output.name, ...(choice.labelOutput ? [choice.labelOutput.name] : [])];
    const [a, b] = await input.host.run(key, [before, after], fetch, input.limits, input.signal);
    const sa = scoresOf(a[choice.output.name], choice.task, rows);
    const sb = scoresOf(b[choice.output.name], choice.task, rows, sa.classes);
    const shift = compareScores(sa, sb, choice.task);
    const labels = model.label ? stored.get(model.label) : undefined;
    const metrics = labels ? labelledMetrics(sa, sb, choice.task, labels, info.classLabels) : [];
    const disagree = choice.labelOutput && sa.classes ? labelDisagreements(a[choice.labelOutput.name], sa.classes, info.classLabels) : 0;
    if (disagree) {
      warnings.push(`${model.name}: its "${choice.labelOutput!.name}" output disagrees with its "${choice.output.zipmapOf ?? choice.output.name}" probabilities on ${disagree} of ${rows} stored rows; FeatureGuard reads the probabilities`);
    }
    const report: ModelReport = {
      ...base,
      features: [...new Set([...replaced.values()].map((c) => c.feature.name))],
      rows,
      task: choice.task,
      output: choice.output.zipmapOf ?? choice.output.name,
      flipRate: rows ? shift.shifted / rows : 0,
      meanAbsDelta: shift.meanAbsDelta,
      maxAbsDelta: shift.maxAbsDelta,
      ...(metrics.length ? { metric: metrics[0], metrics } : {}),
      ...(disagree ? { labelDisagreements: disagree } : {}),
      histogram: scoreHistogram(sa.score, sb.score, choice.task),
      summary: '',
    };
    report.summary = modelLine(report);
    addFindings(input, model, report, shift.shifted, metrics, [...new Set(replaced.values())]);
    return report;
  } catch (err) {
    if (err instanceof ModelFailure && err.reason === 'cancelled') throw new CancelledError();
    if (err instanceof ModelFailure) return fail(err.message);
    throw err;
  }
}

function addFindings(input: ModelCheckInput, model: ModelConfig, report: ModelReport, shifted: number, metrics: MetricValue[], on: ChangedFeature[]): void {
  const findings: Omit<Finding, 'location'>[] = [];
  const shiftSeverity = grade(report.flipRate ?? 0, input.thresholds('model.prediction-shift'));
  if (shiftSeverity) {
    const what = report.task === 'classifier' ? `flips ${model.name}'s prediction` : `moves ${model.name}'s prediction by more than 10% of its spread`;
    const metric = report.metric ? `; ${metricText(report.metric)}` : '';
    findings.push({ check: 'model.prediction-shift', severity: shiftSeverity, message: `this edit ${what} on ${pct(report.flipRate!)} of sampled rows (${shifted} of ${report.rows})${metric}` });
  }
  // Every metric is shown; the worst relative loss sets the severity.
  const drops = metrics.map((m) => ({ m, drop: m.name === 'rmse' ? (m.after - m.before) / Math.abs(m.before || 1) : (m.before - m.after) / Math.abs(m.before || 1) }));
  const worst = drops.reduce<(typeof drops)[number] | undefined>((w, d) => (!w || d.drop > w.drop ? d : w), undefined);
  const dropSeverity = worst && grade(worst.drop, input.thresholds('model.metric-drop'));
  if (worst && dropSeverity) {
    const parts = drops.map(({ m, drop }) => `${metricName(m)} ${fixed(m.before)} → ${fixed(m.after)}${drop > 0 ? ` (${pct(drop)} worse)` : ''}`);
    findings.push({ check: 'model.metric-drop', severity: dropSeverity, message: `${model.name} gets worse on ${worst.m.rows} labelled rows: ${parts.join(', ')}` });
  }
  for (const c of on) {
    const placed = findings.map((f) => ({ ...f, ...(c.location ? { location: c.location } : {}) }) as Finding);
    c.findings.push(...acknowledge(placed, input.config.acknowledged.get(c.feature.name)));
  }
}

function displayOf(config: Config, model: ModelConfig): string {
  return `${config.configDirInRepo ? config.configDirInRepo + '/' : ''}${model.path}`.replace(/^\.\//, '');
}
