/**
 * `featureguard merge-reports`: one report from the JSON reports of `check --shard I/N`, equal to the
 * unsharded run's feature by feature and finding by finding.
 *
 * - features: each in exactly one shard; ordered as the unsharded report orders them (the list every
 *   shard records in `shard.features`);
 * - `changes` and impact-level `findings`: the same in every shard, taken once;
 * - models: each ran in one shard (the partition keeps a model's features together), ordered as
 *   configured (`shard.models`);
 * - summary: severities counted again over the merged findings; `featuresAffected` is the merged
 *   feature count; `featuresChecked` summed; `rowsSampled` summed over distinct snapshots (shards
 *   reading one snapshot sample the same rows); `durationMs` and each `timings` phase SUMMED — the
 *   machine time the run took over all shards (the wall time of a parallel CI job is the slowest
 *   shard's `durationMs`, in its own report);
 * - warnings: the union, each once, in shard order.
 *
 * Refused, as a one-line `UserError` (exit 2): a file that is not a FeatureGuard JSON report, a
 * report of an unsharded run, reports of different runs (base, target, shard count or affected
 * features) or FeatureGuard versions, and a duplicate or missing shard.
 */
import { UserError } from '../errors';
import { countSeverities } from '../findings';
import type { FeatureReport, ModelReport, Report, ShardInfo } from './reportTypes';

export interface ReportFile {
  /** As given on the command line: named in every refusal. */
  file: string;
  text: string;
}

type ShardReport = Report & { shard: ShardInfo };

export function mergeReports(inputs: readonly ReportFile[]): Report {
  if (inputs.length === 0) throw new UserError('merge-reports needs the JSON reports of every shard (featureguard merge-reports a.json b.json …)');
  const reports = inputs.map(parseShardReport);
  const first = reports[0];
  const firstFile = inputs[0].file;
  const seen = new Map<number, string>();
  for (const [i, r] of reports.entries()) {
    const file = inputs[i].file;
    if (r.base !== first.base || r.target !== first.target) {
      throw new UserError(`${file} compares ${r.base} with ${r.target} but ${firstFile} compares ${first.base} with ${first.target}: reports of different runs cannot be merged`);
    }
    if (r.summary.version !== first.summary.version) throw new UserError(`${file} was made by FeatureGuard ${r.summary.version ?? '(unknown)'} but ${firstFile} by ${first.summary.version ?? '(unknown)'}: run every shard with one version`);
    if (r.shard.total !== first.shard.total) throw new UserError(`${file} is shard ${r.shard.index}/${r.shard.total} but ${firstFile} is shard ${first.shard.index}/${first.shard.total}: reports of different runs cannot be merged`);
    if (!sameList(r.shard.features, first.shard.features)) throw new UserError(`${file} and ${firstFile} affect different features: reports of different runs (or edits) cannot be merged`);
    if ((r.shard.costBasis ?? 'count') !== (first.shard.costBasis ?? 'count')) {
      throw new UserError(`${file} and ${firstFile} were partitioned by different feature costs (${r.shard.costBasis ?? 'count'}, ${first.shard.costBasis ?? 'count'}): give every shard the same .git/featureguard/results/ (restore one cache) or none`);
    }
    const other = seen.get(r.shard.index);
    if (other !== undefined) throw new UserError(`shard ${r.shard.index}/${r.shard.total} is given twice (${other} and ${file})`);
    seen.set(r.shard.index, file);
  }
  const total = first.shard.total;
  const missing = Array.from({ length: total }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length) throw new UserError(`shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${total}`).join(', ')} missing: merge-reports needs the report of every shard of the run`);

  const byName = new Map<string, FeatureReport>();
  for (const [i, r] of reports.entries()) {
    for (const f of r.features) {
      if (byName.has(f.name)) throw new UserError(`feature ${f.name} is in two shard reports (${inputs[i].file} and another): were the shards run on different commits?`);
      byName.set(f.name, f);
    }
  }
  const order = first.shard.features;
  for (const name of byName.keys()) if (!order.includes(name)) throw new UserError(`feature ${name} is not among the run's affected features: were the shards run on different commits?`);
  const lost = order.filter((n) => !byName.has(n));
  if (lost.length) throw new UserError(`feature ${lost[0]} is in no shard report${lost.length > 1 ? ` (nor ${lost.length - 1} more)` : ''}: were the shards run on different commits?`);
  const features = order.map((n) => byName.get(n)!);

  const modelOrder = new Map(first.shard.models.map((n, i) => [n, i]));
  const models: ModelReport[] = reports.flatMap((r) => r.models ?? []);
  models.sort((a, b) => (modelOrder.get(a.name) ?? Infinity) - (modelOrder.get(b.name) ?? Infinity) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const counts = countSeverities([...first.findings, ...features.flatMap((f) => f.findings)]);
  const rows = new Map<string, number>();
  for (const r of reports) for (const [name, n] of Object.entries(r.shard.rowsBySnapshot)) rows.set(name, Math.max(rows.get(name) ?? 0, n));
  const timings: Record<string, number> = {};
  for (const r of reports) for (const [k, v] of Object.entries(r.summary.timings ?? {})) timings[k] = (timings[k] ?? 0) + v;
  const python = reports.find((r) => r.summary.python)?.summary.python;
  const withCache = reports.filter((r) => r.summary.cache);
  const cache = withCache.length ? { baseHits: 0, targetHits: 0, misses: 0 } : undefined;
  for (const r of withCache) for (const k of ['baseHits', 'targetHits', 'misses'] as const) cache![k] += r.summary.cache![k];
  const warnings = [...new Set(reports.flatMap((r) => r.warnings ?? []))];
  return {
    version: 1,
    base: first.base,
    target: first.target,
    changes: first.changes,
    features,
    findings: first.findings,
    summary: {
      ...(first.summary.version ? { version: first.summary.version } : {}),
      ...counts,
      featuresAffected: features.length,
      featuresChecked: reports.reduce((s, r) => s + r.summary.featuresChecked, 0),
      rowsSampled: [...rows.values()].reduce((s, n) => s + n, 0),
      durationMs: reports.reduce((s, r) => s + r.summary.durationMs, 0),
      ...(Object.keys(timings).length ? { timings } : {}),
      ...(cache ? { cache } : {}),
      ...(python ? { python } : {}),
    },
    ...(warnings.length ? { warnings } : {}),
    ...(models.length ? { models } : {}),
  };
}

/** The report in `text`, when it is a shard's JSON report of `featureguard check`; a one-line refusal otherwise. */
function parseShardReport({ file, text }: ReportFile): ShardReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${file} is not a FeatureGuard JSON report (${(err as Error).message.split('\n')[0]})`);
  }
  const r = value as Partial<Report> | null;
  const isReport =
    !!r && typeof r === 'object' && r.version === 1 && typeof r.base === 'string' && typeof r.target === 'string' &&
    Array.isArray(r.changes) && Array.isArray(r.features) && Array.isArray(r.findings) && !!r.summary && typeof r.summary === 'object' &&
    r.features.every((f) => !!f && typeof f.name === 'string' && Array.isArray(f.findings));
  if (!isReport) throw new UserError(`${file} is not a FeatureGuard JSON report (write one with featureguard check --shard I/N --format json)`);
  const s = r.shard;
  if (s === undefined) throw new UserError(`${file} is the report of an unsharded run: merge-reports merges the reports of check --shard I/N`);
  const valid =
    !!s && Number.isInteger(s.index) && Number.isInteger(s.total) && s.index >= 1 && s.index <= s.total &&
    Array.isArray(s.features) && Array.isArray(s.models) && !!s.rowsBySnapshot && typeof s.rowsBySnapshot === 'object';
  if (!valid) throw new UserError(`${file} is not a FeatureGuard JSON report (its "shard" entry is malformed)`);
  return r as ShardReport;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
