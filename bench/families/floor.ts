/**
 * The floor of the one-feature check (issue 14): `npm run bench -- --only floor` runs it alone; a
 * full run runs it after the scale sections. On the default TypeScript workspace (500 modules,
 * 50 features, 100k rows, `sampleRows` = the row count), its first feature's body scaled ×1.25 as
 * in check-one:
 *
 *   floor-start  `node -e 0` (a process start) and `featureguard --version` (a process start + the
 *                CLI bundle loaded, no work), whole processes
 *   floor-check  `featureguard check --format json` (whole process, summary cache filled first,
 *                results cache bound 0 as everywhere) and the minimal script bench/floor/floorCheck.ts
 *                (out/bench/floor.js: hyparquet + hyparquet-compressors, esbuild, both versions run
 *                over the rows, compared with the stored column) as a process of its own, alternated
 *                run by run; the check's report and the script's counts are checked; the ratio and
 *                where the check's time goes beyond the floor (its `summary.timings`, read
 *                generically, against the script's own steps)
 */
import { copyFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkReportProblems, featureParts, type CheckReport } from '../core/checkSection';
import { scaledFeatureText } from '../core/edits';
import { fillSummaryCache, fmtCount, fmtMB, fmtMs, measureProcess, median, runProcess, runProcessSampled } from '../core/measure';
import { CLI, ROOT } from '../core/paths';
import type { Family, Goal, Machine, ProcessRun, ReadmeHelpers, SampledRun, Section, WorkspaceResult } from '../core/types';
import { DEFAULT_TS_WORKSPACE } from '../core/defaultWorkspace';

/** The floor script's bundle (`node esbuild.mjs --bench`), copied beside the run's copy of the CLI. */
const BUILT_FLOOR = join(ROOT, 'out/bench/floor.js');
const FLOOR = join(dirname(CLI), 'floor.js');
/** The row fields every generated feature's closure reads (bench/generators/generateWorkspace.ts). */
const INPUTS = ['a', 'b', 'c', 'seg'];
const GOAL = 2;

/** What the script prints. */
interface FloorOutput {
  rows: number;
  baseMismatches: number;
  targetMismatches: number;
  /** ms: start (since the process started), read, bundle (the slower side), readAndBundle (side by side), execute, compare, total. */
  timings: Record<string, number>;
}

const medians = (objs: Record<string, number>[]): Record<string, number> => {
  const keys = [...new Set(objs.flatMap((o) => Object.keys(o)))];
  return Object.fromEntries(keys.map((k) => [k, median(objs.map((o) => o[k]).filter((x) => typeof x === 'number'))]));
};

const SECTIONS: Section[] = [
  {
    id: 'floor-start',
    title: 'process start: node -e 0, and featureguard --version (the CLI bundle loaded, no work)',
    run(ctx) {
      const runs = Math.max(ctx.opts.runs, 5);
      const node = measureProcess('node -e 0', process.execPath, ['-e', '0'], { runs });
      const version = measureProcess('featureguard --version', process.execPath, [CLI, '--version'], { runs });
      const n = ctx.record('floor-node', 'node -e 0 (process start)', node);
      const v = ctx.record('floor-cli-load', 'featureguard --version (start + CLI bundle loaded, no work)', version);
      ctx.state.floor = { ...ctx.state.floor, node: n.median, cliLoad: v.median };
    },
  },
  {
    id: 'floor-check',
    title: 'featureguard check of one feature vs the minimal script doing the same work (bench/floor/floorCheck.ts), alternated',
    async run(ctx) {
      if (!existsSync(BUILT_FLOOR)) throw new Error(`${BUILT_FLOOR} is missing: run \`node esbuild.mjs --bench\``);
      copyFileSync(BUILT_FLOOR, FLOOR);
      const feat = ctx.meta.features[0];
      const { file, exportName } = featureParts(feat);
      ctx.editFile(file, (text) => scaledFeatureText(text, exportName, 1.25));
      // As check-one: a repeated run finds the summary cache filled for this tree.
      fillSummaryCache(ctx.ws);
      const floorArgs = [FLOOR, ctx.ws, file, exportName, feat.name, 'data/main.parquet', String(ctx.params.rows), INPUTS.join(',')];
      const runFloor = () => {
        const r = runProcess(process.execPath, floorArgs, { cwd: ctx.ws });
        if (r.status !== 0) throw new Error(`floor script: exit ${r.status}: ${r.stderr.split('\n').slice(0, 6).join(' / ')}`);
        return r;
      };
      const runCheck = async () => {
        const r = await runProcessSampled(process.execPath, [CLI, 'check', '--format', 'json'], { cwd: ctx.ws });
        if (r.status !== 1) throw new Error(`featureguard check: exit ${r.status} (expected 1): ${r.stderr.split('\n').slice(-3).join(' / ') || r.stdout.slice(0, 300)}`);
        return r;
      };
      // Untimed, once each: the file system cache and node's compile cache as a repeated run finds them.
      runFloor();
      await runCheck();
      const checks: SampledRun[] = [], floors: ProcessRun[] = [];
      for (let i = 0; i < ctx.opts.runs; i++) {
        if (i % 2 === 0) checks.push(await runCheck()), floors.push(runFloor());
        else floors.push(runFloor()), checks.push(await runCheck());
      }
      const reports = checks.map((s) => JSON.parse(s.stdout) as CheckReport);
      const outs = floors.map((s) => JSON.parse(s.stdout) as FloorOutput);
      const timings = medians(reports.map((r) => r.summary.timings ?? {}));
      const phases = { durationMs: median(reports.map((r) => r.summary.durationMs)), ...timings };
      const c = ctx.record('floor-check', `featureguard check, 1 feature affected, ${fmtCount(ctx.params.rows)} rows (whole process)`, checks, { phases, generic: 'featureguard check, 1 feature' });
      const cpu = checks.map((s) => s.cpuMs).filter((x): x is number => x !== undefined);
      if (cpu.length) c.cpuMs = median(cpu);
      c.mainKB = Math.max(...checks.map((s) => s.mainKB));
      c.treeKB = Math.max(...checks.map((s) => s.treeKB));
      const f = ctx.record('floor-script', `minimal script: read ${INPUTS.length + 1} columns, bundle both versions, run them over the ${fmtCount(outs[0].rows)} rows, compare (whole process)`, floors, { generic: 'minimal script (the floor)' });
      const fcpu = floors.map((s) => s.cpuMs).filter((x): x is number => x !== undefined);
      if (fcpu.length) f.cpuMs = median(fcpu);
      c.ratio = `${(c.median / f.median).toFixed(2)}× floor`;
      f.ratio = '1.00×';
      const problems: string[] = [];
      reports.forEach((r, i) => checkReportProblems(r, [feat], ctx.params.rows).forEach((p) => problems.push(`check run ${i + 1}: ${p}`)));
      ctx.check('floor: the check\'s reports', problems.length === 0, `${reports.length} runs: ${feat.name} ${reports[0].features[0]?.verdict}/${reports[0].features[0]?.change?.kind}, ${reports[0].summary.rowsSampled} rows sampled${problems.length ? ' — ' + problems.slice(0, 4).join('; ') : ''}`);
      const wrong = outs.filter((o) => o.rows !== ctx.params.rows || o.baseMismatches !== 0 || o.targetMismatches !== o.rows);
      ctx.check('floor: the script\'s counts', wrong.length === 0, `every run: ${outs[0].rows} rows, the committed version equal to the stored column on ${outs[0].rows - outs[0].baseMismatches}, the edited one different on ${outs[0].targetMismatches}${wrong.length ? ` — ${wrong.length} runs differ: ${JSON.stringify(wrong[0])}` : ''}`);
      ctx.state.floor = { ...ctx.state.floor, check: c.median, floor: f.median, checkCpu: c.cpuMs, floorCpu: f.cpuMs, checkTimings: timings, durationMs: phases.durationMs, floorTimings: medians(outs.map((o) => o.timings)), rssKB: { check: c.rssKB, floor: f.rssKB } };
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Output

/** The check's time beside the floor's, step by step, from this run's medians. */
function breakdownTable(result: WorkspaceResult): string {
  const s = result.state.floor;
  if (!s?.check || !s.floorTimings) return '';
  const ft: Record<string, number> = s.floorTimings, ct: Record<string, number> = s.checkTimings ?? {};
  const ms = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : fmtMs(x));
  const diff = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) ? '—' : `${a - b >= 0 ? '+' : ''}${fmtMs(a - b)}`);
  const out = ['| step | floor (minimal script) | `featureguard check` | beyond the floor |', '| --- | ---: | ---: | ---: |'];
  const row = (step: string, f: number | undefined, c: number | undefined) => out.push(`| ${step} | ${ms(f)} | ${ms(c)} | ${diff(c, f)} |`);
  const node: number | undefined = s.node;
  const checkLoad = s.cliLoad !== undefined && node !== undefined ? s.cliLoad - node : undefined;
  row('process start (`node -e 0`)', node, node);
  row('loading the program (floor: its bundle, to its first line; check: `--version` − `node -e 0`)', node !== undefined ? ft.start - node : undefined, checkLoad);
  // The check's phases, generically: those with a counterpart in the script side by side with it.
  const counterpart: Record<string, string> = { read: 'read', bundle: 'bundle', execute: 'execute', statistics: 'compare' };
  const keys = [...new Set(['read', 'bundle', 'execute', 'statistics', ...Object.keys(ct)])];
  for (const k of keys) row(k === 'statistics' ? '`statistics` (floor: the comparison only)' : `\`${k}\``, counterpart[k] ? ft[counterpart[k]] : undefined, ct[k]);
  row('floor: read and both bundles side by side (wall)', ft.readAndBundle, undefined);
  const phaseSum = Object.values(ct).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  row('check: `durationMs` − the sum of its phases (phases overlap when negative)', undefined, s.durationMs - phaseSum);
  row('after the work until the process ended (wall − work − start; check: wall − `durationMs` − `--version`)', s.floor - ft.total, s.check - s.durationMs - (s.cliLoad ?? 0));
  row('**whole process (wall, median)**', s.floor, s.check);
  if (s.floorCpu !== undefined && s.checkCpu !== undefined) row('CPU, user + system (the check: with its workers)', s.floorCpu, s.checkCpu);
  return out.join('\n');
}

function goals(result: WorkspaceResult): Goal[] {
  const s = result.state.floor;
  if (!s?.check || !s.floor) return [];
  const ratio = s.check / s.floor;
  return [{ goal: `\`featureguard check\` of one feature ≤ ${GOAL}× the floor (a minimal script doing the same work), same run`, measured: `${ratio.toFixed(2)}× (${fmtMs(s.check)} vs ${fmtMs(s.floor)})`, met: ratio <= GOAL }];
}

function discussion(result: WorkspaceResult): string[] {
  const table = breakdownTable(result);
  if (!table) return [];
  const s = result.state.floor;
  return [
    'Where the check\'s time goes beyond the floor (medians of this run; the check\'s steps are its report\'s `summary.timings`, whatever keys it has;',
    'the script reads and bundles side by side and reports each step\'s time to completion, so its steps overlap as the check\'s do):',
    '',
    table,
    '',
    'The check\'s `bundle` is read back from its on-disk bundle cache (`.git/featureguard/bundles/`, filled by the untimed first run, as a',
    'repeated check finds it); the script has no cache and bundles both versions every run. Process start and program load are measured',
    'by separate processes, so small differences between them are noise.',
    `Peak RSS: the check ${s.rssKB?.check ? fmtMB(s.rssKB.check) : '—'} (largest process), the script ${s.rssKB?.floor ? fmtMB(s.rssKB.floor) : '—'}.`,
  ];
}

const METHOD = [
  '- **floor** (`bench/families/floor.ts`, `--only floor`): the default workspace\'s first feature scaled ×1.25 (as check-one), summary',
  '  cache filled; `featureguard check --format json` and the minimal script `bench/floor/floorCheck.ts` (bundled to out/bench/floor.js with',
  '  its libraries, as dist/cli.js is, and run from beside the run\'s copy of the CLI) as whole processes, alternated run by run after',
  '  one untimed run of each. The script reads the feature\'s input columns and its stored column of `data/main.parquet` (hyparquet +',
  '  hyparquet-compressors, the first `sampleRows` rows = all of them here), bundles the feature as committed (sources from one',
  '  `git cat-file --batch`) and as in the working tree with esbuild in memory — the three side by side — then runs both versions over',
  '  one row object per row and counts the values that differ from the stored column (relative tolerance 1e-9). No cache, no worker',
  '  process, no statistics. **Process start**: `node -e 0` and `featureguard --version` (whole processes, median).',
];

function readmeSubsection(result: WorkspaceResult, m: Machine, date: string, resultsFile: string, { readmeTable, goalsTable, loadAtStart }: ReadmeHelpers): string {
  return [
    '### Floor: the one-feature check against a minimal script',
    '',
    '`npm run bench -- --only floor` times `featureguard check` of one edited feature of the 500-module workspace (100k rows) against a',
    'hand-written minimal Node script doing the same work with the same libraries (`bench/floor/floorCheck.ts`: the Parquet columns with',
    'hyparquet, both versions bundled with esbuild, run over the rows, compared with the stored column), alternated in one run.',
    `Latest run, ${date}, ${m.nproc} shared cores (${m.cpu}), load average ${loadAtStart.split(' ')[0]} at the start and ${result.loadEnd} at the end`,
    `(method and all figures: \`${resultsFile}\`):`,
    '',
    readmeTable(result),
    '',
    goalsTable(result),
    '',
    ...discussion(result),
    '',
  ].join('\n');
}

export const FLOOR_WORKSPACE: Family = {
  /** The default TypeScript workspace (bench/work/ws-…), reused. */
  ...DEFAULT_TS_WORKSPACE,
  sections: SECTIONS,
  ratioOf: (r) => r.ratio,
  goals,
  goalsTitle: 'Goal (issue 14, the floor):',
  discussion,
  method: METHOD,
  readmeHeading: '### Floor',
  readmeSubsection,
};
