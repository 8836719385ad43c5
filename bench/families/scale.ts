/**
 * The scale sections of the benchmarks (issue 14): `npm run bench -- --only scale` runs them
 * alone; a full run runs them after the datasets sections.
 *
 *   scale-declarations  `featureguard impact --format json` (whole process) on a small temporary
 *                       repository (one feature, so it has a config) with an untracked `src/gen.ts` of
 *                       20k, 40k, 80k, 160k `export const filler_N = N * 2;` declarations; the summary
 *                       cache (.git/featureguard/summaries.json) deleted before each run; median of 3;
 *                       µs per declaration, and its growth from the smallest size to the largest
 *   scale-shards        on a private clone of the 500-module / 50-feature workspace with every
 *                       feature's body scaled ×1.25 (the edit reaches all 50): the unsharded
 *                       `check --format json` against `--shard 1/4 … 4/4` run one after another
 *                       (results cache bound 0: every run cold), summed; `merge-reports` of the 4
 *                       compared with the unsharded report feature by feature, finding by finding
 *   scale-results-cache the same 50-feature check with the results cache on (bound 256 MB): cold
 *                       (.git/featureguard/results/ deleted before each run), warm-repeat (the same
 *                       edit again: both sides cached), warm-base (base cached); cold and warm-base
 *                       each check a new factor every run, so they differ only in the results cache
 *                       (both bundle the new target); with the report's `summary.cache` counts
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkReportProblems, featureParts } from '../core/checkSection';
import { scaledFeatureText } from '../core/edits';
import { fillSummaryCache, fmtMs, measureProcess } from '../core/measure';
import { CLI } from '../core/paths';
import type { CheckReport } from '../core/checkSection';
import type { ProcessRun } from '../core/types';
import type { Family, Goal, Machine, ReadmeHelpers, Section, SectionContext, WorkspaceResult } from '../core/types';
import { DEFAULT_TS_WORKSPACE } from '../core/defaultWorkspace';

const SIZES = [20_000, 40_000, 80_000, 160_000];
const DECL_RUNS = 3;
const SHARDS = 4;
const SHARD_RUNS = 3;
const CACHE_RUNS = 3;
/** The bound the warm figures run with (bench/main.ts sets 0 for every other process it starts). */
const CACHE_ON = { ...process.env, FEATUREGUARD_RESULTS_CACHE_MB: '256' };
const CACHE_OFF = { ...process.env, FEATUREGUARD_RESULTS_CACHE_MB: '0' };

const git = (cwd: string, args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

// ---------------------------------------------------------------------------------------------
// The generated-declarations repository (the fixture of test/engine/linearAnalysis.test.ts)

const DECL_BASE = {
  'src/util.ts': 'export const CLIP_MAX = 50;\nexport function clip(x: number, hi = CLIP_MAX) { return Math.min(x, hi); }\n',
  'src/activity.ts': "import { clip } from './util';\nexport function recencyDays(row: { days: number }) { return clip(row.days); }\n",
  'data/customers.csv': 'days,recency_days\n10,10\n70,50\n',
  'featureguard.json': JSON.stringify({
    snapshots: { customers: { path: 'data/customers.csv' } },
    features: { recency_days: { source: 'src/activity.ts#recencyDays', snapshot: 'customers' } },
  }),
};

function declRepo() {
  const root = mkdtempSync(join(tmpdir(), 'fg-bench-decls-'));
  for (const [path, text] of Object.entries(DECL_BASE)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  git(root, ['init', '-q', '-b', 'main']);
  git(root, ['add', '-A']);
  git(root, ['-c', 'user.email=bench@example.com', '-c', 'user.name=bench', '-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'base']);
  return root;
}

function generated(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`export const filler_${i} = ${i} * 2;`);
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Reports compared feature by feature, finding by finding

const VOLATILE = /^(durationMs|timings|cache|ms|elapsedMs)$/;
/** `value` without timing, duration and cache fields (at any depth). */
function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) if (!VOLATILE.test(k)) out[k] = stable((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

/**
 * `perf.slowdown` compares a feature's run time before and after the edit within one run: two runs
 * on a loaded machine may differ there and nowhere else, so it is left out of the comparison (with
 * the severity counts it feeds); every other finding must be equal.
 */
const TIMED = 'perf.slowdown';
type Found = { check: string; severity: string };
const untimed = <T>(findings: T[] | undefined): T[] => (findings ?? []).filter((f) => (f as Found).check !== TIMED);
function severityCounts(r: CheckReport): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of [...untimed(r.findings), ...r.features.flatMap((x) => untimed(x.findings))] as Found[]) counts[f.severity] = (counts[f.severity] ?? 0) + 1;
  return counts;
}

/** The differences between two check reports (features by name, their findings in order, the report's findings, the summary). */
function reportDifferences(a: CheckReport, b: CheckReport): string[] {
  const diffs: string[] = [];
  const byName = (r: CheckReport) => new Map(r.features.map((f) => [f.name, f]));
  const fa = byName(a), fb = byName(b);
  for (const name of new Set([...fa.keys(), ...fb.keys()])) {
    const x = fa.get(name), y = fb.get(name);
    if (!x || !y) { diffs.push(`${name}: only in the ${x ? 'unsharded' : 'merged'} report`); continue; }
    const { findings: xAll = [], ...xr } = x;
    const { findings: yAll = [], ...yr } = y;
    const xf = untimed(xAll), yf = untimed(yAll);
    if (JSON.stringify(stable(xr)) !== JSON.stringify(stable(yr))) diffs.push(`${name}: fields differ`);
    if (xf.length !== yf.length) diffs.push(`${name}: ${xf.length} vs ${yf.length} findings`);
    else xf.forEach((f, i: number) => { if (JSON.stringify(stable(f)) !== JSON.stringify(stable(yf[i]))) diffs.push(`${name}: finding ${i} (${f.check}) differs`); });
  }
  if (JSON.stringify(a.features.map((f) => f.name)) !== JSON.stringify(b.features.map((f) => f.name))) diffs.push('features in a different order');
  if (JSON.stringify(stable(a.findings)) !== JSON.stringify(stable(b.findings))) diffs.push('top-level findings differ');
  if (JSON.stringify(stable(a.changes)) !== JSON.stringify(stable(b.changes))) diffs.push('changes differ');
  const summary = (r: CheckReport) => {
    const { errors, warnings, infos, ...rest } = r.summary as Record<string, unknown>;
    return { ...(stable(rest) as object), severities: severityCounts(r) };
  };
  if (JSON.stringify(summary(a)) !== JSON.stringify(summary(b))) diffs.push(`summary differs: ${JSON.stringify(summary(a))} vs ${JSON.stringify(summary(b))}`);
  return diffs;
}

// ---------------------------------------------------------------------------------------------
// Sections

/** Scales every generated feature's body by `factor` (undone after the section). */
function scaleAll(ctx: SectionContext, factor: number): void {
  const byFile = new Map<string, string[]>();
  for (const f of ctx.meta.features) {
    const { file, exportName } = featureParts(f);
    byFile.set(file, [...(byFile.get(file) ?? []), exportName]);
  }
  for (const [file, names] of byFile) ctx.editFile(file, (text) => names.reduce((t, n) => scaledFeatureText(t, n, factor), text));
}

const checkArgs = ['check', '--format', 'json'];
const OK = [0, 1];

const SECTIONS: Section[] = [
  {
    id: 'scale-declarations',
    title: `featureguard impact on an untracked generated file of ${SIZES.map((n) => n / 1000 + 'k').join(', ')} declarations`,
    run(ctx) {
      const root = declRepo();
      ctx.defer(() => rmSync(root, { recursive: true, force: true }));
      const summaries = join(root, '.git/featureguard/summaries.json');
      const before = () => rmSync(summaries, { force: true });
      const series = [];
      // A warm-up (file system cache, node's compile cache), not timed.
      writeFileSync(join(root, 'src/gen.ts'), generated(2000));
      measureProcess('impact (warm-up)', process.execPath, [CLI, 'impact', '--format', 'json'], { cwd: root, runs: 1, before });
      for (const n of SIZES) {
        writeFileSync(join(root, 'src/gen.ts'), generated(n));
        const samples = measureProcess(`impact ${n}`, process.execPath, [CLI, 'impact', '--format', 'json'], { cwd: root, runs: DECL_RUNS, before });
        const report = JSON.parse(samples[0].stdout);
        ctx.check(`impact, ${n / 1000}k declarations`, report.changes.length === n && report.features.length === 0, `${report.changes.length} changes (expected ${n}), ${report.features.length} features affected (expected 0)`);
        const row = ctx.record(`scale-decl-${n}`, `impact, ${n / 1000}k generated declarations`, samples);
        row.usPerDecl = (row.median / n) * 1000;
        row.ratio = `${row.usPerDecl.toFixed(1)} µs/decl.`;
        series.push({ n, ms: row.median, usPerDecl: row.usPerDecl });
      }
      const growth = series[series.length - 1].usPerDecl / series[0].usPerDecl;
      ctx.state.scale = { ...ctx.state.scale, decls: { series, growth } };
      ctx.note('declarations', `µs per declaration ${series.map((s) => `${s.n / 1000}k ${s.usPerDecl.toFixed(1)}`).join(', ')}; largest / smallest ${growth.toFixed(2)}×`);
    },
  },
  {
    id: 'scale-shards',
    title: `check of the 50 features unsharded vs --shard 1/${SHARDS} … ${SHARDS}/${SHARDS} one after another (results cache bound 0)`,
    run(ctx) {
      scaleAll(ctx, 1.25);
      fillSummaryCache(ctx.ws);
      const resultsDir = join(ctx.ws, '.git/featureguard/results');
      const tmp = mkdtempSync(join(tmpdir(), 'fg-bench-shards-'));
      ctx.defer(() => rmSync(tmp, { recursive: true, force: true }));
      const run = (args: string[]) => measureProcess(args.join(' '), process.execPath, [CLI, ...args], { cwd: ctx.ws, env: CACHE_OFF, runs: 1, okStatus: OK, before: () => rmSync(resultsDir, { recursive: true, force: true }) })[0];
      const whole: ProcessRun[] = [], summed: { ms: number }[] = [], shardRows = Array.from({ length: SHARDS }, (): ProcessRun[] => []);
      let unsharded: CheckReport | undefined, shardReports: CheckReport[] = [];
      // Alternated: one unsharded run, then the 4 shards, SHARD_RUNS times.
      for (let r = 0; r < SHARD_RUNS; r++) {
        const u = run(checkArgs);
        whole.push(u);
        unsharded = JSON.parse(u.stdout);
        let sum = 0;
        shardReports = [];
        for (let i = 1; i <= SHARDS; i++) {
          const s = run([...checkArgs, '--shard', `${i}/${SHARDS}`]);
          shardRows[i - 1].push(s);
          sum += s.ms;
          shardReports.push(JSON.parse(s.stdout));
        }
        summed.push({ ms: sum });
      }
      if (!unsharded) throw new Error('no unsharded run');
      const problems = checkReportProblems(unsharded, ctx.meta.features, ctx.params.rows);
      ctx.check('unsharded check report', problems.length === 0, `${unsharded.features.length} features${problems.length ? ' — ' + problems.slice(0, 5).join('; ') : ', each changed ×1.25 with a value.mismatch error'}`);
      const files = shardReports.map((rep, i) => {
        const file = join(tmp, `shard-${i + 1}.json`);
        writeFileSync(file, JSON.stringify(rep));
        return file;
      });
      const merged = measureProcess('merge-reports', process.execPath, [CLI, 'merge-reports', ...files, '--format', 'json'], { cwd: ctx.ws, runs: 1, okStatus: OK });
      const diffs = reportDifferences(unsharded, JSON.parse(merged[0].stdout));
      const perShard = shardReports.map((rep) => rep.features.length);
      const u = ctx.record('scale-unsharded', 'check, 50 features, unsharded (cold)', whole);
      for (let i = 0; i < SHARDS; i++) ctx.record(`scale-shard-${i + 1}`, `check --shard ${i + 1}/${SHARDS} (${perShard[i]} features, cold)`, shardRows[i]);
      const s = ctx.record('scale-shards-sum', `${SHARDS} shards, summed`, summed);
      s.ratio = `${(s.median / u.median).toFixed(2)}× unsharded`;
      const m = ctx.record('scale-merge', `merge-reports of the ${SHARDS} (1 run)`, merged);
      ctx.check('merged report = unsharded', diffs.length === 0, diffs.length ? diffs.slice(0, 6).join('; ') : `${unsharded.features.length} features, ${unsharded.features.reduce((k, f) => k + f.findings.length, 0)} findings, summary equal (timings/cache/duration and perf.slowdown, a within-run timing comparison, ignored)`);
      ctx.state.scale = { ...ctx.state.scale, shards: { ratio: s.median / u.median, unsharded: u.median, summed: s.median, perShard, equal: diffs.length === 0, diffs, mergeMs: m.median } };
    },
  },
  {
    id: 'scale-results-cache',
    title: 'check of the 50 features with the results cache on (256 MB): cold, warm-repeat, warm-base',
    run(ctx) {
      scaleAll(ctx, 1.25);
      fillSummaryCache(ctx.ws);
      const resultsDir = join(ctx.ws, '.git/featureguard/results');
      const clear = () => rmSync(resultsDir, { recursive: true, force: true });
      const cacheOf = (s: ProcessRun) => JSON.parse(s.stdout).summary.cache;
      // Undo the previous edit (back to HEAD), then scale every feature by `factor`.
      const edit = (factor: number) => {
        git(ctx.ws, ['checkout', '--', 'src']);
        scaleAll(ctx, factor);
      };
      // Cold: an edit never checked before each run (a new factor), as warm-base below, so the two
      // differ only in the results cache: both bundle the new target (repeating one edit, the
      // cold runs reused its bundles, which a warm-base run never can). The last factor is ×1.25.
      const cold = [1.35, 1.3, 1.25].slice(-CACHE_RUNS).flatMap((f) => {
        edit(f);
        return measureProcess(`check (cold ×${f})`, process.execPath, [CLI, ...checkArgs], { cwd: ctx.ws, env: CACHE_ON, runs: 1, okStatus: OK, before: clear });
      });
      // The last cold run left both sides cached: every next identical run is a warm repeat.
      const repeat = measureProcess('check (warm-repeat)', process.execPath, [CLI, ...checkArgs], { cwd: ctx.ws, env: CACHE_ON, runs: CACHE_RUNS, okStatus: OK });
      const repeatReport = JSON.parse(repeat[0].stdout);
      const problems = checkReportProblems(repeatReport, ctx.meta.features, ctx.params.rows);
      ctx.check('warm-repeat report', problems.length === 0, `${repeatReport.features.length} features${problems.length ? ' — ' + problems.slice(0, 5).join('; ') : ', each changed ×1.25 with a value.mismatch error, as cold'}`);
      // Warm-base: a new factor each run (never seen: the target side is computed, the base read).
      const factors = [1.5, 1.75, 2, 2.25, 2.5, 2.75, 3].slice(0, CACHE_RUNS);
      const base = [];
      for (const f of factors) {
        edit(f);
        base.push(...measureProcess(`check (warm-base ×${f})`, process.execPath, [CLI, ...checkArgs], { cwd: ctx.ws, env: CACHE_ON, runs: 1, okStatus: OK }));
      }
      const baseReport = JSON.parse(base[base.length - 1].stdout) as CheckReport;
      const wrongBase = baseReport.features.filter((x) => x.verdict !== 'changed' || Math.abs((x.change?.slope ?? 0) - factors[factors.length - 1]) > 1e-6);
      ctx.check('warm-base report', baseReport.features.length === ctx.meta.features.length && wrongBase.length === 0, `${baseReport.features.length} features, ${wrongBase.length} not changed ×${factors[factors.length - 1]}`);
      const c = ctx.record('scale-cache-cold', 'check, 50 features, results cache cold (a new edit)', cold);
      const r = ctx.record('scale-cache-repeat', 'check, warm-repeat (both sides cached)', repeat);
      const b = ctx.record('scale-cache-base', 'check, warm-base (base cached, new target)', base);
      r.ratio = `${(r.median / c.median).toFixed(2)}× cold`;
      b.ratio = `${(b.median / c.median).toFixed(2)}× cold`;
      const counts = { cold: cold.map(cacheOf), repeat: repeat.map(cacheOf), base: base.map(cacheOf) };
      for (const [k, v] of Object.entries(counts)) ctx.note(`summary.cache, ${k}`, v.map((x) => JSON.stringify(x)).join(' '));
      ctx.state.scale = { ...ctx.state.scale, cache: { cold: c.median, repeat: r.median, base: b.median, counts } };
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Output

function goals(result: WorkspaceResult): Goal[] {
  const s = result.state.scale ?? {};
  const out: Goal[] = [];
  if (s.decls) {
    const { series, growth } = s.decls;
    out.push({ goal: `time per declaration flat, ${series[0].n / 1000}k → ${series[series.length - 1].n / 1000}k: ≤ 1.5×`, measured: `${growth.toFixed(2)}× (${series[0].usPerDecl.toFixed(1)} → ${series[series.length - 1].usPerDecl.toFixed(1)} µs)`, met: growth <= 1.5 });
  }
  if (s.shards) {
    out.push({ goal: `${SHARDS} shards one after another, summed ≤ 1.2× unsharded`, measured: `${s.shards.ratio.toFixed(2)}× (${fmtMs(s.shards.summed)} vs ${fmtMs(s.shards.unsharded)})`, met: s.shards.ratio <= 1.2 });
    out.push({ goal: 'merged report = unsharded (feature by feature, finding by finding)', measured: s.shards.equal ? 'equal' : `differs: ${s.shards.diffs.slice(0, 3).join('; ')}`, met: s.shards.equal });
  }
  if (s.cache) {
    const { cold, base, repeat } = s.cache;
    out.push({ goal: '50-feature check, warm (base cached) ≤ 0.6× cold', measured: `${(base / cold).toFixed(2)}× (${fmtMs(base)} vs ${fmtMs(cold)})`, met: base <= 0.6 * cold });
    out.push({ goal: '50-feature check, warm (base cached) ≤ 5 s', measured: fmtMs(base), met: base <= 5000 });
    out.push({ goal: '(for reference) warm-repeat, both sides cached', measured: `${(repeat / cold).toFixed(2)}× (${fmtMs(repeat)})`, met: undefined });
  }
  return out;
}

function discussion(result: WorkspaceResult): string[] {
  const s = result.state.scale ?? {};
  const out: string[] = [];
  if (s.cache) {
    const last = (xs: unknown[]) => JSON.stringify(xs[xs.length - 1]);
    out.push(`\`summary.cache\` of the last run of each kind: cold ${last(s.cache.counts.cold)}, warm-repeat ${last(s.cache.counts.repeat)}, warm-base ${last(s.cache.counts.base)}.`);
  }
  if (s.shards) out.push(`Features per shard: ${s.shards.perShard.join(', ')}; \`merge-reports\` took ${fmtMs(s.shards.mergeMs)}.`);
  return out;
}

const METHOD = [
  '- **scale** (`bench/families/scale.ts`, `--only scale`): **declarations** — a temporary git repository with one committed feature (so it',
  `  has a config) and an untracked \`src/gen.ts\` of N \`export const filler_N = N * 2;\` lines (N = ${SIZES.map((n) => n / 1000 + 'k').join(', ')}),`,
  `  \`featureguard impact --format json\` as a whole process, \`.git/featureguard/summaries.json\` deleted before each of ${DECL_RUNS} runs (median),`,
  '  one untimed 2k warm-up first; every report must list N changes and no feature. **shards** — the private clone of the',
  '  500-module workspace with every one of its 50 feature bodies scaled ×1.25, summary cache filled, results cache bound 0 and',
  `  \`.git/featureguard/results/\` deleted before every run; ${SHARD_RUNS} rounds of one unsharded \`check --format json\` then \`--shard 1/${SHARDS}\` … \`${SHARDS}/${SHARDS}\``,
  '  one after another (summed per round; median of the sums); `merge-reports` of the last round\'s shards compared with the last',
  '  unsharded report field by field for every feature and finding, the summary, changes and top-level findings (ignoring',
  '  `durationMs`, `timings`, `cache`). **results cache** — the same workspace with `FEATUREGUARD_RESULTS_CACHE_MB=256`: cold',
  `  (results directory deleted before each run; every feature scaled by a factor not checked before — ×1.35, ×1.3, ×1.25 — one`,
  `  run each), then warm-repeat (the same tree again), then warm-base (every feature scaled by a new factor — ×1.5, ×1.75, ×2 —`,
  `  one run each). Cold and warm-base thus differ only in the results cache: each checks a new edit, whose target it bundles`,
  `  (until 2026-12-02 the cold runs repeated one edit and reused its bundles, ~0.2 s that no warm-base run can reuse);`,
  `  ${CACHE_RUNS} runs of each kind, medians.`,
];

function readmeSubsection(result: WorkspaceResult, m: Machine, date: string, resultsFile: string, { goalsTable, loadAtStart }: ReadmeHelpers): string {
  const table = ['| figure | median | spread | ratio | peak RSS | runs | load |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: |'];
  for (const r of result.rows.filter((x) => !x.skipped)) table.push(`| ${r.figure} | ${fmtMs(r.median)} | ${fmtMs(r.min)}–${fmtMs(r.max)} | ${r.ratio ?? '—'} | ${r.rssKB ? `${(r.rssKB / 1024).toFixed(0)} MB` : '—'} | ${r.n} | ${r.load} |`);
  return [
    '### Scale: declarations, shards, results cache',
    '',
    '`npm run bench -- --only scale` times `featureguard impact` on an untracked generated file of 20k–160k declarations, the',
    `50-feature check of the 500-module workspace (every feature edited) unsharded against ${SHARDS} shards run one after another, and the`,
    `same check with the results cache cold, warm-repeat and warm-base. Latest run, ${date}, ${m.nproc} shared cores (${m.cpu}), load`,
    `average ${loadAtStart.split(' ')[0]} at the start and ${result.loadEnd} at the end (method and all figures: \`${resultsFile}\`):`,
    '',
    table.join('\n'),
    '',
    goalsTable(result),
    '',
    ...discussion(result),
    '',
  ].join('\n');
}

export const SCALE_WORKSPACE: Family = {
  /** The default TypeScript workspace (bench/work/ws-…), reused: the check sections run in its private clone. */
  ...DEFAULT_TS_WORKSPACE,
  sections: SECTIONS,
  ratioOf: (r) => r.ratio,
  goals,
  goalsTitle: 'Goals (issue 14, scale):',
  discussion,
  method: METHOD,
  readmeHeading: '### Scale: declarations, shards, results cache',
  readmeSubsection,
};

