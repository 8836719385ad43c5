/**
 * The symbol-level dependency graph of one side (base or target). Nodes are top-level
 * declarations, identified as `path#name`; an edge runs from a declaration to each declaration
 * it references, with imports, aliases, namespace members, re-exports, barrel files and default
 * exports resolved to the declaring module. Packages are outside the graph.
 */
import type { DeclSummary, ImportBinding, LanguageFrontEnd, ModuleSummary } from '../lang/frontEnd';

/** `path#name`: how symbols are named in reports (`via`, `changes`). */
export type SymbolId = string;

export function symbolId(path: string, name: string): SymbolId {
  return `${path}#${name}`;
}

export interface SymbolNode {
  id: SymbolId;
  path: string;
  decl: DeclSummary;
  /** Declarations this one references, resolved. */
  deps: SymbolId[];
}

/** A graph's nodes by id (read-only: a graph does not change once built). */
export interface NodeLookup {
  get(id: SymbolId): SymbolNode | undefined;
  has(id: SymbolId): boolean;
}

/**
 * What graphs counted while they were built and queried, for tests that assert that a keystroke's
 * work does not grow with the workspace: nodes stored in a graph of its own (made or taken from
 * the previous graph), nodes linked, nodes visited by the walks (closures, dependents).
 */
export const graphCounters = { nodesStored: 0, nodesLinked: 0, nodesWalked: 0 };

export class SymbolGraph {
  /**
   * The nodes of the modules this graph linked itself. A graph sharing its surface with an earlier
   * one (`sharesSurfaceWith`) holds only the modules that differ from it and reads the rest there.
   */
  private readonly own = new Map<SymbolId, SymbolNode>();
  readonly nodes: NodeLookup;
  private reverse?: Map<SymbolId, SymbolId[]>;
  /** Export resolutions, module resolutions and module closures depend only on the surface: shared along a chain. */
  private readonly exportCache: Map<string, SymbolId[]>;
  /** A graph does not change once built: closures and resolutions are computed once (a check asks per feature and side). */
  private readonly closureCache: Map<string, string[]>;
  /** from → specifier → the module it resolves to (null: outside the graph). Two levels: no key is built per lookup. */
  private readonly resolveCache: Map<string, Map<string, string | null>>;

  /**
   * Links `modules`. With `previous` (an earlier graph of the same workspace) and no edited module
   * that changed what it exports, imports or declares — the common case of typing inside a
   * function — only the modules that differ from the first graph of the chain are linked (or taken
   * from `previous` when it linked the very same summary); every other node is that graph's, not a
   * copy. A keystroke then costs the edited modules, not the workspace.
   */
  constructor(
    readonly modules: Map<string, ModuleSummary>,
    private readonly frontEnd: LanguageFrontEnd,
    previous?: SymbolGraph,
  ) {
    const reuse = previous && sameSurface(previous.modules, modules) ? previous : undefined;
    // Remember the first graph of the chain, not the previous one: a chain of keystrokes must not
    // keep every earlier graph alive.
    const root = reuse ? (reuse.sharesSurfaceWith ?? reuse) : undefined;
    this.sharesSurfaceWith = root;
    this.exportCache = root ? root.exportCache : new Map();
    this.closureCache = root ? root.closureCache : new Map();
    this.resolveCache = root ? root.resolveCache : new Map();
    const own = this.own;
    const shared = root?.own;
    this.nodes = shared ? { get: (id) => own.get(id) ?? shared.get(id), has: (id) => own.has(id) || shared.has(id) } : own;
    const relink: [string, ModuleSummary][] = [];
    for (const [path, mod] of modules) {
      if (root && root.modules.get(path) === mod) continue;
      if (reuse && reuse !== root && reuse.modules.get(path) === mod) {
        for (const decl of mod.decls) {
          const id = symbolId(path, decl.name);
          graphCounters.nodesStored++;
          own.set(id, reuse.own.get(id)!);
        }
        continue;
      }
      for (const decl of mod.decls) {
        graphCounters.nodesStored++;
        own.set(symbolId(path, decl.name), { id: symbolId(path, decl.name), path, decl, deps: [] });
      }
      relink.push([path, mod]);
    }
    for (const [path, mod] of relink) this.link(path, mod);
  }

  /** The graph whose linking this one shares (exports, imports and names of every module). */
  readonly sharesSurfaceWith?: SymbolGraph;

  /** Every node of the graph. */
  *allNodes(): Iterable<SymbolNode> {
    yield* this.own.values();
    const root = this.sharesSurfaceWith;
    if (root) for (const [id, node] of root.own) if (!this.own.has(id)) yield node;
  }

  /** The nodes of one module (none when the module is not in the graph). */
  moduleNodes(path: string): SymbolNode[] {
    const mod = this.modules.get(path);
    if (!mod) return [];
    const out = new Set<SymbolNode>();
    for (const decl of mod.decls) out.add(this.nodes.get(symbolId(path, decl.name))!);
    return [...out];
  }

  /**
   * Resolves an export of a module to the declarations it stands for, following re-exports and
   * barrels. Usually one; a namespace re-export (`export * as ns`) stands for all of a module.
   */
  resolveExport(path: string, exported: string, seen = new Set<string>()): SymbolId[] {
    const key = `${path}\0${exported}`;
    const cached = this.exportCache.get(key);
    if (cached) return cached;
    if (seen.has(key)) return [];
    seen.add(key);
    const mod = this.modules.get(path);
    const out: SymbolId[] = [];
    if (mod) {
      for (const e of mod.exports) {
        if (e.exported !== exported) continue;
        if (e.local !== undefined) append(out, this.resolveLocal(path, mod, e.local, seen));
        else if (e.specifier) append(out, this.resolveImportBinding(path, { local: e.exported, specifier: e.specifier, imported: e.imported ?? '*' }, seen));
      }
      if (out.length === 0 && exported !== 'default') {
        for (const e of mod.exports) {
          if (e.exported !== '*' || !e.specifier) continue;
          const target = this.resolveModule(path, e.specifier);
          if (target && starVisible(this.modules.get(target)!, exported)) append(out, this.resolveExport(target, exported, seen));
          if (out.length) break;
        }
      }
    }
    this.exportCache.set(key, out);
    return out;
  }

  /**
   * The declarations that reference `id`, directly. A graph sharing its surface reads the first
   * graph's reverse index (built once) and corrects it for the modules it linked itself.
   */
  dependents(id: SymbolId): SymbolId[] {
    const root = this.sharesSurfaceWith;
    if (!this.reverse) this.reverse = reverseIndex(this.own.values());
    const own = this.reverse.get(id) ?? [];
    if (!root) return own;
    const fromRoot = root.dependents(id).filter((d) => !this.own.has(d));
    return own.length ? [...fromRoot, ...own] : fromRoot;
  }

  /** Every declaration from which one of `targets` is reachable, `targets` included. */
  dependentsClosure(targets: Iterable<SymbolId>): Set<SymbolId> {
    const seen = new Set<SymbolId>();
    const stack = Array.from(targets);
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      graphCounters.nodesWalked++;
      for (const d of this.dependents(id)) if (!seen.has(d)) stack.push(d);
    }
    return seen;
  }

  /** Every declaration reachable from `roots`, roots included. */
  closure(roots: Iterable<SymbolId>): Set<SymbolId> {
    const seen = new Set<SymbolId>();
    const stack = Array.from(roots);
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      const node = this.nodes.get(id);
      if (!node) continue;
      seen.add(id);
      graphCounters.nodesWalked++;
      append(stack, node.deps);
    }
    return seen;
  }

  /**
   * Every module reachable from `path` through import and re-export statements: what a bundler
   * loads, which is more than the symbol closure (a module is loaded whole).
   */
  moduleClosure(path: string): string[] {
    const cached = this.closureCache.get(path);
    if (cached) return cached;
    // Each module is queued once, when first found: a module imported by many others would
    // otherwise sit on the stack once per importer (the 500-module bench workspace: 10 feature
    // files' closures took ~35 ms).
    const seen = new Set<string>();
    const closure: string[] = [];
    const stack = [path];
    seen.add(path);
    const found = (target: string | undefined) => {
      if (target && !seen.has(target)) {
        seen.add(target);
        stack.push(target);
      }
    };
    while (stack.length) {
      const p = stack.pop()!;
      const mod = this.modules.get(p);
      if (!mod) continue;
      closure.push(p);
      forEachLoaded(this.frontEnd, p, mod, (spec) => found(this.resolveModule(p, spec)));
    }
    this.closureCache.set(path, closure);
    return closure;
  }

  /** The shortest dependency path from `from` to any of `targets`, both ends included, or undefined. */
  pathTo(from: SymbolId, targets: Set<SymbolId>): SymbolId[] | undefined {
    const prev = new Map<SymbolId, SymbolId | null>([[from, null]]);
    const queue = [from];
    for (let i = 0; i < queue.length; i++) {
      const id = queue[i];
      if (targets.has(id)) {
        const path: SymbolId[] = [];
        for (let c: SymbolId | null = id; c !== null; c = prev.get(c)!) path.push(c);
        return path.reverse();
      }
      for (const d of this.nodes.get(id)?.deps ?? []) {
        if (!prev.has(d)) {
          prev.set(d, id);
          queue.push(d);
        }
      }
    }
    return undefined;
  }

  private link(path: string, mod: ModuleSummary): void {
    const imports = importsByLocal(mod);
    // A module's declarations mostly name the same few imports and helpers: each name is
    // resolved once per module (the answer depends on the module and the name only).
    const byName = new Map<string, SymbolId[]>();
    for (const decl of mod.decls) {
      const node = this.own.get(symbolId(path, decl.name))!;
      graphCounters.nodesLinked++;
      const deps = new Set<SymbolId>();
      const viaMember = new Set<string>();
      for (const [ns, member] of decl.memberRefs) {
        for (const imp of imports.get(ns) ?? []) {
          const target = this.namespaceOf(path, imp);
          if (!target) continue;
          const resolved = this.resolveExport(target, member);
          for (const r of resolved) deps.add(r);
          if (resolved.length) viaMember.add(ns);
        }
      }
      for (const ref of decl.refs) {
        if (viaMember.has(ref)) continue; // `ns.member` only: the namespace's other members are not used
        let targets = byName.get(ref);
        if (!targets) byName.set(ref, (targets = this.resolveLocal(path, mod, ref, new Set(), imports)));
        for (const r of targets) deps.add(r);
      }
      deps.delete(node.id);
      node.deps = [...deps];
    }
  }

  /**
   * What a module-level name stands for: its own declaration and the imports that bind it (a
   * Python name may be both: `try: import x` / `except ImportError: x = None`), else what a
   * star import (`from m import *`) lets through under that name.
   */
  private resolveLocal(path: string, mod: ModuleSummary, name: string, seen: Set<string>, imports?: Map<string, ImportBinding[]>): SymbolId[] {
    const out: SymbolId[] = [];
    const own = symbolId(path, name);
    if (this.nodes.has(own)) out.push(own);
    const byLocal = imports ?? importsByLocal(mod);
    for (const imp of byLocal.get(name) ?? []) append(out, this.resolveImportBinding(path, imp, seen));
    if (out.length > 0) return out;
    for (const star of byLocal.get('*') ?? []) {
      const target = this.resolveModule(path, star.specifier);
      if (target && starVisible(this.modules.get(target)!, name)) append(out, this.resolveExport(target, name, seen));
    }
    return out;
  }

  /** The declarations an import binding stands for: a module's exports, one export, or a submodule. */
  private resolveImportBinding(path: string, imp: ImportBinding, seen: Set<string>): SymbolId[] {
    const target = this.resolveModule(path, imp.specifier);
    if (imp.imported === '*') return target ? this.allExports(target, seen) : [];
    const found = target ? this.resolveExport(target, imp.imported, seen) : [];
    if (found.length > 0) return found;
    const sub = this.submoduleOf(path, imp);
    return sub ? this.allExports(sub, seen) : [];
  }

  /** The module an import binding names as a whole (`import m`, `import * as m`, Python's `from pkg import mod`). */
  private namespaceOf(path: string, imp: ImportBinding): string | undefined {
    if (imp.imported === '*') return imp.local === '*' ? undefined : this.resolveModule(path, imp.specifier);
    return this.submoduleOf(path, imp);
  }

  private submoduleOf(path: string, imp: ImportBinding): string | undefined {
    const spec = this.frontEnd.submoduleSpecifier?.(path, imp.specifier, imp.imported);
    return spec === undefined ? undefined : this.resolveModule(path, spec);
  }

  private allExports(path: string, seen: Set<string>): SymbolId[] {
    const mod = this.modules.get(path);
    if (!mod) return [];
    const names = new Set(mod.exports.filter((e) => e.exported !== '*').map((e) => e.exported));
    const out: SymbolId[] = [];
    for (const n of names) append(out, this.resolveExport(path, n, seen));
    for (const e of mod.exports) {
      if (e.exported !== '*' || !e.specifier) continue;
      const target = this.resolveModule(path, e.specifier);
      if (target && !seen.has(`*${target}`)) {
        seen.add(`*${target}`);
        const through = this.allExports(target, seen);
        const targetMod = this.modules.get(target)!;
        for (const id of through) if (starVisible(targetMod, id.slice(id.lastIndexOf('#') + 1))) out.push(id);
      }
    }
    return out;
  }

  private resolveModule(from: string, specifier: string): string | undefined {
    let byFrom = this.resolveCache.get(from);
    if (!byFrom) this.resolveCache.set(from, (byFrom = new Map()));
    let target = byFrom.get(specifier);
    if (target === undefined) byFrom.set(specifier, (target = this.frontEnd.resolveImport(from, specifier, (p) => this.modules.has(p)) ?? null));
    return target ?? undefined;
  }
}

/**
 * Calls `visit` with each specifier whose module `mod` loads: its imports, its re-exports, and
 * (Python's `from pkg import mod`) the submodules its imports may name. The one definition of a
 * module's dependencies, for the module closure and for summarizing only what features reach.
 */
export function forEachLoaded(frontEnd: LanguageFrontEnd, path: string, mod: ModuleSummary, visit: (specifier: string) => void): void {
  for (const imp of mod.imports) visit(imp.specifier);
  for (const e of mod.exports) if (e.specifier) visit(e.specifier);
  for (const imp of mod.imports) {
    if (imp.imported === '*') continue;
    const sub = frontEnd.submoduleSpecifier?.(path, imp.specifier, imp.imported);
    if (sub !== undefined) visit(sub);
  }
}

/** The module's import bindings by local name; a name may be bound by several (Python's `try`/`except ImportError`). */
function importsByLocal(mod: ModuleSummary): Map<string, ImportBinding[]> {
  const out = new Map<string, ImportBinding[]>();
  for (const i of mod.imports) {
    let list = out.get(i.local);
    if (!list) out.set(i.local, (list = []));
    list.push(i);
  }
  return out;
}

/** Each module's `__all__` as a set: asked once per name a star import lets through. */
const starAllSets = new WeakMap<ModuleSummary, Set<string>>();

/**
 * Appends `items` to `out` one by one: `out.push(...items)` passes every item as an argument and
 * overflows the stack past ~100,000 (a declaration that lists a generated file's constants).
 */
function append<T>(out: T[], items: readonly T[]): void {
  for (const x of items) out.push(x);
}

/** Whether `import *` of the module binds `name` (Python's `__all__`, and no private names without it). */
function starVisible(mod: ModuleSummary | undefined, name: string): boolean {
  if (!mod) return false;
  if (mod.starAll) {
    let all = starAllSets.get(mod);
    if (!all) starAllSets.set(mod, (all = new Set(mod.starAll)));
    return all.has(name);
  }
  return !(mod.starHidesPrivate && name.startsWith('_'));
}

/**
 * Whether two module sets resolve names identically: the same files, and every module that
 * differs declares the same names with the same imports and exports.
 */
function sameSurface(a: Map<string, ModuleSummary>, b: Map<string, ModuleSummary>): boolean {
  if (a.size !== b.size) return false;
  for (const [path, mb] of b) {
    const ma = a.get(path);
    if (ma === mb) continue;
    if (!ma || surface(ma) !== surface(mb)) return false;
  }
  return true;
}

function surface(m: ModuleSummary): string {
  return JSON.stringify([m.decls.map((d) => d.name), m.imports, m.exports, m.starAll ?? null, !!m.starHidesPrivate]);
}

/** Each node's direct dependents. */
function reverseIndex(nodes: Iterable<SymbolNode>): Map<SymbolId, SymbolId[]> {
  const out = new Map<SymbolId, SymbolId[]>();
  for (const n of nodes) {
    for (const d of n.deps) {
      let list = out.get(d);
      if (!list) out.set(d, (list = []));
      list.push(n.id);
    }
  }
  return out;
}
