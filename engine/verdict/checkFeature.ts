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
import type { SampleRows } from '../data/sampleRows';
import type { ColumnType } from '../data/table';
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
  const ctx: CheckContext = { feature, location, rows, stored, storedType: storedColumn?.type, base, target, thresholds: input.thresholds, sliceBy: input.sliceBy };

  const change = base ? classifyChange({ featureName: feature.name, rows, base: base.values, target: target.values, tolerance: feature.tolerance, notInputs: [feature.column] }) : undefined;
  // Identical also means throwing on the same rows: classifyChange skips rows where either side threw.
  const identical = base !== undefined && change === undefined && base.errorCount === target.errorCount && sameRowsThrew(base, target);
  const findings: Finding[] = [];
  // An identical target inherits whatever the base did against the store: not this edit's doing.
  if (!identical) for (const check of STORED_CHECKS) findings.push(...check(ctx));
  for (const check of TARGET_CHECKS) findings.push(...check(ctx));
  const absent = absentColumns(input);
  if (absent) for (const f of findings) f.message += absent;

  const runtimeBroken = findings.some((f) => f.check === 'runtime.error' && f.severity === 'error');
  const verdict = runtimeBroken ? 'broken' : !base || !stored ? 'new' : identical ? 'identical' : 'changed';
  const histogram = featureHistogram({ stored, base: base?.values, target: target.values });
  return { verdict, ...(change ? { change } : {}), metrics: metricsOf(ctx), findings: acknowledge(findings, input.acknowledged), ...(histogram ? { histogram } : {}) };
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
