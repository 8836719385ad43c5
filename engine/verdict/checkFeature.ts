/**
 * The data check of one affected feature (SPEC §4): run base and target on the same sampled rows,
 * compare the target with the stored column (compatibility with history) and with the base (what
 * the edit changed), and decide the verdict, the change kind and the findings.
 */
import { STORED_CHECKS, TARGET_CHECKS } from '../checks/allChecks';
import type { CheckContext, SideValues } from '../checks/checkContext';
import { driftMetrics, storedDrift } from '../checks/driftDistribution';
import type { Thresholds } from '../checks/thresholds';
import { storedMismatches } from '../checks/valueMismatch';
import { nullRate, ranValues, sameValue } from '../checks/values';
import { historyUnreproduced } from '../checks/historyUnreproduced';
import { schemaType } from '../checks/schemaType';
import { rowsFromColumns, type SampleRows } from '../data/sampleRows';
import type { CellValue, ColumnType } from '../data/table';
import type { SideOutcome } from '../exec/featureRunner';
import type { WorkerResult } from '../exec/workerProtocol';
import type { Finding, Location } from '../findings';
import type { FeatureConfig } from '../config/configTypes';
import type { FeatureReport } from '../report/reportTypes';
import { classifyChange } from './classifyChange';
import { featureHistogram } from './histograms';

export interface FeatureCheckInput {
  feature: FeatureConfig;
  location: Location;
  rows: SampleRows;
  /** The stored column, when the snapshot has it. Default: the rows' column of that name. */
  stored?: { values: readonly unknown[]; type: ColumnType };
  sliceBy: string[];
  /** Every column of the snapshot file (default: the columns of `rows`). */
  fileColumns?: readonly string[];
  /** Undefined when the base has no such feature. */
  base?: SideOutcome;
  target: SideOutcome;
  thresholds: Thresholds;
  acknowledged?: string;
  /**
   * The sample is runs of `rows` consecutive rows (`sampleBlocks`): the first `warmupRows` of each
   * are computed but not compared (their windows reach outside the run).
   */
  blocks?: { rows: number; warmupRows: number };
}

/** The verdict, change, metrics and findings of a feature whose code could be run. */
export function checkFeature(input: FeatureCheckInput): Pick<FeatureReport, 'verdict' | 'change' | 'metrics' | 'findings' | 'histogram'> {
  const { feature, rows, location } = input;
  const inRows = rows.columns.find((c) => c.name === feature.column);
  const storedColumn = input.stored ?? (inRows && { values: rows.column(feature.column)!, type: inRows.type });
  const stored = storedColumn?.values as unknown[] | undefined;

  if (!input.target.ok) {
    const check = input.target.reason === 'timeout' ? 'runtime.timeout' : 'runtime.error';
    const finding: Finding = { check, severity: 'error', message: input.target.message, location };
    return { verdict: 'broken', metrics: { rows: rows.length }, findings: acknowledge([finding], input.acknowledged) };
  }
  const target = sideValues(input.target.result);
  const base = input.base?.ok ? sideValues(input.base.result) : undefined;
  const all: CheckContext = { feature, location, rows, stored, storedType: storedColumn?.type, base, target, thresholds: input.thresholds, sliceBy: input.sliceBy };
  // Warm-up rows of blocks are computed but compared with nothing.
  const ctx = input.blocks && input.blocks.warmupRows > 0 ? restrict(all, compared(rows.length, input.blocks)) : all;
  // Rows the committed code does not reproduce say nothing about the edit (a broken window, a stale store).
  const history = historyUnreproduced(ctx);
  const kept = history ? restrict(ctx, history.reproduced) : ctx;

  const classify = (c: CheckContext) => (c.base ? classifyChange({ featureName: feature.name, rows: c.rows, base: c.base.values, target: c.target.values, tolerance: feature.tolerance, notInputs: [feature.column] }) : undefined);
  const wide = classify(ctx);
  // Identical also means throwing on the same rows: classifyChange skips rows where either side threw.
  const identical = base !== undefined && wide === undefined && ctx.base!.errorCount === ctx.target.errorCount && sameRowsThrew(ctx.base!, ctx.target);
  // The change as seen on the reproduced rows; on all compared rows when it shows only outside them.
  const change = kept === ctx ? wide : (classify(kept) ?? wide);
  const findings: Finding[] = [];
  // An identical target inherits whatever the base did against the store: not this edit's doing.
  if (!identical) for (const check of STORED_CHECKS) findings.push(...check(check === schemaType ? ctx : kept));
  if (history) {
    for (const f of findings) if (f.check !== 'schema.type') f.message += ` (on the ${kept.rows.length} of ${ctx.rows.length} rows the committed code reproduces)`;
    findings.push(history.finding);
  }
  for (const check of TARGET_CHECKS) findings.push(...check(all));
  const absent = absentColumns(input);
  if (absent) for (const f of findings) f.message += absent;

  const runtimeBroken = findings.some((f) => f.check === 'runtime.error' && f.severity === 'error');
  const verdict = runtimeBroken ? 'broken' : !base || !stored ? 'new' : identical ? 'identical' : 'changed';
  // The distributions of every compared row: what each side gives, reproduced or not.
  const histogram = featureHistogram({ stored: ctx.stored, base: ctx.base?.values, target: ctx.target.values });
  const metrics = metricsOf(kept);
  if (kept !== all) {
    metrics.rows = rows.length;
    metrics.comparedRows = kept.rows.length;
    if (target.errorCount) metrics.errorRate = target.errorCount / rows.length;
  }
  if (history) metrics.unreproducedRate = history.finding.metrics!.rate as number;
  return { verdict, ...(change ? { change } : {}), metrics, findings: acknowledge(findings, input.acknowledged), ...(histogram ? { histogram } : {}) };
}

/** The rows of runs of `rows` rows past each run's first `warmupRows`. */
function compared(length: number, blocks: { rows: number; warmupRows: number }): number[] {
  const out: number[] = [];
  for (let i = 0; i < length; i++) if (i % blocks.rows >= blocks.warmupRows) out.push(i);
  return out;
}

/** The context over rows `keep` only (ascending indices): rows, stored values and both sides' values. */
function restrict(ctx: CheckContext, keep: number[]): CheckContext {
  const pick = <T>(values: readonly T[]): T[] => {
    const out = new Array<T>(keep.length);
    for (let k = 0; k < keep.length; k++) out[k] = values[keep[k]];
    return out;
  };
  const side = (v: SideValues): SideValues => {
    const values = pick(v.values);
    let errorCount = 0;
    for (const x of values) if (x === undefined) errorCount++;
    return { ...v, values, errorCount };
  };
  const columns = new Map<string, CellValue[]>();
  const rows = rowsFromColumns(keep.length, ctx.rows.columns, (name) => {
    let values = columns.get(name);
    if (!values) {
      const all = ctx.rows.column(name);
      if (!all) return undefined;
      columns.set(name, (values = pick(all)));
    }
    return values;
  });
  return { ...ctx, rows, stored: ctx.stored && pick(ctx.stored), base: ctx.base && side(ctx.base), target: side(ctx.target) };
}

/**
 * What explains findings when the target reads columns the snapshot does not have (renamed in the
 * store, or a typo): those rows read `undefined`, and the findings show only the consequence.
 */
function absentColumns(input: FeatureCheckInput): string | undefined {
  if (!input.target.ok) return undefined;
  const known = new Set(input.fileColumns ?? input.rows.columns.map((c) => c.name));
  const absent = (input.target.result.missingColumns ?? []).filter((c) => !known.has(c));
  if (absent.length === 0) return undefined;
  const names = absent.map((c) => JSON.stringify(c)).join(', ');
  return absent.length === 1 ? `; the code reads ${names}, which is not a column of the snapshot` : `; the code reads ${names}, which are not columns of the snapshot`;
}

function sameRowsThrew(a: SideValues, b: SideValues): boolean {
  if (a.values.length !== b.values.length) return false;
  for (let i = 0; i < a.values.length; i++) if ((a.values[i] === undefined) !== (b.values[i] === undefined)) return false;
  return true;
}

function sideValues(r: WorkerResult): SideValues {
  return { values: r.values, extraValues: r.extraValues, errorCount: r.errorCount, errors: r.errors, nondeterministic: r.nondeterministic, runMs: r.runMs };
}

/** The feature's headline numbers: against the stored column when there is one, else against the base. */
function metricsOf(ctx: CheckContext): Record<string, number | null> {
  const reference = ctx.stored ?? ctx.base?.values;
  const ran = ranValues(ctx.target.values);
  const m: Record<string, number | null> = { rows: ctx.rows.length };
  if (!reference) return { ...m, nullRateAfter: nullRate(ran) };
  let compared = 0, differing = 0;
  if (ctx.stored) {
    // The same rows value.mismatch counted (a stored value is never undefined).
    compared = ran.length;
    differing = storedMismatches(ctx).length;
  } else {
    for (let i = 0; i < ctx.target.values.length; i++) {
      if (ctx.target.values[i] === undefined || reference[i] === undefined) continue;
      compared++;
      if (!sameValue(ctx.target.values[i], reference[i], ctx.feature.tolerance)) differing++;
    }
  }
  m.mismatchRate = compared ? differing / compared : 0;
  const drift = ctx.stored ? storedDrift(ctx) : driftMetrics(ranValues(reference), ran);
  if (drift) {
    m.psi = drift.psi;
    if (drift.ks !== undefined) m.ks = drift.ks;
    if (drift.wasserstein !== undefined) m.wasserstein = drift.wasserstein;
    if (drift.jensenShannon !== undefined) m.jensenShannon = drift.jensenShannon;
  }
  m.nullRateBefore = nullRate(ranValues(reference));
  m.nullRateAfter = nullRate(ran);
  if (ctx.target.errorCount) m.errorRate = ctx.target.errorCount / ctx.rows.length;
  return m;
}

/** An acknowledged feature keeps its findings at `info`, with the reason in the message. */
export function acknowledge(findings: Finding[], reason: string | undefined): Finding[] {
  if (reason === undefined) return findings;
  return findings.map((f) => ({ ...f, severity: 'info', message: `${f.message} (acknowledged: ${reason})` }));
}
