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
import { runPythonBatch, type PythonBatch } from './runPython';

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

/** Runs one feature's version on the sample in `interpreter`. */
export async function runPythonSide(interpreter: string, tree: SourceTree, config: Config, repoRoot: string, feature: FeatureConfig, loaded: LoadedSnapshot, limits: RunLimits, signal?: AbortSignal): Promise<SideOutcome> {
  const started = performance.now();
  const modules = await moduleSources(tree, config, repoRoot);
  const module = moduleNameOf(config.python.paths, feature.file);
  if (!module) return { ok: false, reason: 'load', message: `${feature.file} is under no python.paths root (${config.python.paths.map((p) => p || '.').join(', ')}), so it cannot be imported` };
  const sample = loaded.sample;
  const columns = sample.columns.map((c) => {
    const col = loaded.column(c.name);
    return { name: c.name, type: col?.type ?? 'unknown', values: col?.values ?? [] };
  });
  const { headers, buffers } = encodeColumns(columns, sample.rowCount);
  const prepared = performance.now();
  const [outcome] = await runPythonBatch(
    {
      interpreter,
      modules,
      rowCount: sample.rowCount,
      columnHeaders: headers,
      columnBuffers: buffers,
      jobs: [{ name: feature.name, module, function: feature.exportName, kind: feature.kind ?? 'row', output: feature.output ?? feature.name, examples: (feature.examples ?? []).map((e) => e.input), repeatRows: Math.min(200, sample.rowCount) }],
    },
    limits,
    undefined,
    signal,
  );
  const timings = { bundleMs: prepared - started, executeMs: performance.now() - prepared };
  if (!outcome) return { ok: false, reason: 'cancelled', message: 'the check was cancelled', timings };
  return outcome.ok ? { ok: true, result: outcome, timings } : { ok: false, reason: outcome.reason, message: outcome.message, timings };
}
