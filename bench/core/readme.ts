/** README.md's `## Benchmarks` section: its intro (the default workspace) and the families' `### ` subsections. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fmtMB, fmtMs } from './measure';
import { ROOT } from './paths';
import { goalsTable, loadAtStart, ratioOf } from './report';
import type { GoalContext, Machine, WorkspaceResult } from './types';

/** The README's shorter table of a workspace's figures. */
export function readmeTable(result: WorkspaceResult): string {
  const table = ['| figure | median | p95 | ratio | peak RSS |', '| --- | ---: | ---: | ---: | ---: |'];
  for (const r of result.rows.filter((x) => !x.skipped)) table.push(`| ${r.figure} | ${fmtMs(r.median)} | ${r.p95 !== undefined ? fmtMs(r.p95) : '—'} | ${ratioOf(r, result)} | ${r.rssKB ? fmtMB(r.rssKB) : '—'} |`);
  return table.join('\n');
}

/** The `## Benchmarks` section of README.md: the latest default-workspace table and the goals. */
export function readmeSection(result: WorkspaceResult, m: Machine, date: string, resultsFile: string, context: GoalContext): string {
  return [
    '## Benchmarks',
    '',
    '`npm run bench` generates a seeded workspace — 500 TypeScript modules in 10 layers, 50 features, a 100,000-row Parquet',
    'snapshot (`--large`: 2,000 modules, 200 features, 1,000,000 rows) — and measures static impact against `tsc --noEmit`,',
    '`featureguard check`, the statistics against scipy, and the language server over stdio; it checks every reported feature and',
    `verdict and exits 1 on a wrong one. Latest run, ${date}, ${m.nproc} shared cores (${m.cpu}), load average ${loadAtStart.split(' ')[0]} at the start`,
    `(method and all figures: \`${relative(ROOT, resultsFile)}\`):`,
    '',
    readmeTable(result),
    '',
    goalsTable(result, context),
    '',
  ].join('\n');
}

interface ReadmeParts {
  file: string;
  before: string;
  after: string;
  intro: string;
  /** [heading line, text] per `### ` subsection. */
  subs: [string, string][];
}

/**
 * README.md's `## Benchmarks` section split at its `### ` headings: the text before the first one,
 * then [heading line, text] per subsection (trailing blank lines dropped), and the README around it.
 */
function readReadmeSection(): ReadmeParts {
  const file = join(ROOT, 'README.md');
  const text = readFileSync(file, 'utf8');
  const m = /^## Benchmarks[ \t]*\n/m.exec(text);
  if (!m) return { file, before: text.replace(/\n*$/, '\n\n'), after: '', intro: '', subs: [] };
  const next = /^## /m.exec(text.slice(m.index + m[0].length));
  const end = next ? m.index + m[0].length + next.index : text.length;
  const [intro, ...rest] = text.slice(m.index, end).split(/^(?=### )/m);
  const trim = (t: string) => t.replace(/\n+$/, '');
  return { file, before: text.slice(0, m.index), after: text.slice(end), intro: trim(intro), subs: rest.map((t): [string, string] => [t.split('\n')[0], trim(t)]) };
}

function writeReadme({ file, before, after, intro, subs }: ReadmeParts): void {
  const section = [intro, ...subs.map(([, t]) => t)].filter(Boolean).join('\n\n') + '\n';
  writeFileSync(file, before + section + (after ? '\n' + after : ''));
}

/**
 * Replaces README.md's `## Benchmarks` section (up to the next `## ` heading), or appends it at the
 * end; its `### ` subsections that `section` does not write itself (the families') stay.
 */
export function writeReadmeSection(section: string): void {
  const readme = readReadmeSection();
  const own = section.replace(/\n+$/, '');
  writeReadme({ ...readme, intro: own, subs: readme.subs.filter(([heading]) => !own.includes(heading)) });
}

/** Replaces the `### ` subsection of `## Benchmarks` whose heading starts with `prefix`, or adds it at the end. */
export function writeReadmeSubsection(prefix: string, subsection: string): void {
  const readme = readReadmeSection();
  const text = subsection.replace(/\n+$/, '');
  const i = readme.subs.findIndex(([heading]) => heading.startsWith(prefix));
  const subs = [...readme.subs];
  if (i >= 0) subs[i] = [text.split('\n')[0], text];
  else subs.push([text.split('\n')[0], text]);
  writeReadme({ ...readme, intro: readme.intro || '## Benchmarks', subs });
}
