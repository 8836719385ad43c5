/**
 * FeatureGuard benchmarks (`npm run bench`: builds dist/ and out/bench/, then runs
 * out/bench/run.js — this file, bundled by `node esbuild.mjs --bench`).
 *
 *   npm run bench                      the 500-module / 50-feature / 100k-row workspace, then the
 *                                      Python one (bench/families/python), the models sections
 *                                      (families/models.ts), the datasets sections (families/datasets.ts),
 *                                      the scale sections (families/scale.ts), the floor of the
 *                                      one-feature check (families/floor.ts), the small repositories
 *                                      (families/small.ts) and sampling that keeps neighbours (families/sampling.ts)
 *   npm run bench -- --large           also the 2000-module / 200-feature / 1M-row one (or BENCH_LARGE=1)
 *   npm run bench -- --only NAME       one family alone: python, typescript (the TypeScript workspaces),
 *                                      models, datasets, scale (generated declarations, shards, the
 *                                      results cache warm and cold), floor (check vs a minimal script),
 *                                      small (~100- and ~700-file repositories: impact vs tsc), sampling
 *                                      (uniform, entity and block sampling of a 10M-row Parquet event log)
 *   options: --runs N (whole-process runs per figure, default 5), --edits N (warm edits, default 20),
 *            --regenerate (do not reuse a workspace generated earlier), --no-write (no results file),
 *            --keep (keep the private clone the measurements ran in)
 *
 * Workspaces are generated into bench/work/ (gitignored) and reused while the generator, its
 * arguments and the workspace's commit are unchanged and its working tree is clean. Each run
 * measures in a private `git clone --local` of it (bench/work/run-<pid>-<name>, removed after).
 * dist/ is copied to bench/work/dist-<pid> at the start, so a rebuild during the run changes nothing.
 *
 * Sections of the TypeScript workspaces (families/typescript, in this order; `--sections a,b` runs some only):
 *   tsc, impact-cold, impact-cached, impact-touched-snapshot, impact-warm, impact-session — static impact
 *     against `tsc --noEmit` (impact.ts); every impact figure is checked against the generator's reference graph;
 *   check-one, check-all — `featureguard check` (whole process) after scaling the body of one feature
 *     function, or of every one, by 1.25 (check.ts): wall time, peak RSS, the report's phase split
 *     (summary.timings); every run's features and verdicts are checked;
 *   stats — numericDrift on n vs n values (n = the workspace's rows) against scipy's ks_2samp +
 *     wasserstein_distance + a numpy PSI (Debian's /usr/bin/python3), values checked to agree (statistics.ts);
 *   stats-mixed — a numeric feature's checkFeature in processes of numeric features only vs processes that
 *     also check categorical features, and the numeric arrays' element kind (statistics.ts);
 *   lsp — `featureguard lsp --stdio` over a real JSON-RPC connection: keystroke → impact
 *     diagnostics p50/p95, save → value.mismatch diagnostics, the server's VmHWM (server.ts; warmBaseValues off);
 *   lsp-warmup — the server's background warm-up of base values (warmBaseValues on): its duration for every
 *     feature, VmRSS before → after, the first save-check of every feature after it vs warm-up off (warmup.ts).
 *   more options: --check-runs N (runs of the all-features check, default 3), --keystrokes N
 *   (default 50), --saves N (default 5), --stats-reps N (default 20), --large-only, --no-readme;
 *   --py-runs N (runs of pyright, cold impact and the parse process of the Python workspace, default 3);
 *   FG_BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=DIR' profiles the language server.
 *   Every other family describes its sections at the top of its module.
 *
 * Output: bench/results/bench-<date>[-large|-python|-models|-datasets|-scale|-floor|-small|-sampling].md (machine,
 * load average, tables, goals, correctness checks, growth from default to large) and, for a run of
 * all sections, README.md's `## Benchmarks` section (the default workspace) and each family's `### `
 * subsection of it. Exit 1 when a check failed, 2 when the bench itself failed.
 *
 * Structure, so more measurements can be added: a *family* (core/types.ts `Family`) is a workspace
 * and its sections, goals and README subsection, registered in core/run.ts; a *section* is
 * `{ id, title, run(ctx) }`. `run` may measure (ctx.record: a row of the table), check (ctx.check: a
 * correctness line; a failed check makes the run exit 1), note (ctx.note), edit the workspace
 * through ctx.edit / ctx.editFile and register clean-up with ctx.defer (all undone after the
 * section, whatever happens), and keep what its goals need in ctx.state. Shared: core/measure.ts
 * (whole-process timing, RSS, formatting), core/edits.ts (constant edits, impact checks against the
 * generator's graph), core/checkSection.ts (the check figures), core/lspClient.ts (the language
 * client, keystrokes), core/engine.ts (the engine bundled for in-process figures), core/paths.ts.
 */
import { runBench } from './core/run';

// The results cache (.git/featureguard/results/, issue 14) would make every repeated `check` of a
// section a warm one: the figures here are of cold checks, comparable run to run, so the CLI and
// the server started by the benchmark keep no values on disk (the bound 0 empties it each run).
// Families that measure the cache set their own bound for the processes they start.
process.env.FEATUREGUARD_RESULTS_CACHE_MB ??= '0';

runBench(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    console.error(`bench: ${err.stack ?? err}`);
    process.exitCode = 2;
  },
);
