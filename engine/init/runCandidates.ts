/**
 * `featureguard init`, step three: every candidate function runs on a few hundred sampled rows of
 * every snapshot, in the workers `check` uses — TypeScript in Node worker processes (one bundle of
 * all candidates, `runBatch`, a time budget per function and a heap limit), Python in the user's
 * interpreter (`runPythonFeatures`). A `frame` or Feast function runs once per column its code
 * writes (`df["x"] = …`, `assign(x=…)`, `Field(name="x")`), taking that column of its result.
 */
import type { Config, FeatureConfig, FeatureKind } from '../config/configTypes';
import { UserError } from '../errors';
import type { LoadedSnapshot } from '../data/snapshotLoader';
import { bundleFeatures } from '../exec/bundleFeature';
import { findPython, requireModules, type PythonInterpreter } from '../exec/python/interpreter';
import { runPythonFeatures } from '../exec/python/pythonSide';
import { runBatch, DEFAULT_MEMORY_MB } from '../exec/runInWorker';
import type { LanguageFrontEnd } from '../lang/frontEnd';
import type { SourceTree } from '../sources/sourceTree';
import type { Candidate } from './findCandidates';

/** One run of a candidate: on one snapshot, taking one output (frame/Feast) or the whole result. */
export interface CandidateRun {
  candidate: number;
  snapshot: string;
  /** The output column taken from a frame/Feast result; the run is only compared with that column. */
  output?: string;
  values?: unknown[];
  /** Why it has no values (it did not load, timed out, failed on every row, …). */
  failure?: string;
}

export interface RunContext {
  root: string;
  tree: SourceTree;
  frontEnd: LanguageFrontEnd;
  config: Config;
  timeoutMs: number;
  /** Problems that stop a whole language (no interpreter, a missing module), one line each. */
  notes: string[];
}

/** Runs every candidate on one loaded snapshot. */
export async function runCandidates(ctx: RunContext, candidates: Candidate[], snapshot: string, loaded: LoadedSnapshot, bundle: TsBundle, python: PythonRuntime, only?: ReadonlySet<number>): Promise<CandidateRun[]> {
  const columns = loaded.sample.columns.map((c) => c.name);
  // Only some candidates (those tried again on another sample): the others are left out of both runs.
  const tsBundle = only ? { code: bundle.code, keys: new Map([...bundle.keys].filter(([i]) => only.has(i))), failures: new Map() } : bundle;
  const [ts, py] = await Promise.all([runTypescript(ctx, candidates, snapshot, loaded, tsBundle), python.python ? runPython(ctx, candidates, snapshot, loaded, columns, python.python, python.skip, only) : Promise.resolve([])]);
  return [...ts, ...py];
}

export interface TsBundle {
  code?: string;
  /** Candidate index → export key in `code`. */
  keys: Map<number, string>;
  failures: Map<number, string>;
}

/**
 * One bundle of every TypeScript candidate; when it does not build (one module fails to compile),
 * one bundle per module, leaving out the modules that fail.
 */
export async function bundleTypescript(ctx: Pick<RunContext, 'tree' | 'frontEnd'>, candidates: Candidate[]): Promise<TsBundle> {
  const ts = candidates.map((c, i) => ({ c, i })).filter((x) => x.c.language === 'typescript');
  const keys = new Map<number, string>();
  const failures = new Map<number, string>();
  if (ts.length === 0) return { keys, failures };
  const entries = (list: typeof ts) => list.map(({ c, i }) => ({ file: c.file, exportName: c.exportName, key: `__c${i}` }));
  const all = await bundleFeatures(ctx.tree, ctx.frontEnd, entries(ts));
  if (all.ok) {
    for (const { i } of ts) keys.set(i, `__c${i}`);
    return { code: all.code, keys, failures };
  }
  // Per module: the entries of the modules that build, joined into one bundle.
  const byFile = new Map<string, typeof ts>();
  for (const x of ts) byFile.set(x.c.file, [...(byFile.get(x.c.file) ?? []), x]);
  const good: typeof ts = [];
  for (const [, list] of byFile) {
    const one = await bundleFeatures(ctx.tree, ctx.frontEnd, entries(list));
    if (one.ok) good.push(...list);
    else for (const { i } of list) failures.set(i, `could not bundle: ${one.message}`);
  }
  if (good.length === 0) return { keys, failures };
  const joined = await bundleFeatures(ctx.tree, ctx.frontEnd, entries(good));
  if (!joined.ok) {
    for (const { i } of good) failures.set(i, `could not bundle: ${joined.message}`);
    return { keys, failures };
  }
  for (const { i } of good) keys.set(i, `__c${i}`);
  return { code: joined.code, keys, failures };
}

async function runTypescript(ctx: RunContext, candidates: Candidate[], snapshot: string, loaded: LoadedSnapshot, bundle: TsBundle): Promise<CandidateRun[]> {
  const out: CandidateRun[] = [];
  for (const [i, failure] of bundle.failures) out.push({ candidate: i, snapshot, failure });
  if (!bundle.code || bundle.keys.size === 0) return out;
  const order = [...bundle.keys.keys()];
  const sample = loaded.sample;
  const jobs = order.map((i) => ({ exportKey: bundle.keys.get(i)!, kind: candidates[i].kind === 'batch' ? ('batch' as const) : ('row' as const), extraRows: [], repeatRows: 0 }));
  const outcomes = await runBatch({ code: bundle.code, requireFrom: ctx.root, rowCount: sample.rowCount, columns: sample.columns, jobs }, { timeoutMs: ctx.timeoutMs, memoryMb: DEFAULT_MEMORY_MB });
  order.forEach((i, k) => {
    const o = outcomes[k];
    if (!o) out.push({ candidate: i, snapshot, failure: 'did not run' });
    else if (o.ok) out.push({ candidate: i, snapshot, values: o.values });
    else out.push({ candidate: i, snapshot, failure: o.message });
  });
  return out;
}


/** The interpreter Python candidates run in, and the forms it cannot run (a module they need is missing). */
export interface PythonRuntime {
  python?: PythonInterpreter;
  skip: Set<FeatureKind>;
}

export function pythonFor(ctx: RunContext, candidates: Candidate[]): PythonRuntime {
  const skip = new Set<FeatureKind>();
  const py = candidates.filter((c) => c.language === 'python');
  if (py.length === 0) return { skip };
  let python: PythonInterpreter;
  try {
    python = findPython(ctx.config, ctx.root);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    ctx.notes.push(`Python functions not run: ${err.message}`);
    return { skip };
  }
  try {
    requireModules(python, py.map((c) => ({ name: c.exportName, kind: c.kind })));
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    // Row and batch functions need the standard library only: they still run.
    for (const k of ['series', 'frame', 'feast', 'hamilton'] as FeatureKind[]) skip.add(k);
    ctx.notes.push(`Python functions of the series/frame/feast/hamilton forms not run: ${err.message}`);
  }
  return { python, skip };
}

async function runPython(ctx: RunContext, candidates: Candidate[], snapshot: string, loaded: LoadedSnapshot, columns: string[], python: PythonInterpreter, skip: Set<FeatureKind>, only?: ReadonlySet<number>): Promise<CandidateRun[]> {
  const features: FeatureConfig[] = [];
  const runs: CandidateRun[] = [];
  candidates.forEach((c, i) => {
    if (c.language !== 'python' || skip.has(c.kind) || (only && !only.has(i))) return;
    const outputs = c.kind === 'frame' || c.kind === 'feast' ? writtenColumns(c.code, columns) : [undefined];
    for (const output of outputs) {
      runs.push({ candidate: i, snapshot, ...(output ? { output } : {}) });
      features.push({
        name: `__c${features.length}`,
        source: `${c.file}#${c.exportName}`,
        file: c.file,
        exportName: c.exportName,
        column: output ?? c.exportName,
        kind: c.kind,
        ...(output ? { output } : {}),
        tolerance: { abs: 1e-9, rel: 1e-9 },
        consumers: [],
        origin: 'config',
      });
    }
  });
  if (features.length === 0) return [];
  await runPythonFeatures(python.path, ctx.tree, ctx.config, ctx.root, features, loaded, { timeoutMs: ctx.timeoutMs, memoryMb: DEFAULT_MEMORY_MB }, (k, o) => {
    if (o.ok) runs[k].values = o.result.values;
    else runs[k].failure = o.message;
  });
  for (const r of runs) if (!r.values && !r.failure) r.failure = 'did not run';
  return runs;
}

/** Snapshot columns a frame/Feast function writes: `df["x"] = …`, `.assign(x=…)`, `Field(name="x")`. */
export function writtenColumns(code: string, columns: readonly string[]): string[] {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return columns.filter((c) => {
    const q = `["']${esc(c)}["']`;
    return new RegExp(`\\[\\s*${q}\\s*\\]\\s*=(?!=)`).test(code) || new RegExp(`\\bassign\\s*\\([^)]*\\b${esc(c)}\\s*=`).test(code) || new RegExp(`\\bname\\s*=\\s*${q}`).test(code);
  });
}
