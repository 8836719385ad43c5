/**
 * Runs one version (base or target) of Python features on a sample: the side's modules are read
 * from its source tree (git objects, the index, the working tree or editor buffers) and served to
 * the worker from memory, keyed by module name under `python.paths`; nothing is written into the
 * repository. The outcome has the same shape as a TypeScript feature's, so every check, verdict
 * and report downstream is the same code.
 */
import { join } from 'node:path';
import type { Config, FeatureConfig } from '../../config/configTypes';
import type { LoadedSnapshot } from '../../data/snapshotLoader';
import { moduleNameOf } from '../../lang/python/resolvePythonImport';
import type { SourceTree } from '../../sources/sourceTree';
import type { SideOutcome } from '../featureRunner';
import type { RunLimits } from '../runInWorker';
import { encodeColumns } from './pythonWire';
import { runPythonBatch, type PythonBatch, type PythonJob } from './runPython';

/** The side's Python modules by module name, read once per tree and run. */
export type ModuleSources = PythonBatch['modules'];

const sourcesByTree = new WeakMap<SourceTree, Promise<ModuleSources>>();

/** Every `.py` file of the side under an import root, as the worker serves them. */
export function moduleSources(tree: SourceTree, config: Config, repoRoot: string): Promise<ModuleSources> {
  let found = sourcesByTree.get(tree);
  if (!found) {
    found = (async () => {
      const roots = config.python.paths;
      const named = [...tree.paths()].filter((p) => p.endsWith('.py')).map((p) => [p, moduleNameOf(roots, p)] as const).filter((e): e is readonly [string, string] => !!e[1]);
      const texts = await tree.readMany(named.map(([p]) => p));
      const out: ModuleSources = {};
      for (const [path, name] of named) {
        const source = texts.get(path);
        if (source === undefined || name in out) continue;
        out[name] = { path: join(repoRoot, path), source: source.charCodeAt(0) === 0xfeff ? source.slice(1) : source, package: /(^|\/)__init__\.py$/.test(path) };
      }
      return out;
    })();
    sourcesByTree.set(tree, found);
  }
  return found;
}

/** A feature's job for the Python worker, or a reason it cannot have one. */
export function pythonJob(config: Config, feature: FeatureConfig, rowCount: number): PythonJob | string {
  const module = moduleNameOf(config.python.paths, feature.file);
  if (!module) return `${feature.file} is under no python.paths root (${config.python.paths.map((p) => p || '.').join(', ')}), so it cannot be imported`;
  return { name: feature.name, module, function: feature.exportName, kind: feature.kind ?? 'row', output: feature.output ?? feature.name, examples: (feature.examples ?? []).map((e) => e.input), repeatRows: Math.min(200, rowCount) };
}

/**
 * Runs one version of several features over one sample in one Python process (columns decoded
 * once); `onOutcome` gets each feature's outcome as soon as it is known.
 */
export async function runPythonFeatures(interpreter: string, tree: SourceTree, config: Config, repoRoot: string, features: FeatureConfig[], loaded: LoadedSnapshot, limits: RunLimits, onOutcome: (index: number, outcome: SideOutcome) => void, signal?: AbortSignal): Promise<void> {
  const started = performance.now();
  const modules = await moduleSources(tree, config, repoRoot);
  const sample = loaded.sample;
  const jobs: PythonJob[] = [];
  const indexOf: number[] = [];
  features.forEach((feature, i) => {
    const job = pythonJob(config, feature, sample.rowCount);
    if (typeof job === 'string') onOutcome(i, { ok: false, reason: 'load', message: job });
    else {
      indexOf.push(i);
      jobs.push(job);
    }
  });
  if (jobs.length === 0) return;
  const columns = sample.columns.map((c) => {
    const col = loaded.column(c.name);
    return { name: c.name, type: col?.type ?? 'unknown', values: col?.values ?? [] };
  });
  const { headers, buffers } = encodeColumns(columns, sample.rowCount);
  const prepared = performance.now();
  let last = prepared;
  const outcomes = await runPythonBatch(
    { interpreter, modules, rowCount: sample.rowCount, columnHeaders: headers, columnBuffers: buffers, jobs },
    limits,
    (j, outcome) => {
      const now = performance.now();
      // The first feature's time includes the interpreter's start and the module imports.
      const timings = { bundleMs: j === 0 ? prepared - started : 0, executeMs: now - last };
      last = now;
      onOutcome(indexOf[j], outcome.ok ? { ok: true, result: outcome, timings } : { ok: false, reason: outcome.reason, message: outcome.message, timings });
    },
    signal,
  );
  for (let j = 0; j < jobs.length; j++) if (!outcomes[j]) onOutcome(indexOf[j], { ok: false, reason: 'cancelled', message: 'the check was cancelled' });
}

/** Runs one feature's version on the sample in `interpreter`. */
export async function runPythonSide(interpreter: string, tree: SourceTree, config: Config, repoRoot: string, feature: FeatureConfig, loaded: LoadedSnapshot, limits: RunLimits, signal?: AbortSignal): Promise<SideOutcome> {
  let result: SideOutcome = { ok: false, reason: 'cancelled', message: 'the check was cancelled' };
  await runPythonFeatures(interpreter, tree, config, repoRoot, [feature], loaded, limits, (_, outcome) => (result = outcome), signal);
  return result;
}
