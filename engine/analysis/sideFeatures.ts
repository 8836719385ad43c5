/**
 * Every feature one side has (config and `@feature` tags), each with the fingerprint of its
 * closure on that side, as an `AffectedFeature` that is "new" there: no other side to compare with.
 * The language server's warm-up (`session/warmBase.ts`) runs these as the target of a check whose
 * target is HEAD, which keys each result exactly as a later check keys its base side (same
 * fingerprint function, same graph contents, same feature config).
 */
import type { Config } from '../config/configTypes';
import type { SymbolGraph } from '../graph/symbolGraph';
import { resolveFeatureKinds } from './featureKinds';
import { fingerprint, mergeFeatures, type AffectedFeature } from './impact';

export interface SideFeatures {
  /** Every feature the side knows (what `ImpactResult.allFeatures` holds). */
  all: AffectedFeature['feature'][];
  /** Those whose declaration the side has, with their fingerprints. */
  features: AffectedFeature[];
}

export function sideFeatures(graph: SymbolGraph, config: Config): SideFeatures {
  const all = resolveFeatureKinds(mergeFeatures(config, graph.modules), config, graph, graph);
  const features: AffectedFeature[] = [];
  for (const feature of all) {
    if (!graph.modules.has(feature.file)) continue;
    const ids = graph.resolveExport(feature.file, feature.exportName);
    if (!ids[0]) continue;
    const node = graph.nodes.get(ids[0])!;
    features.push({
      feature,
      status: 'new',
      via: [],
      targetSymbol: ids[0],
      location: { file: node.path, line: node.decl.line, column: node.decl.column },
      findings: [],
      targetFingerprint: fingerprint(graph, ids),
    });
  }
  return { all, features };
}
