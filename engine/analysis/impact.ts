/**
 * Static impact (SPEC §3): which features an edit reaches, and through which symbols. Each
 * changed file's declarations are compared between base and target; a feature is affected when
 * the content of its dependency closure differs between the two sides — a location-independent
 * fingerprint, so a helper moved to another file with its imports updated is no change, while a
 * transitive constant edit is.
 */
import { createHash } from 'node:crypto';
import { UserError, throwIfCancelled, type CancellationToken } from '../errors';
import type { Config, FeatureConfig } from '../config/configTypes';
import type { Finding, Location } from '../findings';
import type { DeclSummary, LanguageFrontEnd, ModuleSummary } from '../lang/frontEnd';
import type { SummaryCache } from '../cache/summaryCache';
import type { SourceTree } from '../sources/sourceTree';
import { SymbolGraph, type SymbolId } from '../graph/symbolGraph';
import { parserLoad, type PhaseClock } from '../phaseClock';
import { resolveFeatureKinds } from './featureKinds';
import { summarizeFiles, summarizeTree } from './summarizeTree';

/** An edited top-level declaration. */
export interface SymbolChange {
  file: string;
  symbol: string;
  line: number;
  kind: 'modified' | 'added' | 'removed' | 'moved';
  /** For `moved`: where the declaration came from. */
  from?: string;
}

/** Why a feature is in the impact set. */
export type ImpactStatus = 'changed' | 'new' | 'missing';

export interface AffectedFeature {
  feature: FeatureConfig;
  status: ImpactStatus;
  /** Symbols from the edited one to the feature's direct dependency; empty when the feature itself was edited. */
  via: SymbolId[];
  /** The feature's declaration on each side, when it exists there. */
  baseSymbol?: SymbolId;
  targetSymbol?: SymbolId;
  location: Location;
  findings: Finding[];
  /** Location-independent hashes of the feature's dependency closure on each side (cache keys). */
  baseFingerprint?: string;
  targetFingerprint?: string;
}

export interface ImpactInput {
  base: SourceTree;
  target: SourceTree;
  changedPaths: string[];
  config: Config;
  frontEnd: LanguageFrontEnd;
  cache: SummaryCache;
  token: CancellationToken;
  /** Graphs of an earlier run of the same workspace, reused where the modules are unchanged. */
  previous?: { baseGraph: SymbolGraph; targetGraph: SymbolGraph };
  /** Charged with `parserLoad`, `parse`, `graph` and `analysis` when given. */
  clock?: PhaseClock;
}

export interface ImpactResult {
  changes: SymbolChange[];
  features: AffectedFeature[];
  /** Findings tied to no single feature (`code.syntax`). */
  findings: Finding[];
  /** Every feature known on either side, config and `@feature` tags merged. */
  allFeatures: FeatureConfig[];
  baseGraph: SymbolGraph;
  targetGraph: SymbolGraph;
}

/** Computes the impact of the target's edits over the base. */
export async function analyzeImpact(input: ImpactInput): Promise<ImpactResult> {
  const { base, target, config, frontEnd, cache, token, clock } = input;
  const loadedBefore = parserLoad.ms;
  // What features can reach: from the features' files (and, found by the summarizer, every file
  // tagged `@feature`) through what they import.
  const roots = featureFiles(config);
  const baseModules = await summarizeTree(base, frontEnd, cache, roots);
  throwIfCancelled(token);
  const targetModules = await summarizeTree(target, frontEnd, cache, roots);
  throwIfCancelled(token);
  // The changed files on both sides, whether or not a feature reaches them: the list of changes.
  const changedFiles = input.changedPaths.filter((p) => frontEnd.handles(p));
  const baseChanged = await summarizeFiles(base, frontEnd, cache, changedFiles, baseModules);
  const targetChanged = await summarizeFiles(target, frontEnd, cache, changedFiles, targetModules);
  throwIfCancelled(token);
  clock?.lap('parse');
  clock?.move('parse', 'parserLoad', parserLoad.ms - loadedBefore);
  const prev = input.previous;
  const baseGraph = prev && sameModules(prev.baseGraph.modules, baseModules) ? prev.baseGraph : new SymbolGraph(baseModules, frontEnd);
  const targetGraph = new SymbolGraph(targetModules, frontEnd, prev && prev.baseGraph === baseGraph ? prev.targetGraph : baseGraph);
  clock?.lap('graph');

  const changes = diffDeclarations(changedFiles, baseChanged, targetChanged);
  const findings = syntaxFindings(changedFiles, targetChanged);
  // When the target links like the base outside the edited files, only those files can hold
  // changed symbols, and a feature whose closure avoids them is unaffected without hashing it.
  const linkedLikeBase = sameSurfaceAsBase(targetGraph, baseGraph);
  const changedNodes = changedSymbols(baseGraph, targetGraph, linkedLikeBase ? changedFiles : undefined);
  // Then the declarations that reach a changed one, walked up from the edit (the edit's size, not
  // the workspace's): a feature outside them is unaffected without walking its closure.
  const reaching = linkedLikeBase ? targetGraph.dependentsClosure(changedNodes) : undefined;

  const allFeatures = resolveFeatureKinds(mergeFeatures(config, baseModules, targetModules), config, targetGraph, baseGraph);
  const features: AffectedFeature[] = [];
  for (const feature of allFeatures) {
    throwIfCancelled(token);
    const affected = featureImpact(feature, baseGraph, targetGraph, changedNodes, reaching);
    if (affected) features.push(affected);
  }
  clock?.lap('analysis');
  return { changes, features, findings, allFeatures, baseGraph, targetGraph };
}

/**
 * Whether `feature` is affected, and how. `reaching` (when the target links like the base outside
 * the edited files): the declarations from which a changed one is reachable.
 */
function featureImpact(feature: FeatureConfig, baseGraph: SymbolGraph, targetGraph: SymbolGraph, changedNodes: Set<SymbolId>, reaching: Set<SymbolId> | undefined): AffectedFeature | undefined {
  const inBase = baseGraph.modules.has(feature.file);
  const inTarget = targetGraph.modules.has(feature.file);
  if (!inBase && !inTarget) {
    const key = feature.origin === 'config' ? `features.${feature.name}.source` : `@feature ${feature.name}`;
    throw new UserError(`${key}: file not found: ${feature.file}`);
  }
  const baseIds = inBase ? baseGraph.resolveExport(feature.file, feature.exportName) : [];
  const targetIds = inTarget ? targetGraph.resolveExport(feature.file, feature.exportName) : [];
  const baseSymbol = baseIds[0];
  const targetSymbol = targetIds[0];

  if (!targetSymbol) {
    const location: Location = { file: feature.file, line: 1, column: 1 };
    // A file that does not parse may have lost the export to the parser's recovery, not to the
    // edit: the feature is broken by the syntax error (reported once, as code.syntax), not missing.
    const unparsed = inTarget && targetGraph.modules.get(feature.file)!.syntaxErrors.length > 0;
    if (unparsed && baseSymbol) return { feature, status: 'missing', via: [], baseSymbol, location, findings: [] };
    const message = inTarget
      ? `feature "${feature.name}": ${feature.file} no longer exports "${feature.exportName}"`
      : `feature "${feature.name}": ${feature.file} no longer exists`;
    return { feature, status: 'missing', via: [], baseSymbol, location, findings: [{ check: 'source.missing', severity: 'error', message, location }] };
  }
  const decl = targetGraph.nodes.get(targetSymbol)!.decl;
  const location: Location = { file: targetGraph.nodes.get(targetSymbol)!.path, line: decl.line, column: decl.column };
  if (reaching && baseSymbol === targetSymbol && !targetIds.some((id) => reaching.has(id))) return undefined;
  const targetFingerprint = fingerprint(targetGraph, targetIds);
  if (!baseSymbol) return { feature, status: 'new', via: [], targetSymbol, location, findings: [], targetFingerprint };
  const baseFingerprint = fingerprint(baseGraph, baseIds);
  if (baseFingerprint === targetFingerprint) return undefined;
  const path = targetGraph.pathTo(targetSymbol, changedNodes) ?? [targetSymbol];
  const via = path.slice(1).reverse();
  return { feature, status: 'changed', via, baseSymbol, targetSymbol, location, findings: [], baseFingerprint, targetFingerprint };
}

/** The files the config's features live in: with the files tagged `@feature`, where summarizing starts. */
export function featureFiles(config: Config): string[] {
  return [...new Set([...config.features.values()].map((f) => f.file))];
}

/** Fingerprints computed on a graph, by roots: the base graph outlives many keystrokes. */
const fingerprints = new WeakMap<SymbolGraph, Map<string, string>>();

/**
 * A hash of what a closure computes, independent of where its declarations live: each
 * declaration's content with the contents of the declarations it references.
 */
export function fingerprint(graph: SymbolGraph, roots: SymbolId[]): string {
  let known = fingerprints.get(graph);
  if (!known) fingerprints.set(graph, (known = new Map()));
  const key = roots.join('\0');
  let hash = known.get(key);
  if (hash === undefined) known.set(key, (hash = closureHash(graph, roots)));
  return hash;
}

function closureHash(graph: SymbolGraph, roots: SymbolId[]): string {
  const lines: string[] = [];
  for (const id of graph.closure(roots)) {
    const node = graph.nodes.get(id)!;
    const deps = node.deps.map((d) => graph.nodes.get(d)?.decl.hash ?? d).sort();
    lines.push(`${node.decl.hash}>${deps.join(',')}`);
  }
  lines.sort();
  const h = createHash('sha1');
  for (const r of roots) h.update(graph.nodes.get(r)!.decl.hash + '|');
  for (const l of lines) h.update(l + '\n');
  return h.digest('hex');
}

/**
 * Target symbols that are new, edited, or resolve their references differently than in the base;
 * only those in `inFiles` when given (the rest are known to be shared with the base).
 */
function changedSymbols(baseGraph: SymbolGraph, targetGraph: SymbolGraph, inFiles?: string[]): Set<SymbolId> {
  const out = new Set<SymbolId>();
  const nodes = inFiles ? inFiles.flatMap((f) => targetGraph.moduleNodes(f)) : targetGraph.allNodes();
  for (const node of nodes) {
    const before = baseGraph.nodes.get(node.id);
    if (!before || before.decl.hash !== node.decl.hash || !sameMembers(before.deps, node.deps)) out.add(node.id);
  }
  return out;
}

/** Whether the target graph links every unedited module exactly as the base does. */
function sameSurfaceAsBase(target: SymbolGraph, base: SymbolGraph): boolean {
  return target.sharesSurfaceWith === base || (base.sharesSurfaceWith !== undefined && target.sharesSurfaceWith === base.sharesSurfaceWith);
}

function sameModules(a: Map<string, ModuleSummary>, b: Map<string, ModuleSummary>): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const [k, v] of b) if (a.get(k) !== v) return false;
  return true;
}

function sameMembers(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
}

/** The declaration-level edits in the changed files, with moves between files recognized. */
function diffDeclarations(files: string[], baseModules: Map<string, ModuleSummary>, targetModules: Map<string, ModuleSummary>): SymbolChange[] {
  const changes: SymbolChange[] = [];
  // Each change's hash on the side it exists on, kept as it is found: looking it up again in the
  // module's declaration list would scan the list once per change (quadratic in a large file).
  const hashes = new Map<SymbolChange, string>();
  for (const file of [...files].sort()) {
    const baseDecls = baseModules.get(file)?.decls ?? [];
    const targetDecls = targetModules.get(file)?.decls ?? [];
    // A repeated name (Python's redefinitions) is compared by its last declaration, and matched
    // for a move by its first.
    const before = new Map(baseDecls.map((d) => [d.name, d]));
    const after = new Map(targetDecls.map((d) => [d.name, d]));
    const firstBefore = firstByName(baseDecls);
    const firstAfter = firstByName(targetDecls);
    for (const [name, d] of after) {
      const b = before.get(name);
      if (!b) {
        const c: SymbolChange = { file, symbol: name, line: d.line, kind: 'added' };
        changes.push(c);
        hashes.set(c, firstAfter.get(name)!.hash);
      } else if (b.hash !== d.hash) changes.push({ file, symbol: name, line: d.line, kind: 'modified' });
    }
    for (const [name, d] of before) {
      if (after.has(name)) continue;
      const c: SymbolChange = { file, symbol: name, line: d.line, kind: 'removed' };
      changes.push(c);
      hashes.set(c, firstBefore.get(name)!.hash);
    }
  }
  // A declaration removed from one file and added, identical, to another was moved.
  const removed = new Map<string, SymbolChange>();
  for (const c of changes) if (c.kind === 'removed') removed.set(`${c.symbol}\0${hashes.get(c)}`, c);
  if (removed.size === 0) return changes;
  const moved = new Set<SymbolChange>();
  for (const c of changes) {
    if (c.kind !== 'added') continue;
    const r = removed.get(`${c.symbol}\0${hashes.get(c)}`);
    if (r && r.file !== c.file && !moved.has(r)) {
      moved.add(r);
      c.kind = 'moved';
      c.from = r.file;
    }
  }
  return changes.filter((c) => !moved.has(c));
}

/** Declarations by name, the first of a repeated name. */
function firstByName(decls: DeclSummary[]): Map<string, DeclSummary> {
  const out = new Map<string, DeclSummary>();
  for (const d of decls) if (!out.has(d.name)) out.set(d.name, d);
  return out;
}

function syntaxFindings(files: string[], targetModules: Map<string, ModuleSummary>): Finding[] {
  const out: Finding[] = [];
  for (const file of files) {
    const mod = targetModules.get(file);
    if (!mod || mod.syntaxErrors.length === 0) continue;
    const first = mod.syntaxErrors[0];
    const more = mod.syntaxErrors.length > 1 ? ` (and ${mod.syntaxErrors.length - 1} more)` : '';
    out.push({
      check: 'code.syntax',
      severity: 'error',
      message: `${file} does not parse: ${first.message}${more}`,
      location: { file, line: first.line, column: first.column },
    });
  }
  return out;
}

/**
 * The config's features plus `@feature` tags found on either side. A config entry wins over a
 * tag of the same name; a tag without `@snapshot` takes the config's `defaultSnapshot`.
 */
export function mergeFeatures(config: Config, ...sides: Map<string, ModuleSummary>[]): FeatureConfig[] {
  const out = new Map<string, FeatureConfig>(config.features);
  const warned = new Set(config.warnings);
  for (const modules of sides) {
    for (const [path, mod] of modules) {
      // Built on the module's first tag: the export name of each tagged declaration, without a
      // scan of the exports per tag.
      let exportedAs: Map<string, string> | undefined;
      for (const decl of taggedDecls(mod)) {
        for (const tag of decl.featureTags!) {
          if (out.has(tag.name)) continue;
          if (!exportedAs) {
            exportedAs = new Map();
            for (const e of mod.exports) if (e.local !== undefined && !exportedAs.has(e.local)) exportedAs.set(e.local, e.exported);
          }
          const exported = exportedAs.get(decl.name) ?? decl.name;
          const snapshot = tag.snapshot ?? config.defaultSnapshot;
          if (tag.snapshot && !config.snapshots.has(tag.snapshot)) {
            const warning = `${path}: @feature ${tag.name} names unknown snapshot "${tag.snapshot}" (not checked against data)`;
            if (!warned.has(warning)) {
              warned.add(warning);
              config.warnings.push(warning);
            }
          }
          out.set(tag.name, {
            name: tag.name,
            source: `${path}#${exported}`,
            file: path,
            exportName: exported,
            snapshot: snapshot && config.snapshots.has(snapshot) ? snapshot : undefined,
            column: tag.name,
            // TypeScript's default; a Python function's form is read off its code.
            kind: /\.pyi?$/.test(path) ? undefined : 'row',
            tolerance: { abs: 1e-9, rel: 1e-9 },
            consumers: [],
            origin: 'jsdoc',
          });
        }
      }
    }
  }
  return [...out.values()];
}

/** Each summary's declarations with `@feature` tags, found once: the editor asks at every keystroke. */
const tagged = new WeakMap<ModuleSummary, DeclSummary[]>();
function taggedDecls(mod: ModuleSummary): DeclSummary[] {
  let decls = tagged.get(mod);
  if (!decls) tagged.set(mod, (decls = mod.decls.filter((d) => d.featureTags?.length)));
  return decls;
}
