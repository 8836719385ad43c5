/**
 * One bench run: the workspaces the options select, each through its family's sections, then the
 * results file and the README's `## Benchmarks` section. bench/main.ts calls `runBench`.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, relative } from 'node:path';
import { DATASETS_WORKSPACE } from '../families/datasets';
import { FLOOR_WORKSPACE } from '../families/floor';
import { MODELS_WORKSPACE } from '../families/models';
import { PYTHON_WORKSPACE } from '../families/python';
import { SAMPLING_WORKSPACE } from '../families/sampling';
import { SCALE_WORKSPACE } from '../families/scale';
import { SMALL_WORKSPACE } from '../families/small';
import { TYPESCRIPT_LARGE, TYPESCRIPT_WORKSPACE } from '../families/typescript';
import { hasTime } from './measure';
import { ONLY_FAMILIES, parseOptions } from './options';
import { BUILT_CLI, CLI, RESULTS, ROOT, TIME, TSC } from './paths';
import { readmeSection, readmeTable, writeReadmeSection, writeReadmeSubsection } from './readme';
import { goalsTable, loadAtStart, machine, phaseTable, report } from './report';
import type { BenchOptions, Family, GoalContext, WorkspaceParams, WorkspaceResult } from './types';
import { benchWorkspace } from './workspace';

/** Every workspace a run may measure, by name, in the order of a full run after the TypeScript ones. */
const WORKSPACES: Record<string, { family: Family; params: WorkspaceParams }> = {
  default: { family: TYPESCRIPT_WORKSPACE, params: TYPESCRIPT_WORKSPACE.params },
  large: { family: TYPESCRIPT_LARGE, params: TYPESCRIPT_LARGE.params },
  // bench/families/python: static impact, the language server, the parser and the data checks.
  python: { family: PYTHON_WORKSPACE, params: PYTHON_WORKSPACE.params },
  // bench/families/models.ts: the default workspace with ONNX models (issue 12).
  models: { family: MODELS_WORKSPACE, params: MODELS_WORKSPACE.params },
  // bench/families/datasets.ts: partitioned and remote snapshots, init (issue 13).
  datasets: { family: DATASETS_WORKSPACE, params: DATASETS_WORKSPACE.params },
  // bench/families/scale.ts: generated declarations, shards, the results cache (issue 14).
  scale: { family: SCALE_WORKSPACE, params: SCALE_WORKSPACE.params },
  // bench/families/floor.ts: the one-feature check against a minimal script doing the same (issue 14).
  floor: { family: FLOOR_WORKSPACE, params: FLOOR_WORKSPACE.params },
  // bench/families/small.ts: small generated repositories, impact against tsc (issue 14).
  small: { family: SMALL_WORKSPACE, params: SMALL_WORKSPACE.params },
  // bench/families/sampling.ts: entity and block sampling of a 10M-row event log (issue 15).
  sampling: { family: SAMPLING_WORKSPACE, params: SAMPLING_WORKSPACE.params },
};

/** The workspaces the options select, in order. */
function workspaceNames(opts: BenchOptions): string[] {
  const typescript = opts.largeOnly ? ['large'] : opts.large ? ['default', 'large'] : ['default'];
  if (opts.only && ONLY_FAMILIES.includes(opts.only)) return [opts.only];
  if (opts.only === 'typescript' || opts.largeOnly) return typescript;
  return [...typescript, ...ONLY_FAMILIES];
}

/** bench/results/bench-<date><suffix>.md: a partial run does not replace the full results. */
function resultsSuffix(opts: BenchOptions): string {
  const family = opts.only && ONLY_FAMILIES.includes(opts.only);
  const only = family ? `-${opts.only}` : opts.only === 'typescript' && !opts.largeOnly ? '-typescript' : '';
  return `${opts.largeOnly ? '-large-only' : opts.large && !family ? '-large' : ''}${only}${opts.sections ? '-partial' : ''}`;
}

export async function runBench(argv: string[]): Promise<number> {
  const opts = parseOptions(argv);
  if (!existsSync(BUILT_CLI)) throw new Error(`${BUILT_CLI} is missing: run \`npm run build\` first`);
  rmSync(dirname(CLI), { recursive: true, force: true });
  cpSync(dirname(BUILT_CLI), dirname(CLI), { recursive: true });
  process.on('exit', () => rmSync(dirname(CLI), { recursive: true, force: true }));
  const cliHash = createHash('sha1').update(readFileSync(CLI)).digest('hex').slice(0, 12);
  const probe = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error(`${CLI} (copy of ${BUILT_CLI}) does not run: ${probe.stderr.split('\n').slice(0, 6).join('\n')}`);
  // What users run is the production build (`npm run bench` makes it); a development build (source
  // maps, unminified: slower to load) is measured too, and says so.
  const build = readFileSync(join(dirname(BUILT_CLI), 'cli-main.js'), 'utf8').includes('//# sourceMappingURL=') ? 'development build (unminified, with source maps)' : 'production build (minified, as shipped)';
  console.log(`featureguard: ${BUILT_CLI}, ${build} (dist/ copied to ${dirname(CLI)}, cli.js sha1 ${cliHash}); load average ${loadAtStart}`);
  if (!existsSync(TSC)) throw new Error(`${TSC} is missing: run \`npm ci\``);
  if (!hasTime) console.log(`note: ${TIME} not found (apt-get install -y time): no peak RSS`);

  const results: WorkspaceResult[] = [];
  /** What a workspace's goals may refer to: every result of this run, the README as it was. */
  const context: GoalContext = { results, readme: () => readFileSync(join(ROOT, 'README.md'), 'utf8') };
  for (const name of workspaceNames(opts)) {
    const { family, params } = WORKSPACES[name];
    const own = Object.fromEntries(Object.entries(family.options ?? {}).filter(([k]) => !opts.given?.[k as 'checkRuns']));
    results.push(await benchWorkspace(name, params, { ...opts, ...own }, family));
  }

  const date = new Date().toISOString().slice(0, 10);
  const m = machine();
  const md = report(results, m, date, `${cliHash}, the ${build}`, context);
  console.log('\n' + md);
  if (opts.write) {
    mkdirSync(RESULTS, { recursive: true });
    const file = join(RESULTS, `bench-${date}${resultsSuffix(opts)}.md`);
    writeFileSync(file, md);
    console.log(`written to ${file}`);
    if (opts.readme && !opts.sections) {
      const small = results.find((r) => r.name === 'default');
      if (small) {
        writeReadmeSection(readmeSection(small, m, date, file, context));
        console.log('README.md: ## Benchmarks section updated');
      }
      const helpers = { readmeTable, goalsTable: (r: WorkspaceResult) => goalsTable(r, context), phaseTable, loadAtStart, context };
      for (const r of results) {
        const { readmeHeading, readmeSubsection } = r.lang;
        if (!readmeHeading || !readmeSubsection) continue;
        writeReadmeSubsection(readmeHeading, readmeSubsection(r, m, date, relative(ROOT, file), helpers));
        console.log(`README.md: ${readmeHeading} subsection updated`);
      }
    }
  }
  const correct = results.every((r) => r.correct);
  console.log(`results correct: ${correct ? 'yes' : 'NO'}`);
  return correct ? 0 : 1;
}
