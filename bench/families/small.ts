/**
 * Small repositories (issue 14): `npm run bench -- --only small` runs them alone; a full run runs
 * them after the floor. Two generated TypeScript workspaces with short modules
 * (bench/generators/generateWorkspace.ts, `shape: 'short'`: one function and three constants per
 * module, ~40 lines): ~100 files (~4k lines) and ~700 files (~30k lines), 1,000-row snapshots (impact reads none).
 *
 *   small-start  `node -e 0` (a process start) and `featureguard --version` (start + the CLI bundle
 *                loaded, no work), whole processes: the fixed part of every run
 *   small-100,   on each workspace, in rounds (the order rotating, so all three see the same load):
 *   small-700    `tsc --noEmit -p WS` (TypeScript 7, node_modules/.bin/tsc); `featureguard impact
 *                --format json` after a new edit with the disk cache warm (filled by an untimed run
 *                first; every run edits another constant, or the same one to another value, so the
 *                edited text is never in the cache); and the same cold (.git/featureguard deleted
 *                before the run). Every report is checked against the generator's graph; the
 *                report's `summary.timings`, when it has one, is shown key by key.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { editConstant, impactCheck, lcg, type ImpactReport } from '../core/edits';
import { fmtMs, measureProcess, median, runProcess } from '../core/measure';
import { CLI, TSC } from '../core/paths';
import type { Family, Goal, Machine, MetaConstant, ProcessRun, ReadmeHelpers, Section, SectionContext, WorkspaceMeta, WorkspaceParams, WorkspaceResult } from '../core/types';
import { prepareWorkspace, privateClone } from '../core/workspace';
import { expectedImpact, generateWorkspace, generatorVersion } from '../generators/generateWorkspace';

/** ~100 files (90 modules + 4 feature files + 2) and ~700 files (680 + 10 + 2). */
const SMALL_100: WorkspaceParams = { modules: 90, features: 20, rows: 1000, seed: 1, shape: 'short' };
const SMALL_700: WorkspaceParams = { modules: 680, features: 50, rows: 1000, seed: 1, shape: 'short' };
const GOAL_WARM = 1.0;
const GOAL_COLD = 2.0;

interface SizeState {
  name: string;
  files: number;
  lines: number;
  modules: number;
  tsc: number;
  warm: number;
  cold: number;
  warmDuration: number;
  coldDuration: number;
  warmTimings?: Record<string, number>;
  coldTimings?: Record<string, number>;
}

const medianOf = (xs: number[]) => (xs.length ? median(xs) : NaN);
/** Medians of the reports' `summary.timings` key by key, or undefined when no report has one. */
function timingsOf(reports: ImpactReport[]): Record<string, number> | undefined {
  const all = reports.map((r) => r.summary.timings).filter((t): t is Record<string, number> => !!t && typeof t === 'object');
  if (!all.length) return undefined;
  const keys = [...new Set(all.flatMap((t) => Object.keys(t)))];
  return Object.fromEntries(keys.map((k) => [k, medianOf(all.map((t) => t[k]).filter((x) => typeof x === 'number'))]));
}
const durationOf = (r: ImpactReport) => Number((r.summary as Record<string, unknown>).durationMs ?? (r as unknown as Record<string, unknown>).durationMs ?? NaN);

/** The rounds on one workspace: tsc, impact warm, impact cold, each after a new edit (impact). */
async function measureSize(ctx: SectionContext, id: string, ws: string, meta: WorkspaceMeta): Promise<void> {
  const label = `${meta.files} files, ${meta.lines.toLocaleString('en-US')} lines`;
  const cacheDir = join(ws, '.git/featureguard');
  const reaching = meta.constants.filter((c) => expectedImpact(meta, c.id).length > 0);
  const rand = lcg(meta.args.seed * 31 + meta.modules);
  let k = 0;
  /** A new edit each time: a constant that reaches a feature, ×(1 + 0.01·k). */
  const nextEdit = (): { constant: MetaConstant; undo: () => void } => {
    const constant = reaching[Math.floor(rand() * reaching.length)];
    k++;
    return { constant, undo: editConstant(ws, constant, 1 + 0.01 * k) };
  };
  const impact = () => runProcess(process.execPath, [CLI, 'impact', '--format', 'json'], { cwd: ws });
  const problems: string[] = [];
  const timedImpact = (kind: string, before?: () => void): { run: ProcessRun; report: ImpactReport } => {
    before?.();
    const { constant, undo } = nextEdit();
    try {
      const run = impact();
      if (run.status !== 0) throw new Error(`featureguard impact (${kind}): exit ${run.status}: ${run.stderr.split('\n').slice(0, 4).join(' / ')}`);
      const report = JSON.parse(run.stdout) as ImpactReport;
      const { problems: p } = impactCheck(meta, report, constant);
      for (const x of p) problems.push(`${kind}, ${constant.id}: ${x}`);
      return { run, report };
    } finally {
      undo();
    }
  };
  // Untimed: the disk cache filled for the committed tree, node's compile cache and the file system warm.
  rmSync(cacheDir, { recursive: true, force: true });
  measureProcess('tsc (warm-up)', TSC, ['--noEmit', '-p', ws], { cwd: ws, runs: 1 });
  if (impact().status !== 0) throw new Error('featureguard impact (warm-up) failed');
  const tsc: ProcessRun[] = [], warm: { run: ProcessRun; report: ImpactReport }[] = [], cold: { run: ProcessRun; report: ImpactReport }[] = [];
  const steps: Record<string, () => void> = {
    tsc: () => tsc.push(...measureProcess('tsc', TSC, ['--noEmit', '-p', ws], { cwd: ws, runs: 1 })),
    warm: () => warm.push(timedImpact('warm')),
    // Cold, then the cache filled again untimed for the next warm run (as a warm run finds it).
    cold: () => {
      cold.push(timedImpact('cold', () => rmSync(cacheDir, { recursive: true, force: true })));
      impact();
    },
  };
  const order = ['tsc', 'warm', 'cold'];
  for (let i = 0; i < ctx.opts.runs; i++) for (let j = 0; j < order.length; j++) steps[order[(i + j) % order.length]]();
  const t = ctx.record(`${id}-tsc`, `tsc --noEmit (TS 7), ${label}`, tsc, { generic: 'tsc --noEmit' });
  const w = ctx.record(`${id}-warm`, `featureguard impact, a new edit, disk cache warm (${label})`, warm.map((x) => x.run), { generic: 'featureguard impact, new edit, warm cache' });
  const c = ctx.record(`${id}-cold`, `featureguard impact, a new edit, no cache (${label})`, cold.map((x) => x.run), { generic: 'featureguard impact, new edit, cold' });
  t.ratio = '1.00× tsc';
  w.ratio = `${(w.median / t.median).toFixed(2)}× tsc`;
  c.ratio = `${(c.median / t.median).toFixed(2)}× tsc`;
  ctx.check(`small ${id}: impact reports`, problems.length === 0, `${warm.length} warm + ${cold.length} cold runs, each after a new edit of a constant reaching ≥ 1 feature: exactly the generator's features${problems.length ? ' — ' + problems.slice(0, 4).join('; ') : ''}`);
  const size: SizeState = {
    name: id, files: meta.files, lines: meta.lines, modules: meta.modules, tsc: t.median, warm: w.median, cold: c.median,
    warmDuration: medianOf(warm.map((x) => durationOf(x.report))), coldDuration: medianOf(cold.map((x) => durationOf(x.report))),
    warmTimings: timingsOf(warm.map((x) => x.report)), coldTimings: timingsOf(cold.map((x) => x.report)),
  };
  ctx.state.small = { ...ctx.state.small, sizes: [...(ctx.state.small?.sizes ?? []), size] };
  if (!size.warmTimings) ctx.note(`${id}: summary.timings`, 'the impact reports have no `summary.timings`: only the whole-process split is shown');
}

const SECTIONS: Section[] = [
  {
    id: 'small-start',
    title: 'process start: node -e 0, and featureguard --version (the CLI bundle loaded, no work)',
    run(ctx) {
      const runs = Math.max(ctx.opts.runs, 5);
      const n = ctx.record('small-node', 'node -e 0 (process start)', measureProcess('node -e 0', process.execPath, ['-e', '0'], { runs }));
      const v = ctx.record('small-cli-load', 'featureguard --version (start + CLI bundle loaded, no work)', measureProcess('featureguard --version', process.execPath, [CLI, '--version'], { runs }));
      ctx.state.small = { ...ctx.state.small, node: n.median, cliLoad: v.median };
    },
  },
  {
    id: 'small-100',
    title: `~100 files (${SMALL_100.modules} short modules, ${SMALL_100.features} features): tsc --noEmit vs featureguard impact after a new edit, warm and cold`,
    async run(ctx) {
      const { meta } = await prepareWorkspace(SMALL_100, ctx.opts, SMALL_WORKSPACE);
      const ws = privateClone(meta.dir, 'small-100');
      ctx.defer(() => rmSync(ws, { recursive: true, force: true }));
      console.log(`   workspace: ${meta.files} files, ${meta.lines} lines (${ws})`);
      await measureSize(ctx, 'small-100', ws, meta);
    },
  },
  {
    id: 'small-700',
    title: `~700 files (${SMALL_700.modules} short modules, ${SMALL_700.features} features): tsc --noEmit vs featureguard impact after a new edit, warm and cold`,
    async run(ctx) {
      console.log(`   workspace: ${ctx.meta.files} files, ${ctx.meta.lines} lines (${ctx.ws})`);
      await measureSize(ctx, 'small-700', ctx.ws, ctx.meta);
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Output

function goals(result: WorkspaceResult): Goal[] {
  const out: Goal[] = [];
  for (const s of (result.state.small?.sizes ?? []) as SizeState[]) {
    const w = s.warm / s.tsc, c = s.cold / s.tsc;
    out.push({ goal: `${s.files} files: \`featureguard impact\` after a new edit, warm cache ≤ ${GOAL_WARM.toFixed(1)}× tsc`, measured: `${w.toFixed(2)}× (${fmtMs(s.warm)} vs ${fmtMs(s.tsc)})`, met: w <= GOAL_WARM });
    out.push({ goal: `${s.files} files: the same, cold (no cache) ≤ ${GOAL_COLD.toFixed(1)}× tsc`, measured: `${c.toFixed(2)}× (${fmtMs(s.cold)} vs ${fmtMs(s.tsc)})`, met: c <= GOAL_COLD });
  }
  return out;
}

/** Where the fixed time goes: the process start, the CLI load, the work the report times, the rest. */
function fixedTimeTable(result: WorkspaceResult): string {
  const st = result.state.small ?? {};
  const sizes = (st.sizes ?? []) as SizeState[];
  if (!sizes.length) return '';
  const keys = [...new Set(sizes.flatMap((s) => [...Object.keys(s.warmTimings ?? {}), ...Object.keys(s.coldTimings ?? {})]))];
  const ms = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : fmtMs(x));
  const out = [
    `| run | wall | \`node -e 0\` | CLI loaded (\`--version\` − \`node -e 0\`) | \`durationMs\` (in the CLI) | rest (wall − \`--version\` − \`durationMs\`) |${keys.map((k) => ` \`${k}\` |`).join('')}`,
    `| --- | ---: | ---: | ---: | ---: | ---: |${keys.map(() => ' ---: |').join('')}`,
  ];
  const load = st.cliLoad !== undefined && st.node !== undefined ? st.cliLoad - st.node : undefined;
  for (const s of sizes) {
    for (const [kind, wall, duration, timings] of [['warm', s.warm, s.warmDuration, s.warmTimings], ['cold', s.cold, s.coldDuration, s.coldTimings]] as const) {
      out.push(`| ${s.files} files, ${kind} | ${ms(wall)} | ${ms(st.node)} | ${ms(load)} | ${ms(duration)} | ${ms(wall - (st.cliLoad ?? NaN) - duration)} |${keys.map((k) => ` ${ms(timings?.[k])} |`).join('')}`);
    }
  }
  return out.join('\n');
}

function discussion(result: WorkspaceResult): string[] {
  const table = fixedTimeTable(result);
  if (!table) return [];
  const st = result.state.small ?? {};
  const sizes = (st.sizes ?? []) as SizeState[];
  return [
    'Where the fixed time goes (medians; the key columns are the impact report\'s `summary.timings` when it has one):',
    '',
    table,
    '',
    ...(sizes.some((s) => s.warmTimings) ? [] : ['(The impact reports of this build have no `summary.timings`.)']),
  ];
}

const METHOD = [
  '- **small repositories** (`bench/families/small.ts`, `--only small`): two workspaces of the TypeScript generator with short modules',
  `  (\`shape: 'short'\`: one function, three constants and a helper each): ${SMALL_100.modules} modules + ${SMALL_100.features} features (~100 files) and ${SMALL_700.modules} modules + ${SMALL_700.features}`,
  '  features (~700 files), 1,000-row snapshots. On each, in rounds whose order rotates: `tsc --noEmit -p WS` (node_modules/.bin/tsc),',
  '  `featureguard impact --format json` with the disk cache warm (the cache filled by an untimed run first and after every cold run)',
  '  and cold (`.git/featureguard/` deleted first), each impact run after a new edit (a seeded constant that reaches a feature, ×(1 + 0.01·k),',
  '  undone after the run): the edited text is never in the cache. One untimed tsc and impact first. **Process start**: `node -e 0` and',
  '  `featureguard --version` (whole processes, median). `durationMs` and `summary.timings` are the report\'s own.',
];

function readmeSubsection(result: WorkspaceResult, m: Machine, date: string, resultsFile: string, { goalsTable, loadAtStart }: ReadmeHelpers): string {
  const table = ['| figure | median | spread | ratio | runs | load |', '| --- | ---: | ---: | ---: | ---: | ---: |'];
  for (const r of result.rows.filter((x) => !x.skipped)) table.push(`| ${r.figure} | ${fmtMs(r.median)} | ${fmtMs(r.min)}–${fmtMs(r.max)} | ${r.ratio ?? '—'} | ${r.n} | ${r.load} |`);
  return [
    '### Small repositories: impact against tsc',
    '',
    `\`npm run bench -- --only small\` generates TypeScript workspaces of ~100 and ~700 files (short modules: ${((result.state.small?.sizes ?? []) as SizeState[]).map((s) => `${s.files} files, ${s.lines.toLocaleString('en-US')} lines`).join('; ')}) and times`,
    '`featureguard impact` after a new edit, with the disk cache warm and cold, against `tsc --noEmit` (TypeScript 7) on the same files,',
    `with the fixed costs apart. Latest run, ${date}, ${m.nproc} shared cores (${m.cpu}), load average ${loadAtStart.split(' ')[0]} at the start and`,
    `${result.loadEnd} at the end (method and all figures: \`${resultsFile}\`):`,
    '',
    table.join('\n'),
    '',
    goalsTable(result),
    '',
    ...discussion(result),
    '',
  ].join('\n');
}

export const SMALL_WORKSPACE: Family = {
  language: 'TypeScript',
  /** bench/work/small-ws-… (the ~700-file one; the ~100-file one is prepared by its section). */
  prefix: 'small-ws',
  params: SMALL_700,
  generate: generateWorkspace,
  generatorVersion,
  sections: SECTIONS,
  ratioOf: (r) => r.ratio,
  goals,
  goalsTitle: 'Goals (issue 14, small repositories):',
  discussion,
  method: METHOD,
  readmeHeading: '### Small repositories',
  readmeSubsection,
};
