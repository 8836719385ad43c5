/**
 * Each feature's `kind`, for the features whose config leaves it to the code (Python, SPEC §9):
 * the form the front end read off the function's syntax (decorators, annotations, parameter
 * names). A function whose syntax does not tell is a config error naming the key to set.
 */
import { basename, posix } from 'node:path';
import type { Config, FeatureConfig, FeatureKind } from '../config/configTypes';
import { FEATURE_KINDS } from '../config/configTypes';
import { UserError } from '../errors';
import type { SymbolGraph } from '../graph/symbolGraph';

/** The features with `kind` filled in (copies where it was detected; the config's objects are never changed). */
export function resolveFeatureKinds(features: FeatureConfig[], config: Config, targetGraph: SymbolGraph, baseGraph: SymbolGraph): FeatureConfig[] {
  return features.map((f) => {
    if (f.kind !== undefined) return f;
    const graph = targetGraph.modules.has(f.file) ? targetGraph : baseGraph;
    const id = graph.modules.has(f.file) ? graph.resolveExport(f.file, f.exportName)[0] : undefined;
    // A missing source is reported as such (`source.missing`, or the file not found) elsewhere.
    if (!id) return f;
    const decl = graph.nodes.get(id)!.decl;
    if (decl.form && (FEATURE_KINDS as readonly string[]).includes(decl.form)) return { ...f, kind: decl.form as FeatureKind };
    const signature = `${decl.name}(${(decl.params ?? []).join(', ')})`;
    const kinds = FEATURE_KINDS.map((k) => `"${k}"`).join(', ');
    if (f.origin === 'config') {
      const file = config.configPath ? posix.join(config.configDirInRepo, basename(config.configPath)) : 'featureguard.json';
      throw new UserError(`${file}: features.${f.name}.kind is needed: the code of ${f.file}#${signature} does not say how it is called (set it to one of ${kinds})`);
    }
    throw new UserError(`${f.file}: @feature ${f.name}: the code of ${signature} does not say how it is called; declare the feature in featureguard.json with "kind" (one of ${kinds})`);
  });
}
