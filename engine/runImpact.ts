/**
 * `featureguard impact`: static impact only — which features the edits reach and through which
 * symbols. No workspace code runs.
 */
import { analyzeImpact, type AffectedFeature, type ImpactResult } from './analysis/impact';
import { neverCancelled, type CancellationToken } from './errors';
import { countSeverities, type Finding } from './findings';
import type { FeatureReport, Report } from './report/reportTypes';
import { openWorkspace, type RunOptions, type Workspace } from './workspace';
import { toolVersion } from './version';

export async function runImpact(options: RunOptions, token: CancellationToken = neverCancelled): Promise<Report> {
  const started = performance.now();
  const ws = await openWorkspace(options);
  const impact = await impactOf(ws, token);
  const features = impact.features.map((a) => featureReport(a, impact, 'not-checked'));
  const report = buildReport(ws, impact, features, { rowsSampled: 0, featuresChecked: 0 }, started);
  ws.clock.lap('report');
  report.summary.timings = ws.clock.rounded();
  return report;
}

/** Runs the static analysis of an opened workspace and saves the summary cache. */
export async function impactOf(ws: Workspace, token: CancellationToken): Promise<ImpactResult> {
  const impact = await analyzeImpact({
    base: ws.sides.base,
    target: ws.sides.target,
    changedPaths: ws.sides.changedPaths,
    config: ws.config,
    frontEnd: ws.frontEnd,
    cache: ws.cache,
    token,
    clock: ws.clock,
  });
  ws.cache.save();
  ws.clock.lap('cacheWrite');
  return impact;
}

/**
 * The report entry of an affected feature before any data check: `broken` when its source is
 * gone or a file it depends on does not parse, otherwise `new` or the given verdict.
 */
export function featureReport(a: AffectedFeature, impact: ImpactResult, verdict: FeatureReport['verdict']): FeatureReport {
  const syntaxFiles = syntaxFilesOf(impact);
  const closureFiles = a.targetSymbol ? [...impact.targetGraph.closure([a.targetSymbol])].map((id) => impact.targetGraph.nodes.get(id)!.path) : [];
  const broken = a.status === 'missing' || closureFiles.some((f) => syntaxFiles.has(f));
  return {
    name: a.feature.name,
    source: a.feature.source,
    ...(a.feature.snapshot ? { snapshot: a.feature.snapshot } : {}),
    ...(a.feature.kind ? { kind: a.feature.kind } : {}),
    via: a.via,
    verdict: broken ? 'broken' : a.status === 'new' ? 'new' : verdict,
    findings: a.findings,
    consumers: a.feature.consumers,
    location: a.location,
  };
}

/** The files that do not parse, computed once per impact rather than once per feature. */
const syntaxFilesCache = new WeakMap<ImpactResult, Set<string>>();
function syntaxFilesOf(impact: ImpactResult): Set<string> {
  let files = syntaxFilesCache.get(impact);
  if (!files) syntaxFilesCache.set(impact, (files = new Set(impact.findings.filter((f) => f.check === 'code.syntax').map((f) => f.location!.file))));
  return files;
}

/** Assembles the SPEC §6 report; `data` counts what the data checks did (zeros for `impact`). */
export function buildReport(ws: Workspace, impact: ImpactResult, features: FeatureReport[], data: { rowsSampled: number; featuresChecked: number }, started: number): Report {
  const all: Finding[] = [...impact.findings, ...features.flatMap((f) => f.findings)];
  const counts = countSeverities(all);
  for (const f of features) {
    const models = f.consumers.filter((c) => ws.config.models.has(c));
    if (models.length) f.models = models;
  }
  return {
    version: 1,
    base: ws.baseLabel,
    target: ws.targetLabel,
    changes: impact.changes.map((c) => ({ file: c.file, symbol: c.symbol, line: c.line, kind: c.kind, ...(c.from ? { from: c.from } : {}) })),
    features,
    findings: impact.findings,
    summary: {
      version: toolVersion(),
      ...counts,
      featuresAffected: features.length,
      featuresChecked: data.featuresChecked,
      rowsSampled: data.rowsSampled,
      durationMs: Math.round(performance.now() - started),
    },
    ...(ws.config.warnings.length ? { warnings: ws.config.warnings } : {}),
  };
}
