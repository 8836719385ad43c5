/**
 * The TypeScript workspaces (default: 500 modules, 50 features, 100k rows; --large: 2,000 / 200 /
 * 1M): static impact against tsc (impact.ts), `featureguard check` (check.ts), the statistics
 * against scipy (statistics.ts), the language server (server.ts) and its background warm-up of base
 * values (warmup.ts). Their goals are issue 6's.
 */
import { fmtMB, fmtMs } from '../../core/measure';
import type { Family, Goal, WorkspaceResult } from '../../core/types';
import { CHECK_SECTIONS } from './check';
import { IMPACT_SECTIONS } from './impact';
import { SERVER_SECTIONS } from './server';
import { STATISTICS_SECTIONS } from './statistics';
import { WARMUP_SECTIONS } from './warmup';
import { DEFAULT_TS_WORKSPACE } from '../../core/defaultWorkspace';

/** How the TypeScript workspaces are measured (the Python one: PYTHON_WORKSPACE.method). */
const METHOD = [
  '- **impact**: one layer-0 constant edited (×1.25) in the working tree. **cold**: `.git/featureguard/` deleted before each run;',
  '  **cache present**: the same edit again. **snapshot file touched**: `data/main.parquet` given a new mtime (same bytes) before one run.',
  '- **in-process runImpact** is a *proxy* for a warm editor: `runImpact({ cwd, diskCache: true })` called repeatedly after editing',
  '  one constant of a random module on disk. **WorkspaceSession.impact** is the language server\'s warm path without the LSP transport.',
  '- **check**: `featureguard check --format json` after rewriting feature function bodies `return EXPR;` → `return 1.25 * (EXPR);`',
  '  (one feature, or every feature), on every sampled row of the snapshot; the summary cache is filled first (an `impact` run), as a',
  '  repeated run finds it. Exit code 1 is expected (error findings). Every run\'s report is checked: exactly the edited features, each',
  '  `changed`, affine with slope 1.25, a value.mismatch error on all rows. The phase split is the report\'s own `summary.timings`',
  '  (`impact` is durationMs minus the other phases, computed by FeatureGuard). Memory of `check` is also sampled every 50 ms from',
  '  /proc: the CLI process\'s own VmHWM and the summed RSS of the CLI and its worker processes at the same moment.',
  '- **statistics**: `numericDrift` (engine/stats/numericDrift.ts, bundled with esbuild) on two seeded arrays in one process (3 warm-up',
  '  calls, then the timed ones), against Debian\'s `/usr/bin/python3` running scipy\'s `ks_2samp` (which also computes a p-value) +',
  '  `wasserstein_distance` + `np.std` + a numpy PSI on the same bytes, timed in the Python process; the values must agree.',
  '  **stats-mixed**: a numeric feature\'s whole statistics (`checkFeature`, as the check calls it: base, an equal stored column, the',
  '  target ×1.25, arrays made by `doubles`) in fresh processes (5 a mode, alternated; 10 features of warm-up, then 20 timed) that',
  '  check numeric features only, or also a categorical feature (5 labels × hi/lo, one row in ten relabelled) before each; the',
  '  numeric arrays\' element kind is read with V8\'s `%HasDoubleElements` after their statistics.',
  '- **language server**: `featureguard lsp --stdio` spawned and spoken to with vscode-jsonrpc like an editor, settings',
  '  `{ runDataChecks: \'onSave\', warmBaseValues: false }` answered to `workspace/configuration` (no background warm-up of base',
  '  values, so these figures stay comparable with those from before it existed). A *keystroke* is a didChange of one constant\'s literal in an',
  '  open buffer (the previous one restored), timed until the publishDiagnostics whose `impact` diagnostic names that constant; the',
  '  server starts static impact at the next event-loop turn (no debounce). A *save* is a feature edit (a new factor each time),',
  '  written to disk, timed from didSave to the publishDiagnostics with a `value.mismatch` for it; then undone and saved again.',
  '  Peak RSS of the server is VmHWM from /proc/PID/status (the server process; feature code runs in worker processes).',
  '- **warm-up** (`featureguard.warmBaseValues`): per run (at most 3), two servers in turn, warm-up on then off, each on a fresh',
  '  clone (results cache empty, its default 256 MB bound as in an editor), `{ runDataChecks: \'onSave\', warmBaseValues }`. The',
  '  warm-up is timed from the first `warming` status to the idle status after `warming` reached N/N; VmRSS at the first idle →',
  '  after the warm-up (ratio column). Then every feature is scaled on disk, one feature file saved in the editor, timed didSave →',
  '  the idle status of that check (ratio: on / off of the same run, median); the report\'s `summary.cache` is checked',
  '  (`baseHits` N with the warm-up, 0 without). Peak RSS of these rows: the server\'s VmHWM (the all-features check included).',
];

/** The goals of the issue, each with the measured figure (only those this run measured). */
function goalsOf(result: WorkspaceResult): Goal[] {
  const row = (id: string) => result.rows.find((x) => x.id === id && !x.skipped);
  const goals: Goal[] = [];
  const add = (goal: string, measured: string, met: boolean | undefined) => goals.push({ goal, measured, met });
  const tsc = row('tsc'), cached = row('impact-cached');
  if (tsc && cached) add('repeated `featureguard impact` ≤ 1.0× tsc', `${(cached.median / tsc.median).toFixed(2)}× (${fmtMs(cached.median)} vs ${fmtMs(tsc.median)})`, cached.median <= tsc.median);
  const key = row('lsp-keystroke');
  if (key) {
    add('keystroke → impact diagnostics p50 ≤ 20 ms', fmtMs(key.median), key.median <= 20);
    add('keystroke → impact diagnostics p95 ≤ 50 ms', `${fmtMs(key.p95 ?? NaN)}`, (key.p95 ?? NaN) <= 50);
  }
  const one = row('check-one'), all = row('check-all');
  if (one) add('`featureguard check` of one feature ≤ 1 s', fmtMs(one.median), one.median <= 1000);
  if (all) add(`\`featureguard check\` of ${result.meta.features.length} features ≤ ${result.meta.features.length === 50 ? '5 s' : '5 s (goal set for 50)'}`, fmtMs(all.median), all.median <= 5000);
  const js = row('stats-js'), py = row('stats-scipy');
  if (js && py) add('statistics ≥ 3× faster than scipy', `${(py.median / js.median).toFixed(1)}× (${fmtMs(js.median)} vs ${fmtMs(py.median)})`, py.median / js.median >= 3);
  else if (js) add('statistics ≥ 3× faster than scipy', result.rows.find((x) => x.id === 'stats-scipy')?.skipped ?? 'scipy not measured', undefined);
  // The server of the lsp section (warm-up off); the warm-up section's servers check every feature.
  const server = result.rows.filter((r) => r.id.startsWith('lsp') && !r.id.startsWith('lsp-warmup') && r.rssKB);
  if (server.length) {
    const kb = Math.max(...server.map((r) => r.rssKB ?? 0));
    add('language server RSS ≤ 400 MB', `${fmtMB(kb)} (VmHWM)`, kb <= 400 * 1024);
  }
  return goals;
}

/** The default TypeScript workspace; core/report.ts and core/readme.ts write its tables and the README's intro. */
export const TYPESCRIPT_WORKSPACE: Family = {
  ...DEFAULT_TS_WORKSPACE,
  sections: [...IMPACT_SECTIONS, ...CHECK_SECTIONS, ...STATISTICS_SECTIONS, ...SERVER_SECTIONS, ...WARMUP_SECTIONS],
  method: METHOD,
  goals: goalsOf,
};

/** The large one (`--large`): the same sections on 2,000 modules, 200 features, 1M rows. */
export const TYPESCRIPT_LARGE: Family = {
  ...TYPESCRIPT_WORKSPACE,
  params: { modules: 2000, features: 200, rows: 1_000_000, seed: 1 },
  // 200 features × 1M rows: one all-features check takes tens of minutes on 2 cores.
  options: { checkRuns: 1 },
};
