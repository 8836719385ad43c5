/**
 * Each feature's `kind`, for the features whose config leaves it to the code (Python, SPEC §9):
 * the form the front end read off the function's syntax (decorators, annotations, parameter
 * names). A function whose syntax does not tell is a config error naming the key to set.
 */
import { basename, posix } from 'node:path';
import { FEATURE_KINDS, type Config, type FeatureConfig, type FeatureKind } from '../config/configTypes';
import { UserError } from '../errors';
import type { SymbolGraph } from '../graph/symbolGraph';
import type { DeclSummary } from '../lang/frontEnd';

/** The features with `kind` filled in (copies where it was detected; the config's objects are never changed). */
export function resolveFeatureKinds(features: FeatureConfig[], config: Config, targetGraph: SymbolGraph, baseGraph: SymbolGraph): FeatureConfig[] {
  return features.map((f) => {
    if (f.kind !== undefined) return f;
    const target = declOf(targetGraph, f);
    const form = (decl: DeclSummary | undefined) => (decl?.form && (FEATURE_KINDS as readonly string[]).includes(decl.form) ? (decl.form as FeatureKind) : undefined);
    const detected = form(target?.decl);
    if (detected) return { ...f, kind: detected };
    // A file that does not parse may have lost the signature to the parser's recovery (an
    // unclosed parenthesis can swallow the rest of the module): the syntax error is what to
    // report (code.syntax), with the form the committed code had, if any.
    if (!target || target.unparsed) {
      const fromBase = form(declOf(baseGraph, f)?.decl);
      return fromBase ? { ...f, kind: fromBase } : f;
    }
    return undetectable(f, target.decl, config);
  });
}

/** The feature's declaration in a graph, and whether its module has syntax errors. */
function declOf(graph: SymbolGraph, f: FeatureConfig): { decl: DeclSummary; unparsed: boolean } | undefined {
  const mod = graph.modules.get(f.file);
  if (!mod) return undefined;
  const id = graph.resolveExport(f.file, f.exportName)[0];
  return id ? { decl: graph.nodes.get(id)!.decl, unparsed: mod.syntaxErrors.length > 0 } : undefined;
}

function undetectable(f: FeatureConfig, decl: DeclSummary, config: Config): never {
  const signature = `${decl.name}(${(decl.params ?? []).join(', ')})`;
  const kinds = FEATURE_KINDS.map((k) => `"${k}"`).join(', ');
  if (f.origin === 'config') {
    const file = config.configPath ? posix.join(config.configDirInRepo, basename(config.configPath)) : 'featureguard.json';
    throw new UserError(`${file}: features.${f.name}.kind is needed: the code of ${f.file}#${signature} does not say how it is called (set it to one of ${kinds})`);
  }
  throw new UserError(`${f.file}: @feature ${f.name}: the code of ${signature} does not say how it is called; declare the feature in featureguard.json with "kind" (one of ${kinds})`);
}
