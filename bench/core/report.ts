/**
 * The results file (bench/results/bench-<date>….md): machine, method, per workspace its table,
 * phases, goals, discussion, checks and notes, and the growth from the default to the large workspace.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { PHASES } from './checkSection';
import { expectedImpact } from '../generators/generateWorkspace';
import { fmtCount, fmtMB, fmtMs } from './measure';
import { ROOT, TSC } from './paths';
import type { GoalContext, Machine, Row, WorkspaceResult } from './types';

/** FeatureGuard's commit when the bench started (others may commit during a long run). */
export const commitAtStart = (() => {
  try {
    return execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
})();
export const loadAtStart = (() => {
  try {
    return readFileSync('/proc/loadavg', 'utf8').trim();
  } catch {
    return '(unavailable)';
  }
})();

/** The ratio column: what the row says, what its family says, or to tsc for the static figures. */
export function ratioOf(r: Row, result: WorkspaceResult): string {
  if (r.ratio) return r.ratio;
  if (result.lang.ratioOf) return result.lang.ratioOf(r, result) ?? '—';
  const tsc = result.rows.find((x) => x.id === 'tsc');
  return tsc && /^(tsc|impact)/.test(r.id) ? `${(r.median / tsc.median).toFixed(2)}× tsc` : '—';
}

export function markdownTable(result: WorkspaceResult): string {
  const out = [
    '| figure | median | spread (min–max) | p95 | ratio | peak RSS | runs | load |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of result.rows) {
    if (r.skipped) out.push(`| ${r.figure} | — | — | — | — | — | 0 | ${r.load} |`);
    else out.push(`| ${r.figure} | ${fmtMs(r.median)} | ${fmtMs(r.min)}–${fmtMs(r.max)} | ${r.p95 !== undefined ? fmtMs(r.p95) : '—'} | ${ratioOf(r, result)} | ${r.rssKB ? fmtMB(r.rssKB) : '—'} | ${r.n} | ${r.load} |`);
  }
  return out.join('\n');
}

/** The phase split of the check figures (the report's `summary.timings`, medians of the runs). */
export function phaseTable(result: WorkspaceResult): string {
  const rows = result.rows.filter((r) => r.phases);
  if (!rows.length) return '';
  const out = [
    `| figure | process wall | durationMs | ${PHASES.join(' | ')} | CPU, CLI + workers | CLI process peak RSS | CLI + workers, summed peak |`,
    `| --- | ---: | ---: | ${PHASES.map(() => '---:').join(' | ')} | ---: | ---: | ---: |`,
  ];
  const mb = (kb: number | undefined) => (kb ? fmtMB(kb) : '—');
  for (const r of rows) {
    const phases = r.phases!;
    out.push(`| ${r.figure} | ${fmtMs(r.median)} | ${fmtMs(phases.durationMs)} | ${PHASES.map((k) => (Number.isFinite(phases[k]) ? `${Math.round(phases[k])} ms` : '—')).join(' | ')} | ${r.cpuMs !== undefined ? fmtMs(r.cpuMs) : '—'} | ${mb(r.mainKB)} | ${mb(r.treeKB)} |`);
  }
  return out.join('\n');
}

/** How each figure grows from the default workspace to the large one. */
export function growthTable(small: WorkspaceResult, large: WorkspaceResult): string {
  const out = [
    `| figure | ${small.params.modules} modules / ${fmtCount(small.params.rows)} rows | ${large.params.modules} modules / ${fmtCount(large.params.rows)} rows | growth | peak RSS, small → large | RSS growth |`,
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const a of small.rows) {
    const b = large.rows.find((x) => x.id === a.id);
    if (!b || a.skipped || b.skipped) continue;
    const rss = a.rssKB && b.rssKB ? [`${fmtMB(a.rssKB)} → ${fmtMB(b.rssKB)}`, `${(b.rssKB / a.rssKB).toFixed(2)}×`] : ['—', '—'];
    out.push(`| ${a.generic ?? a.figure} | ${fmtMs(a.median)} | ${fmtMs(b.median)} | ${(b.median / a.median).toFixed(2)}× | ${rss[0]} | ${rss[1]} |`);
  }
  return out.join('\n');
}

export function goalsTable(result: WorkspaceResult, context: GoalContext): string {
  const goals = result.lang.goals?.(result, context) ?? [];
  if (!goals.length) return '';
  return ['| goal | measured | |', '| --- | ---: | --- |', ...goals.map((g) => `| ${g.goal} | ${g.measured} | ${g.met === undefined ? '—' : g.met ? 'met' : '**missed**'} |`)].join('\n');
}

export function machine(): Machine {
  const sh = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8' }).trimEnd();
    } catch {
      return '(unavailable)';
    }
  };
  return {
    nproc: sh('nproc', []),
    cpu: cpus()[0]?.model ?? '?',
    free: sh('free', ['-g']),
    node: process.version,
    tsc: sh(TSC, ['--version']),
    git: sh('git', ['--version']),
    commit: sh('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']),
    load: sh('cat', ['/proc/loadavg']),
  };
}

const METHOD_COMMON = [
  'The CLI and the server measured are `dist/` as `npm run bench` builds it (`esbuild.mjs --production`): minified, what the VSIX and the',
  'npm package ship (the header above says which build ran).',
  'Whole-process figures are wall time of a fresh process, median of the runs, peak RSS from `/usr/bin/time -f %M`',
  '(for `check`: the largest of the CLI process and the worker processes it waited for — GNU time reports the maximum, not the sum);',
  'every run is in a private `git clone --local` of the generated workspace. The **load** column is the 1-minute load average',
  'when the figure was recorded: this 2-core machine is shared with other jobs, so compare medians and look at the spread.',
  'The phase tables\' **CPU** column is user + system time from `/usr/bin/time` (the CLI and the workers it waited for, median):',
  'it changes little with the load, which the wall times do.',
];

export function report(results: WorkspaceResult[], m: Machine, date: string, cliBuild: string, context: GoalContext): string {
  const L = [`# FeatureGuard benchmark — ${date}`, ''];
  L.push(`Machine: ${m.nproc} CPUs (${m.cpu}), node ${m.node}, tsc ${m.tsc.replace(/^Version /, '')}, ${m.git}; FeatureGuard at ${commitAtStart} (built from the working tree when the run started; dist/cli.js sha1 ${cliBuild}).`, '');
  L.push('```', `$ nproc\n${m.nproc}\n$ free -g\n${m.free}\n$ cat /proc/loadavg   # at the start and at the end of the run: other jobs share this machine\n${loadAtStart}\n${m.load}`, '```', '');
  L.push(...METHOD_COMMON, '');
  for (const method of new Set(results.map((r) => r.lang.method))) L.push(...method, '');
  for (const r of results) {
    const { meta } = r;
    L.push(`## ${r.name}: ${meta.modules} modules, ${meta.features.length} features, ${r.params.rows} rows`, '');
    L.push(`${meta.lines} lines of ${r.lang.language} in ${meta.files} files (${meta.layers} layers); seed ${r.params.seed}; commit ${meta.commit.slice(0, 12)}${r.generatedMs !== undefined ? `; generated in ${(r.generatedMs / 1000).toFixed(1)} s` : ''}.`);
    L.push(`${r.editConstant ? `Edit for the impact runs: \`${r.editConstant.id}\` ×1.25 (reaches ${expectedImpact(meta, r.editConstant.id).length} features). ` : ''}Load average at the end: ${r.loadEnd}.`, '');
    L.push(markdownTable(r), '');
    const phases = (r.lang.phaseTable ?? phaseTable)(r);
    if (phases) L.push('Phases of `featureguard check` (the report\'s `summary.timings`, median of the runs):', '', phases, '');
    const goals = goalsTable(r, context);
    if (goals) L.push(r.lang.goalsTitle ?? (r.name === 'default' ? 'Goals (issue 6):' : 'Goals (issue 6; set for the default workspace, shown here for reference):'), '', goals, '');
    const discussion = r.lang.discussion?.(r, context) ?? [];
    if (discussion.length) L.push(...discussion, '');
    for (const c of r.checks) L.push(`- check ${c.label}: ${c.ok ? 'ok' : '**WRONG**'} — ${c.detail}`);
    for (const n of r.notes) L.push(`- note ${n.label}: ${n.detail}`);
    L.push(`- results correct: ${r.correct ? 'yes' : '**no**'}`, '');
  }
  const small = results.find((r) => r.name === 'default');
  const large = results.find((r) => r.name === 'large');
  if (small && large) L.push('## Growth from the default to the large workspace', '', growthTable(small, large), '');
  return L.join('\n');
}
