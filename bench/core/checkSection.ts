/**
 * The data-check sections of the benchmarks: `featureguard check --format json`, whole process,
 * after scaling the bodies of some generated features by 1.25, and what its report must say then.
 * Shared by the TypeScript and Python families (and the floor).
 */
import { CLI } from './paths';
import { fillSummaryCache, fmtCount, fmtMB, fmtMs, median, runProcessSampled } from './measure';
import type { BenchOptions, MetaFeature, Phases, Row, SampledRun, Section, SectionContext, WorkspaceMeta } from './types';

/** The parts of a `featureguard check --format json` report the benchmarks read (parsed JSON). */
export interface CheckReport {
  features: CheckFeature[];
  changes: { file: string; symbol: string }[];
  findings?: unknown[];
  models?: any[];
  summary: {
    durationMs: number;
    timings?: Record<string, number>;
    featuresAffected: number;
    featuresChecked: number;
    rowsSampled: number;
    errors: number;
    cache?: unknown;
    python?: { path?: string; version?: string };
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

export interface CheckFeature {
  name: string;
  verdict: string;
  change?: { kind: string; slope?: number; [k: string]: unknown };
  findings: { check: string; severity: string; [k: string]: unknown }[];
  metrics?: { rows?: number; mismatchRate?: number; [k: string]: unknown };
  [k: string]: unknown;
}

/** What a check section hands to its `after`: the edited features, the runs and their row. */
export interface CheckRun {
  feats: MetaFeature[];
  reports: CheckReport[];
  row: Row;
  samples: SampledRun[];
}

/** The phases of `summary.timings` in a check report (ms). */
export const PHASES = ['impact', 'read', 'bundle', 'execute', 'statistics'];

/** `path/file.ts#exportName` of a generated feature, split. */
export function featureParts(feature: Pick<MetaFeature, 'id'>): { file: string; exportName: string } {
  const at = feature.id.lastIndexOf('#');
  return { file: feature.id.slice(0, at), exportName: feature.id.slice(at + 1) };
}

/**
 * What must hold for a `featureguard check` report after `feats` were each scaled ×1.25: exactly
 * those features, each `changed` with an affine change of slope 1.25 and a value.mismatch error,
 * on every sampled row.
 */
export function checkReportProblems(report: CheckReport, feats: MetaFeature[], rows: number): string[] {
  const problems: string[] = [];
  const expected = feats.map((f) => f.name).sort();
  const actual = report.features.map((f) => f.name).sort();
  const missing = expected.filter((n) => !actual.includes(n));
  const extra = actual.filter((n) => !expected.includes(n));
  if (missing.length) problems.push(`missing ${missing.length}: ${missing.slice(0, 5).join(', ')}`);
  if (extra.length) problems.push(`extra ${extra.length}: ${extra.slice(0, 5).join(', ')}`);
  const changes = report.changes.map((c) => `${c.file}#${c.symbol}`).sort();
  const edited = feats.map((f) => f.id).sort();
  if (JSON.stringify(changes) !== JSON.stringify(edited)) problems.push(`changes: ${changes.length} reported (${changes.slice(0, 3).join(', ')}…), ${edited.length} edited`);
  for (const f of report.features) {
    if (f.verdict !== 'changed') problems.push(`${f.name}: verdict ${f.verdict}, expected changed`);
    else if (f.change?.kind !== 'affine' || !(Math.abs((f.change.slope ?? NaN) - 1.25) < 1e-6)) problems.push(`${f.name}: change ${f.change?.kind} (slope ${f.change?.slope}), expected affine ×1.25`);
    if (!f.findings.some((x) => x.check === 'value.mismatch' && x.severity === 'error')) problems.push(`${f.name}: no value.mismatch error`);
    if (f.metrics?.rows !== rows || f.metrics?.mismatchRate !== 1) problems.push(`${f.name}: ${f.metrics?.rows} rows, mismatch rate ${f.metrics?.mismatchRate}; expected ${rows} rows, rate 1`);
  }
  const s = report.summary;
  if (s.featuresAffected !== feats.length || s.featuresChecked !== feats.length) problems.push(`summary: ${s.featuresAffected} affected, ${s.featuresChecked} checked, expected ${feats.length}`);
  if (s.rowsSampled !== rows) problems.push(`summary: ${s.rowsSampled} rows sampled, expected ${rows}`);
  if (s.errors < feats.length) problems.push(`summary: ${s.errors} errors for ${feats.length} changed features`);
  return problems;
}

/**
 * `featureguard check --format json`, whole process, after `scale(text, exportName, 1.25)` edited
 * the bodies of `pick(meta)`: wall time, peak RSS, the report's phase split, and the verdicts
 * checked on every run. `env()` is the CLI's environment (default: the bench's); `what` names the
 * edited features in the correctness line; `after(ctx, { feats, reports, row })` runs with the edit
 * still in place (a comparison on the same code).
 */
export interface CheckSectionSpec {
  id: string;
  title: string;
  figure: string | ((meta: WorkspaceMeta) => string);
  generic?: string;
  pick(meta: WorkspaceMeta): MetaFeature[];
  runs(opts: BenchOptions): number;
  scale(text: string, exportName: string, factor: number): string;
  env?(): NodeJS.ProcessEnv;
  what?: string;
  after?(ctx: SectionContext, run: CheckRun): void | Promise<void>;
}

export function checkSection({ id, title, figure, generic, pick, runs, scale, env, what, after }: CheckSectionSpec): Section {
  return {
    id,
    title,
    async run(ctx: SectionContext) {
      const feats = pick(ctx.meta);
      const byFile = new Map<string, string[]>();
      for (const f of feats) {
        const { file, exportName } = featureParts(f);
        if (!byFile.has(file)) byFile.set(file, []);
        byFile.get(file)!.push(exportName);
      }
      for (const [file, names] of byFile) ctx.editFile(file, (text) => names.reduce((t, n) => scale(t, n, 1.25), text));
      // A repeated run finds the summary cache filled for this tree: fill it with the (cheap) impact run.
      fillSummaryCache(ctx.ws);
      // Exit 1: every edited feature has error findings (value.mismatch).
      const samples: SampledRun[] = [];
      for (let i = 0; i < runs(ctx.opts); i++) {
        const r = await runProcessSampled(process.execPath, [CLI, 'check', '--format', 'json'], { cwd: ctx.ws, env: env?.() });
        if (r.status !== 1) {
          // A crash (e.g. V8 out of memory: exit 134) is a wrong result: say how far it got, in a few lines.
          const lines = r.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
          const why = lines.filter((l) => /FATAL|Error|error|featureguard:/.test(l) && !/^\d+: 0x/.test(l)).slice(0, 3);
          throw new Error(`featureguard check (${id}): exit ${r.status} (expected 1) after ${fmtMs(r.ms)}; CLI process peak ${fmtMB(r.mainKB)} (VmHWM), CLI + workers ${fmtMB(r.treeKB)}: ${(why.length ? why : lines.slice(-3)).join(' / ') || r.stdout.slice(0, 300)}`);
        }
        samples.push(r);
      }
      const reports: CheckReport[] = samples.map((s) => JSON.parse(s.stdout));
      const phases: Phases = { durationMs: median(reports.map((r) => r.summary.durationMs)) };
      for (const k of PHASES) phases[k] = median(reports.map((r) => r.summary.timings?.[k] ?? NaN));
      const label = typeof figure === 'function' ? figure(ctx.meta) : figure;
      const row = ctx.record(id, `${label}, ${fmtCount(ctx.params.rows)} rows`, samples, { phases, generic: generic ?? label });
      row.treeKB = Math.max(...samples.map((s) => s.treeKB));
      // CPU time of the CLI and its workers: what the machine's load does not change much.
      const cpu = samples.map((s) => s.cpuMs).filter((x): x is number => x !== undefined);
      if (cpu.length) row.cpuMs = median(cpu);
      row.mainKB = Math.max(...samples.map((s) => s.mainKB));
      console.log(`   memory: CLI process ${fmtMB(row.mainKB)} (VmHWM), CLI + workers at once ${fmtMB(row.treeKB)} (summed RSS, sampled every 50 ms), largest single process ${fmtMB(row.rssKB ?? NaN)} (/usr/bin/time)`);
      const problems: string[] = [];
      reports.forEach((r, i) => {
        for (const p of checkReportProblems(r, feats, ctx.params.rows)) problems.push(`run ${i + 1}: ${p}`);
      });
      ctx.check(`featureguard check (${what ?? (feats.length === 1 ? 'one feature' : `all ${feats.length} features`)})`, problems.length === 0,
        `${feats.length} feature(s) edited ×1.25 in ${byFile.size} file(s); every run: ${reports[0].features.length} reported, verdicts ${[...new Set(reports.flatMap((r) => r.features.map((f) => `${f.verdict}/${f.change?.kind}`)))].join(', ')}, ${reports[0].summary.rowsSampled} rows sampled, ${reports[0].summary.errors} errors${problems.length ? ' — ' + problems.slice(0, 6).join('; ') : ''}`);
      const negative = reports.map((r) => r.summary.timings ?? {}).filter((t: Record<string, number>) => PHASES.some((k) => t[k] < 0));
      if (negative.length) ctx.note(`check phase timings (${id})`, `${negative.length} of ${reports.length} reports have a negative phase (e.g. ${JSON.stringify(negative[0])}): engine/runCheck.ts computes impact as durationMs minus the other phases, which overlap (bundle and execute of base and target are each the max of the two sides, and the sides run side by side)`);
      await after?.(ctx, { feats, reports, row, samples });
    },
  };
}
