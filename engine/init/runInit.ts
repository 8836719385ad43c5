/**
 * `featureguard init [--force] [--dry-run]` (SPEC §6): a starter `featureguard.json` at the
 * repository root that works on the first `featureguard check`. Finds the snapshots and the
 * candidate functions, runs the candidates on a few hundred sampled rows of each snapshot in the
 * workers `check` uses, and writes the functions that reproduce a stored column as features. What
 * it found is returned as text for people: the snapshots, the matches with their rates, the
 * columns that look like features but no code reproduces, and the functions that match nothing.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Config, SnapshotConfig } from '../config/configTypes';
import { CONFIG_FILE_NAME, parseConfig } from '../config/loadConfig';
import type { LoadedSnapshot } from '../data/snapshotLoader';
import { SnapshotLoader } from '../data/snapshotLoader';
import { UserError } from '../errors';
import { openRepo } from '../git/gitRepo';
import { workspaceFrontEnd } from '../lang/frontEnds';
import { gitSides } from '../sources/gitSides';
import { configText, runningSchemaPath, schemaReference, type StarterFeature } from './configText';
import { findCandidates, inputsOf, isCandidateFile, type Candidate } from './findCandidates';
import { findSnapshots, nameOf, repositoryFiles, type FoundSnapshot } from './findSnapshots';
import { isRemotePath } from '../data/resolveSnapshot';
import { assignMatches, MATCH_RATE, matchRates, nameSimilarity, type MatchPair } from './matchColumns';
import { pythonRoots } from './pythonRoots';
import { bundleTypescript, pythonFor, runCandidates, type CandidateRun, type PythonRuntime, type RunContext, type TsBundle } from './runCandidates';
import { proposeSampling, type SamplingProposal } from '../fixes/proposeSampling';

export interface InitOptions {
  cwd: string;
  force?: boolean;
  dryRun?: boolean;
  /** The running CLI bundle (for `$schema`). */
  bundleFile?: string;
  /** `--snapshot`: snapshots to use beside those found (URLs as given; local paths relative to `cwd`). */
  snapshots?: string[];
  /** Rows sampled to match functions with columns (default 300). */
  matchRows?: number;
}

export interface InitResult {
  configPath: string;
  text: string;
  written: boolean;
  /** The human summary (stdout). */
  summary: string;
}

/** Rows the written config samples per snapshot, and the seed. */
export const STARTER_SAMPLE_ROWS = 5000;
export const STARTER_SEED = 0;
const MATCH_ROWS = 300;
const MATCH_SEED = 0;

export async function runInit(options: InitOptions): Promise<InitResult> {
  const repo = await openRepo(options.cwd);
  const root = repo.root;
  const configPath = join(root, CONFIG_FILE_NAME);
  if (existsSync(configPath) && !options.force && !options.dryRun) throw new UserError(`${CONFIG_FILE_NAME} already exists; run \`featureguard init --force\` to overwrite it`);
  const files = repositoryFiles(root);
  const given = (options.snapshots ?? []).map((p) => givenSnapshot(p, options.cwd, root));
  const found = [...given, ...(await findSnapshots(root, files)).filter((f) => !given.some((g) => g.path.replace(/\/+$/, '') === f.path.replace(/\/+$/, '')))];
  // Names stay unique: a given snapshot named like a found one gets a number.
  const seen = new Set<string>();
  for (const f of found) {
    let name = f.name;
    for (let i = 2; seen.has(name); i++) name = `${f.name}_${i}`;
    seen.add((f.name = name));
  }
  if (found.length === 0) throw new UserError('no snapshot found: no Parquet, Arrow or CSV file (nor folder of Parquet parts) in this repository (outside node_modules, virtual environments, dist and build); add a sample of your feature store, or name one with `featureguard init --snapshot s3://bucket/key` (or an https:// URL, a folder, a glob)');

  const fileSet = new Set(files);
  const codeFiles = files.filter(isCandidateFile);
  const roots = pythonRoots(codeFiles.filter((p) => p.endsWith('.py')), fileSet);
  const pyPaths = roots.length ? roots : [''];
  const config = matchConfig(root, found, pyPaths, options.matchRows ?? MATCH_ROWS);
  const frontEnd = workspaceFrontEnd(pyPaths);
  const sides = await gitSides(repo, 'HEAD', 'worktree', (p) => frontEnd.handles(p), frontEnd.pathspecs);
  const tree = sides.target;
  const texts = await tree.readMany(codeFiles.filter((p) => tree.has(p)));
  const { candidates, tagged } = await findCandidates(frontEnd, texts);

  const notes: string[] = [];
  const ctx: RunContext = { root, tree, frontEnd, config, timeoutMs: config.timeoutMs, notes };
  const loader = new SnapshotLoader();
  const loaded = new Map<string, LoadedSnapshot>();
  const unread = new Map<string, string>();
  for (const s of found) {
    try {
      loaded.set(s.name, await loader.load(config, s.name));
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      unread.set(s.name, err.message);
    }
  }
  const bundle = await bundleTypescript(ctx, candidates);
  const python = pythonFor(ctx, candidates);
  const runs: CandidateRun[] = [];
  for (const [name, l] of loaded) runs.push(...(await runCandidates(ctx, candidates, name, l, bundle, python)));
  const { samplings, sampleOf } = await trySamplings(ctx, candidates, loaded, runs, bundle, python);

  // Every run compared with the columns it may reproduce.
  const pairs: MatchPair[] = [];
  const pairRun = new Map<MatchPair, CandidateRun>();
  const readColumns = new Map<string, Set<string>>();
  /** For a function that matches nothing: the column it comes closest to (above half the rows). */
  const closest = new Map<number, string>();
  for (const run of runs) {
    const l = sampleOf.get(run) ?? loaded.get(run.snapshot)!;
    const names = l.sample.columns.map((c) => c.name);
    const inputs = inputsOf(candidates[run.candidate], names);
    if (run.output) inputs.delete(run.output);
    const read = readColumns.get(run.snapshot) ?? new Set();
    for (const c of inputs) read.add(c);
    readColumns.set(run.snapshot, read);
    if (!run.values) continue;
    const compared = new Map<string, readonly unknown[]>();
    for (const n of run.output ? [run.output] : names) compared.set(n, l.column(n)?.values ?? []);
    const near = matchRates(run.values, compared, inputs, 0.5)[0];
    if (near && near.rate < MATCH_RATE) closest.set(run.candidate, `${run.snapshot}.${near.column} on ${Math.floor(near.rate * 1000) / 10}% of rows`);
    for (const m of matchRates(run.values, compared, inputs)) {
      const p: MatchPair = { fn: run.candidate, snapshot: run.snapshot, column: m.column, rate: m.rate, similarity: nameSimilarity(candidates[run.candidate].exportName, m.column) };
      pairs.push(p);
      pairRun.set(p, run);
    }
  }
  const { taken, passedOver } = assignMatches(pairs);
  // Frame/Feast runs are per output: one function may hold several columns through them.
  const extra = pairs.filter((p) => pairRun.get(p)!.output && !taken.includes(p) && !taken.some((t) => t.snapshot === p.snapshot && t.column === p.column));
  const chosen = [...taken, ...extra].sort((a, b) => a.snapshot.localeCompare(b.snapshot) || a.column.localeCompare(b.column));

  // The config: the snapshot with the most features is the default.
  const count = new Map<string, number>();
  for (const p of chosen) count.set(p.snapshot, (count.get(p.snapshot) ?? 0) + 1);
  // A snapshot that could not be read is left out (its reason is in the summary): `check` would fail on it.
  if (loaded.size === 0) throw new UserError(`no snapshot this FeatureGuard can read was found: ${[...unread.values()][0]}`);
  let snapshots = found.filter((s) => loaded.has(s.name));
  let defaultSnapshot: string | undefined = [...count].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? (found.length === 1 ? found[0].name : undefined);
  const usedNames = new Set<string>();
  let features: (StarterFeature & { pair: MatchPair })[] = chosen.map((p) => {
    const c = candidates[p.fn];
    let name = p.column;
    if (usedNames.has(name)) name = `${p.column}_${p.snapshot}`;
    usedNames.add(name);
    const output = pairRun.get(p)!.output;
    return {
      pair: p,
      name,
      source: `${c.file}#${c.exportName}`,
      ...(p.snapshot !== defaultSnapshot ? { snapshot: p.snapshot } : {}),
      ...(name !== p.column ? { column: p.column } : {}),
      ...(c.kind !== 'row' ? { kind: c.kind } : {}),
      ...(output && output !== name ? { output } : {}),
    };
  });
  const schema = schemaReference(root, runningSchemaPath(options.bundleFile));
  const needsPython = features.some((f) => f.source.split('#')[0].endsWith('.py'));
  const pythonPaths = needsPython && !(roots.length === 1 && roots[0] === '') && roots.length ? roots.map((r) => r || '.') : undefined;
  const render = () =>
    configText({
      schema,
      snapshots: snapshots.map((s) => ({ name: s.name, path: s.path, sampleRows: STARTER_SAMPLE_ROWS, seed: STARTER_SEED, ...(features.some((f) => f.pair.snapshot === s.name && samplings.has(s.name)) ? samplings.get(s.name) : {}) })),
      ...(defaultSnapshot ? { defaultSnapshot } : {}),
      ...(pythonPaths ? { pythonPaths } : {}),
      features,
    });
  // The config must load: a snapshot this FeatureGuard cannot take as a path is left out with a
  // note, with its features (folders of parts, globs and Delta tables are paths it takes).
  let text = render();
  for (;;) {
    try {
      parseConfig(text, configPath, root);
      break;
    } catch (err) {
      const bad = err instanceof UserError ? snapshots.find((s) => err.message.includes(`snapshots.${s.name}.path`)) : undefined;
      if (!bad) throw err;
      notes.push(`left out snapshot ${bad.path}: ${err instanceof Error ? err.message.replace(/^[^:]*: /, '') : ''}`);
      snapshots = snapshots.filter((s) => s !== bad);
      features = features.filter((f) => f.pair.snapshot !== bad.name);
      if (defaultSnapshot === bad.name) defaultSnapshot = snapshots.length === 1 ? snapshots[0].name : undefined;
      for (const f of features) {
        if (f.pair.snapshot === defaultSnapshot) delete f.snapshot;
        else f.snapshot = f.pair.snapshot;
      }
      if (snapshots.length === 0) throw new UserError(`no snapshot this FeatureGuard can read was found (${notes[notes.length - 1]})`);
      text = render();
    }
  }

  const summary = summarize({ found, snapshots, loaded, unread, candidates, runs, features, passedOver, readColumns, closest, tagged, notes });
  if (!options.dryRun) writeFileSync(configPath, text);
  return { configPath, text, written: !options.dryRun, summary };
}

/**
 * Functions that read other rows (not `row` functions) reproduce their column only on whole
 * entities in order: each is run again, on a sample drawn with the `sampleBy`/`orderBy` its code
 * calls for (`fixes/proposeSampling.ts`), and that run replaces its plain one where it matches a
 * column the plain one did not. One sampling per snapshot: the first that helps a function.
 */
async function trySamplings(ctx: RunContext, candidates: Candidate[], loaded: Map<string, LoadedSnapshot>, runs: CandidateRun[], bundle: TsBundle, python: PythonRuntime): Promise<{ samplings: Map<string, SamplingProposal>; sampleOf: Map<CandidateRun, LoadedSnapshot> }> {
  const samplings = new Map<string, SamplingProposal>();
  const sampleOf = new Map<CandidateRun, LoadedSnapshot>();
  const loader = new SnapshotLoader();
  const matches = (run: CandidateRun, l: LoadedSnapshot) => {
    if (!run.values) return false;
    const names = l.sample.columns.map((c) => c.name);
    const compared = new Map<string, readonly unknown[]>();
    for (const n of run.output ? [run.output] : names) compared.set(n, l.column(n)?.values ?? []);
    return matchRates(run.values, compared, inputsOf(candidates[run.candidate], names)).length > 0;
  };
  for (const [name, l] of loaded) {
    const columns = l.sample.columns.map((c) => c.name);
    const byProposal = new Map<string, Set<number>>();
    candidates.forEach((c, i) => {
      if (c.kind === 'row') return;
      const plain = runs.filter((r) => r.candidate === i && r.snapshot === name);
      if (plain.length === 0 || plain.some((r) => matches(r, l))) return;
      const proposal = proposeSampling(c.code, columns);
      if (!proposal) return;
      const key = JSON.stringify(proposal);
      byProposal.set(key, (byProposal.get(key) ?? new Set()).add(i));
    });
    for (const [key, only] of byProposal) {
      if (samplings.has(name)) break;
      const proposal = JSON.parse(key) as SamplingProposal;
      const s = ctx.config.snapshots.get(name)!;
      const config: Config = { ...ctx.config, snapshots: new Map([...ctx.config.snapshots, [name, { ...s, ...proposal }]]) };
      let keyed: LoadedSnapshot;
      try {
        keyed = await loader.load(config, name);
      } catch (err) {
        if (err instanceof UserError) continue;
        throw err;
      }
      const again = await runCandidates({ ...ctx, config }, candidates, name, keyed, bundle, python, only);
      const better = again.filter((r) => matches(r, keyed));
      if (better.length === 0) continue;
      samplings.set(name, proposal);
      const fns = [...new Set(better.map((r) => candidates[r.candidate].exportName))].join(', ');
      ctx.notes.push(`snapshot ${name}: ${proposal.sampleBy ? `sampleBy ${proposal.sampleBy}, ` : ''}orderBy ${proposal.orderBy.join(', ')} — ${fns} reproduce${better.length === 1 ? 's' : ''} its column only on whole entities in order`);
      for (const r of better) {
        // The plain run of the same function (and output) gives way to this one.
        const k = runs.findIndex((p) => p.candidate === r.candidate && p.snapshot === name && p.output === r.output);
        if (k >= 0) runs[k] = r;
        else runs.push(r);
        sampleOf.set(r, keyed);
      }
    }
  }
  return { samplings, sampleOf };
}

/** A config for reading samples to match on: every found snapshot, few rows. */
/** A snapshot given with `--snapshot`: a URL as written, a local path relative to the repository root. */
function givenSnapshot(path: string, cwd: string, root: string): FoundSnapshot {
  const remote = isRemotePath(path);
  const rel = remote ? path : relative(root, resolve(cwd, path)).split(sep).join('/') + (/[\\/]$/.test(path) ? '/' : '');
  if (!remote && (rel.startsWith('../') || rel === '..' || isAbsolute(rel))) throw new UserError(`--snapshot ${path}: outside the repository`);
  // The name from the last plain segment: no query string (presigned URLs), no glob.
  const plain = path.replace(/[?#].*$/, '').split('/').filter((seg) => seg && !/[*?[{]/.test(seg) && !/^(s3|https?):$/i.test(seg));
  return { name: nameOf(plain.join('/') || 'snapshot'), path: rel, origin: 'given' };
}

function matchConfig(root: string, found: FoundSnapshot[], pyPaths: string[], rows: number): Config {
  const snapshots = new Map<string, SnapshotConfig>(found.map((s) => [s.name, { name: s.name, path: s.path, absPath: join(root, s.path), sampleRows: rows, seed: MATCH_SEED, sliceBy: [] }]));
  return { configDir: root, configDirInRepo: '', snapshots, features: new Map(), thresholds: {}, acknowledged: new Map(), timeoutMs: 10000, models: new Map(), python: { paths: pyPaths }, warnings: [] };
}

const ID_LIKE = /(^|_)(id|key|uuid|guid|pk)$|[a-z]Id$|^(index|ts|timestamp|date|event_timestamp|created)$/i;

function summarize(s: {
  found: FoundSnapshot[];
  snapshots: FoundSnapshot[];
  loaded: Map<string, LoadedSnapshot>;
  unread: Map<string, string>;
  candidates: Candidate[];
  runs: CandidateRun[];
  features: (StarterFeature & { pair: MatchPair })[];
  passedOver: Map<number, MatchPair[]>;
  readColumns: Map<string, Set<string>>;
  closest: Map<number, string>;
  tagged: string[];
  notes: string[];
}): string {
  const out: string[] = [];
  const pct = (r: number) => `${Math.floor(r * 1000) / 10}%`;
  out.push('Snapshots');
  for (const f of s.found) {
    const l = s.loaded.get(f.name);
    const how = f.origin === 'feast' ? ', from a Feast FileSource' : f.origin === 'folder' ? ', a folder of Parquet parts' : f.origin === 'given' ? ', given with --snapshot' : '';
    const kept = s.snapshots.includes(f) ? '' : ' (left out)';
    out.push(`  ${f.name}  ${f.path}${l ? `  ${l.sample.columns.length} columns` : `  not read: ${s.unread.get(f.name)}`}${how}${kept}`);
  }
  const rows = [...s.loaded.values()][0]?.sample.rowCount;
  out.push('', `Features matched${rows !== undefined ? ` (values compared on ${rows} sampled rows)` : ''}`);
  if (s.features.length === 0) out.push('  none');
  for (const f of s.features) out.push(`  ${f.source} → ${f.pair.snapshot}.${f.pair.column}  ${pct(f.pair.rate)}${f.kind ? `  (${f.kind})` : ''}`);
  const matchedFns = new Set(s.features.map((f) => f.pair.fn));
  const matchedCols = new Set(s.features.map((f) => `${f.pair.snapshot}\0${f.pair.column}`));
  const looks: string[] = [];
  for (const [name, l] of s.loaded) {
    const read = s.readColumns.get(name) ?? new Set();
    const cols = l.sample.columns.filter((c) => {
      const type = l.column(c.name)?.type;
      return (type === 'integer' || type === 'number' || type === 'string') && !matchedCols.has(`${name}\0${c.name}`) && !read.has(c.name) && !s.tagged.includes(c.name) && !ID_LIKE.test(c.name);
    });
    if (cols.length) looks.push(`  ${name}: ${cols.map((c) => c.name).join(', ')}`);
  }
  out.push('', 'Columns that look like features but no code reproduces');
  out.push(...(looks.length ? looks : ['  none']));
  const unmatched: string[] = [];
  s.candidates.forEach((c, i) => {
    if (matchedFns.has(i)) return;
    const over = s.passedOver.get(i);
    const failures = [...new Set(s.runs.filter((r) => r.candidate === i && r.failure).map((r) => r.failure!))];
    const why = over?.length ? `reproduces ${over.map((p) => `${p.snapshot}.${p.column}`).join(", ")} too, which went to a function with a closer name` : failures.length ? `failed: ${failures[0]}` : s.runs.some((r) => r.candidate === i) ? s.closest.has(i) ? `no column equals its output on 99% of rows (closest: ${s.closest.get(i)})` : 'no column equals its output' : 'not run';
    unmatched.push(`  ${c.file}#${c.exportName}  ${why}`);
  });
  out.push('', 'Functions that match no column');
  out.push(...(unmatched.length ? unmatched : ['  none']));
  if (s.tagged.length) out.push('', `Features declared by @feature tags (left as they are): ${[...new Set(s.tagged)].join(', ')}`);
  if (s.notes.length) out.push('', 'Notes', ...s.notes.map((n) => `  ${n}`));
  return out.join('\n') + '\n';
}
