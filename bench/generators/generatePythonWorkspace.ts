#!/usr/bin/env node
/**
 * Generates a seeded, realistic Python feature workspace for the FeatureGuard benchmarks, the
 * Python counterpart of generateWorkspace.ts (same layering, same rows, same meta format):
 *
 *   DIR/src/featlib/__init__.py                  the package
 *   DIR/src/featlib/layer<k>/__init__.py         each layer a package; some re-export the public
 *                                                names of a few of their modules (with `__all__`)
 *   DIR/src/featlib/layer<k>/<noun>_<j>.py       `modules` modules in LAYERS layers (~100 lines each):
 *                                                module constants (some annotated, some derived from
 *                                                others), a private helper, sometimes a class with a
 *                                                constant as a default value and a frozen dataclass,
 *                                                3–5 row functions `def f(row: dict, x: float) -> float`
 *                                                with docstrings; every function of layer k ≥ 1 calls
 *                                                exactly one function of a module of layer k-1 and reads
 *                                                one of its constants, imported in one of the ways real
 *                                                code does it (below); layer 0 functions are leaves on
 *                                                `row["a"]`, `row["b"]`, `row["c"]`
 *   feature functions                            `features` row features `def NAME(row: dict) -> float`
 *                                                appended to modules of the two top layers (70% layer 9),
 *                                                each calling one or two functions of its own module;
 *                                                and one pandas series feature `def NOUN_score_vec(df:
 *                                                pd.DataFrame) -> pd.Series` in a layer-9 module without
 *                                                row features, on its module's constants only
 *   DIR/featureguard.json                        snapshot `main`, every feature, `"python": {"paths": ["src"]}`
 *   DIR/pyrightconfig.json                       for `pyright -p DIR` (the bench's reference analyzer)
 *   DIR/data/main.parquet                        `rows` rows: a, b, c (double), seg (string) — the same
 *                                                rows generateWorkspace.ts writes for the seed — and one
 *                                                column per feature with what the committed code computes,
 *                                                computed by DATA_PYTHON (/usr/bin/python3, with pandas)
 *                                                running that code
 *
 * Imports of a lower module, one style per (importing module, imported module), seeded:
 *   from ..layer3.spend_12 import scale_spend, SPEND_RATE as SPEND_RATE_SPEND12   (relative, some aliased)
 *   from featlib.layer3.spend_12 import scale_spend                             (absolute)
 *   import featlib.layer3.spend_12 as spend12          + spend12.SPEND_RATE     (module alias, attribute)
 *   from ..layer3 import spend_12                      + spend_12.scale_spend   (submodule from a package)
 *   from ..layer3 import scale_spend                                            (re-exported by __init__.py)
 *   from ..layer3.spend_12 import *                                             (honouring its `__all__`)
 *   import featlib.layer3.spend_12                     + featlib.layer3.spend_12.SPEND_RATE
 *
 * The files are checked with `python3 -m compileall -q` (byte code written outside DIR) and run
 * (the snapshot's feature columns) before everything is committed (one commit, fixed author and
 * dates). Everything comes from one seeded PRNG: the same arguments give byte-identical files.
 *
 * The returned `meta` has the same shape as generateWorkspace.ts's (graph `path#name` → the
 * `path#name`s it references, resolved through every alias and re-export to the defining module;
 * features; constants), so `expectedImpact` and `validVia` from there apply unchanged.
 *
 * CLI: node out/bench/generate.js python DIR --modules 500 --features 50 --rows 100000 --seed 1 [--meta FILE]
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ROOT } from '../core/paths';
import type { GenerateOptions, WorkspaceMeta, WorkspaceParams } from '../core/types';
import { gitIn, prepareGeneratedDir } from './generatedDir';
import { CONST_SUFFIXES, FEATURE_KINDS, FIELDS, LAYERS, NOUNS, SEGMENTS, VERBS, lit, makeRng, rowChunks, type Rng } from './generateWorkspace';

/** A module-level constant; `style` picks how it is written (plain, annotated, commented). */
interface PyConst { name: string; value?: number; decimals?: number; style?: number; derived?: boolean }
/** A name of a lower module this module refers to. */
interface PyRef { mod: PyModule; name: string }
interface PyFn { name: string; verb: string; template: number; field: string; callee?: PyRef; lowerConst?: PyRef; own1?: PyConst; own2?: PyConst }
interface PyFeature { name: string; mod: PyModule; calls: PyFn[]; field: string; coef: number; seg: string; annotated: boolean; kind?: 'row' }
interface PySeries { name: string; mod: PyModule; kind: 'series'; weight: PyConst; gain: PyConst; coef: number; cc: number; seg: string }
/** One planned module: its declarations, what it imports, the features appended to it. */
interface PyModule {
  layer: number;
  index: number;
  noun: string;
  NOUN: string;
  file: string;
  path: string;
  dotted: string;
  helper: string;
  hasAll: boolean;
  hasParams: boolean;
  hasWindow: boolean;
  derived: boolean;
  features: PyFeature[];
  consts: PyConst[];
  fns: PyFn[];
  windowClass: string;
  paramsClass: string;
  derivedFrom?: PyRef;
  windowGain?: PyConst;
  reexported?: boolean;
  series?: PySeries;
}
/** How this module imports a lower one, and the local expression of each name it uses. */
interface ImportEntry { style: string; local?: string; names: Map<string, string> }
interface Plan { layers: PyModule[][]; features: PyFeature[]; series: PySeries }
type Graph = Record<string, string[]>;
export const PACKAGE = 'featlib';
const PYTHON = process.env.FG_BENCH_PYTHON ?? 'python3';
/**
 * The interpreter that computes the snapshot's feature columns: it needs numpy and pandas (the
 * series feature). The benchmark's `featureguard check` runs the features in the same one
 * (FEATUREGUARD_PYTHON in its environment, bench/families/python).
 */
export const DATA_PYTHON = process.env.FG_BENCH_DATA_PYTHON ?? '/usr/bin/python3';
const HELPERS = ['_soft_clip', '_squash', '_bounded', '_saturate'];
/** Import styles of a lower module and their weights (see the header). */
const STYLES: [string, number][] = [['from', 40], ['absfrom', 10], ['alias', 15], ['submodule', 10], ['package', 12], ['star', 8], ['dotted', 5]];

const cap = (s: string): string => s[0].toUpperCase() + s.slice(1);

// ---------------------------------------------------------------------------------------------
// The plan: modules, declarations, callees

function planWorkspace(rng: Rng, modules: number, features: number, seed: number): Plan {
  const perLayer: number[] = [];
  for (let k = 0; k < LAYERS; k++) perLayer.push(Math.floor(modules / LAYERS) + (k < modules % LAYERS ? 1 : 0));
  const layers: PyModule[][] = [];
  for (let k = 0; k < LAYERS; k++) {
    const mods: PyModule[] = [];
    for (let j = 0; j < perLayer[k]; j++) {
      const noun = NOUNS[(j + k * 7) % NOUNS.length];
      const NOUN = noun.toUpperCase();
      const file = `${noun}_${j}`;
      const mod: PyModule = {
        layer: k, index: j, noun, NOUN, file,
        path: `src/${PACKAGE}/layer${k}/${file}.py`,
        dotted: `${PACKAGE}.layer${k}.${file}`,
        helper: rng.pick(HELPERS),
        hasAll: rng.chance(0.5),
        hasParams: rng.chance(0.3),
        hasWindow: rng.chance(0.35),
        derived: k > 0 ? rng.chance(0.6) : rng.chance(0.3),
        features: [], consts: [], fns: [], windowClass: `${cap(noun)}Window`, paramsClass: `${cap(noun)}Params`,
      };
      const nConsts = 3 + rng.int(3); // plus LIMIT
      mod.consts = [{ name: `${NOUN}_LIMIT`, value: rng.range(50, 500), decimals: 1, style: rng.int(3) }];
      for (const s of rng.sample(CONST_SUFFIXES, nConsts)) mod.consts.push({ name: `${NOUN}_${s}`, value: rng.range(0.1, 2.5), decimals: 3, style: rng.int(3) });
      const nFns = 3 + rng.int(3);
      mod.fns = rng.sample(VERBS, nFns).map((v) => ({ name: `${v}_${noun}`, verb: v, template: rng.int(3), field: rng.pick(FIELDS) }));
      if (mod.hasWindow) mod.fns[rng.int(mod.fns.length)].template = 3;
      mods.push(mod);
    }
    layers.push(mods);
  }
  // Callees: each module draws its functions' callees from 2–3 modules of the layer below.
  for (let k = 1; k < LAYERS; k++) {
    for (const mod of layers[k]) {
      const lower = rng.sample(layers[k - 1], Math.min(layers[k - 1].length, 2 + rng.int(2)));
      for (const fn of mod.fns) {
        const m = rng.pick(lower);
        fn.callee = { mod: m, name: rng.pick(m.fns).name };
        fn.lowerConst = { mod: m, name: rng.pick(m.consts).name };
      }
      if (mod.derived) {
        const m = rng.pick(mod.fns).callee!.mod; // a module already imported
        mod.derivedFrom = { mod: m, name: rng.pick(m.consts).name };
      }
    }
  }
  for (const mod of layers[0]) if (mod.derived) mod.derivedFrom = { mod, name: mod.consts[1].name };
  for (const layer of layers) {
    for (const mod of layer) {
      if (mod.derived) mod.consts.push({ name: `${mod.NOUN}_MIDPOINT`, derived: true });
      const pool = mod.consts.slice(1);
      for (const fn of mod.fns) [fn.own1, fn.own2] = rng.sample(pool, 2);
      mod.windowGain = rng.pick(mod.consts.slice(1).filter((c) => !c.derived));
    }
  }
  // Package re-exports: each layer's __init__.py re-exports the public names of a few of its
  // modules whose nouns are distinct within the layer (so the re-exported names never clash).
  for (const layer of layers) {
    const distinct = layer.filter((m) => layer.findIndex((o) => o.noun === m.noun) === m.index);
    for (const m of rng.sample(distinct, Math.min(distinct.length, 15))) m.reexported = true;
  }
  // Features: row functions appended to modules of the two top layers.
  const feats: PyFeature[] = [];
  for (let i = 0; i < features; i++) {
    const layer = layers[LAYERS - 1 - (rng.chance(0.7) || LAYERS < 2 ? 0 : 1)];
    const mod = rng.pick(layer);
    const name = `${NOUNS[rng.int(NOUNS.length)]}_${rng.pick(FEATURE_KINDS)}_${i}`;
    const calls = rng.chance(0.3) ? rng.sample(mod.fns, 2) : [rng.pick(mod.fns)];
    const feat = { name, mod, calls, field: rng.pick(FIELDS), coef: rng.range(0.01, 0.2), seg: rng.pick(SEGMENTS), annotated: rng.chance(0.7) };
    mod.features.push(feat);
    feats.push(feat);
  }
  // One pandas `series` feature (`def f(df: pd.DataFrame) -> pd.Series`), the vectorized score of
  // a batch scorer, in the first layer-9 module that has no row feature and that its package does
  // not re-export (so no row feature's import brings pandas in). Its numbers come from a PRNG of its
  // own: the rest of the workspace (code, rows, edits) is what it was without it. It reads constants
  // of its own module only, so no layer-0 edit reaches it (the impact figures reach what they reached).
  const top = layers[LAYERS - 1];
  const home = top.find((m) => !m.reexported && m.features.length === 0) ?? top.find((m) => !m.reexported) ?? top[0];
  const own = makeRng(seed * 7919 + 17);
  const pool = home.consts.slice(1).filter((c) => !c.derived);
  const [weight, gain] = own.sample(pool, 2);
  home.series = { name: `${home.noun}_score_vec`, mod: home, kind: 'series', weight, gain, coef: own.range(0.01, 0.2), cc: own.range(0.001, 0.02), seg: own.pick(SEGMENTS) };
  return { layers, features: feats, series: home.series };
}

/** The row features, then the series feature. */
const allFeatures = (plan: Plan): (PyFeature | PySeries)[] => [...plan.features, plan.series];

/** The public names of a module, as its `__all__` lists them (and its package re-exports them). */
function publicNames(mod: PyModule): string[] {
  const names: string[] = [...mod.consts.map((c) => c.name), ...mod.fns.map((f) => f.name)];
  if (mod.hasWindow) names.push(mod.windowClass);
  if (mod.hasParams) names.push(mod.paramsClass, `${mod.NOUN}_PARAMS`);
  for (const f of mod.features) names.push(f.name);
  if (mod.series) names.push(mod.series.name);
  return names;
}

/** Every module-level name a module binds itself. */
function ownNames(mod: PyModule): string[] {
  return [...publicNames(mod), mod.helper, '__all__', 'math', 'dataclass', 'annotations', ...(mod.series ? ['pd'] : [])];
}

// ---------------------------------------------------------------------------------------------
// Imports

/**
 * Import bookkeeping for one module: how each lower module is imported (one style per module,
 * seeded) and the local expression of every imported name. Names never clash: a name already
 * bound is imported under an alias, and a star import is only used when none of the names it
 * binds is taken.
 */
class ImportPlan {
  private readonly rng: Rng;
  private readonly taken: Set<string>;
  private readonly byModule: Map<PyModule, ImportEntry>;
  private readonly fromPackage: Map<number, Map<string, string>>;
  private dotted = false;

  constructor(rng: Rng, mod: PyModule) {
    this.rng = rng;
    this.taken = new Set(ownNames(mod));
    this.byModule = new Map(); // lower mod -> { style, local?, names: Map(name -> local) }
    this.fromPackage = new Map(); // layer -> Map(name -> local)
  }

  /** A seeded style among those that apply to `lower` here (weights: STYLES). */
  style(lower: PyModule): string {
    const applies: Record<string, boolean> = {
      package: Boolean(lower.reexported),
      star: Boolean(lower.hasAll) && !publicNames(lower).some((n) => this.taken.has(n)),
      submodule: !this.taken.has(lower.file),
      alias: !this.taken.has(lower.file.replace('_', '')),
      dotted: !this.taken.has(PACKAGE) || this.dotted,
    };
    const styles = STYLES.filter(([s]) => applies[s] ?? true);
    let u = this.rng.next() * styles.reduce((n, [, w]) => n + w, 0);
    for (const [s, w] of styles) if ((u -= w) < 0) return s;
    return 'from';
  }

  /** A local name for `name`, aliased when it is taken (and sometimes anyway, as people do). */
  local(name: string, lower: PyModule): string {
    let local = name;
    if (this.taken.has(local) || this.rng.chance(0.15)) {
      local = /^[A-Z_]+$/.test(name) ? `${name}_${lower.file.replace('_', '').toUpperCase()}` : `${name}_${lower.file.replace('_', '')}`;
      while (this.taken.has(local)) local += '_';
    }
    this.taken.add(local);
    return local;
  }

  /** The expression that stands for `name` of module `lower` in this module. */
  ref(lower: PyModule, name: string): string {
    let e = this.byModule.get(lower);
    if (!e) {
      e = { style: this.style(lower), names: new Map() };
      if (e.style === 'alias') this.taken.add((e.local = lower.file.replace('_', '')));
      if (e.style === 'submodule') this.taken.add((e.local = lower.file));
      if (e.style === 'dotted') this.taken.add(PACKAGE), (this.dotted = true);
      if (e.style === 'star') for (const n of publicNames(lower)) this.taken.add(n);
      this.byModule.set(lower, e);
    }
    switch (e.style) {
      case 'alias':
      case 'submodule':
        return `${e.local}.${name}`;
      case 'dotted':
        return `${lower.dotted}.${name}`;
      case 'star':
        return name;
      case 'package': {
        let names = this.fromPackage.get(lower.layer);
        if (!names) this.fromPackage.set(lower.layer, (names = new Map()));
        if (!names.has(name)) names.set(name, this.local(name, lower));
        return names.get(name)!;
      }
      default:
        if (!e.names.has(name)) e.names.set(name, this.local(name, lower));
        return e.names.get(name)!;
    }
  }

  render(): { absolute: string[]; relative: string[] } {
    const absolute = [];
    const relative = [];
    const rel = (layer: number) => `..layer${layer}`;
    const names = (map: Iterable<[string, string]>) => [...map].map(([n, l]) => (n === l ? n : `${n} as ${l}`)).join(', ');
    // What `from ..layerK import …` binds: submodules and names its __init__.py re-exports, one statement.
    const fromPackage = new Map<number, [string, string][]>([...this.fromPackage].map(([layer, map]) => [layer, [...map]]));
    const sorted = [...this.byModule.keys()].sort((a, b) => a.path.localeCompare(b.path));
    for (const lower of sorted) {
      if (this.byModule.get(lower)!.style !== 'submodule') continue;
      if (!fromPackage.has(lower.layer)) fromPackage.set(lower.layer, []);
      fromPackage.get(lower.layer)!.unshift([lower.file, lower.file]);
    }
    for (const lower of sorted) {
      const e = this.byModule.get(lower)!;
      if (e.style === 'alias') absolute.push(`import ${lower.dotted} as ${e.local}`);
      else if (e.style === 'dotted') absolute.push(`import ${lower.dotted}`);
      else if (e.style === 'absfrom') absolute.push(...wrapImport(`from ${lower.dotted} import `, names(e.names)));
      else if (e.style === 'star') relative.push(`from ${rel(lower.layer)}.${lower.file} import *  # noqa: F403 (its __all__)`);
      else if (e.style === 'from') relative.push(...wrapImport(`from ${rel(lower.layer)}.${lower.file} import `, names(e.names)));
    }
    for (const [layer, list] of [...fromPackage].sort((a, b) => a[0] - b[0])) relative.push(...wrapImport(`from ${rel(layer)} import `, names(list)));
    return { absolute, relative };
  }
}

/** `from x import a, b, c` wrapped in parentheses when it is longer than 99 characters. */
function wrapImport(head: string, list: string): string[] {
  if (head.length + list.length <= 99) return [head + list];
  return [`${head}(`, ...list.split(', ').map((n) => `    ${n},`), ')'];
}

/** `__all__ = [...]`, one name a line when it is longer than 99 characters. */
function allList(names: string[]): string[] {
  const one = `__all__ = [${names.map((n) => `"${n}"`).join(', ')}]`;
  return one.length <= 99 ? [one] : ['__all__ = [', ...names.map((n) => `    "${n}",`), ']'];
}

// ---------------------------------------------------------------------------------------------
// Rendering

const idOf = (mod: PyModule, name: string): string => `${mod.path}#${name}`;

function renderModule(rng: Rng, mod: PyModule, graph: Graph): string {
  const imports = new ImportPlan(rng, mod);
  const limit = mod.consts[0];
  const h = mod.helper;
  let usesMath = false;

  // Functions first: they decide the imports.
  const body = [];
  for (const fn of mod.fns) {
    const deps = new Set([idOf(mod, h), idOf(mod, fn.own1!.name)]);
    // The window template reads the layer-below constant where the others read own2 (renderFunction).
    if (fn.template !== 3 || mod.layer === 0) deps.add(idOf(mod, fn.own2!.name));
    let call = null, lowerConst = null;
    if (mod.layer > 0) {
      call = imports.ref(fn.callee!.mod, fn.callee!.name);
      lowerConst = imports.ref(fn.lowerConst!.mod, fn.lowerConst!.name);
      deps.add(idOf(fn.callee!.mod, fn.callee!.name));
      deps.add(idOf(fn.lowerConst!.mod, fn.lowerConst!.name));
    }
    if (fn.template === 3) {
      deps.add(idOf(mod, mod.windowClass)), deps.add(idOf(mod, limit.name));
      usesMath = true;
    }
    graph[idOf(mod, fn.name)] = [...deps].sort();
    body.push('', '', ...renderFunction(rng, mod, fn, call, lowerConst));
  }
  for (const feat of mod.features) {
    graph[idOf(mod, feat.name)] = feat.calls.map((c) => idOf(mod, c.name)).sort();
    body.push('', '', ...renderFeature(feat));
  }
  if (mod.series) {
    const s = mod.series;
    graph[idOf(mod, s.name)] = [idOf(mod, limit.name), idOf(mod, s.weight.name), idOf(mod, s.gain.name)].sort();
    body.push('', '', ...renderSeriesFeature(s, limit.name));
  }

  // Constants.
  const consts: string[] = [];
  for (const c of mod.consts) {
    if (c.derived) {
      const from = mod.derivedFrom!;
      const ref = from.mod === mod ? from.name : imports.ref(from.mod, from.name);
      consts.push(`# Midpoint of the ${mod.noun} range, shifted by ${from.name}.`);
      consts.push(`${c.name} = ${limit.name} * 0.5 + ${ref}`);
      graph[idOf(mod, c.name)] = [idOf(mod, limit.name), idOf(from.mod, from.name)].sort();
      continue;
    }
    const what = c.name.slice(mod.NOUN.length + 1).toLowerCase();
    const value = lit(c.value!, c.decimals);
    if (c.style === 0) consts.push(`#: ${cap(what)} of the ${mod.noun} signal.`, `${c.name} = ${value}`);
    else if (c.style === 1) consts.push(`${c.name}: float = ${value}`);
    else consts.push(`${c.name} = ${value}  # ${what}`);
    graph[idOf(mod, c.name)] = [];
  }

  const L = [];
  L.push(`"""${cap(mod.noun)} signals, layer ${mod.layer} (module ${mod.index}).`, '');
  L.push(mod.layer === 0
    ? `Leaf computations on the raw row fields; every value stays within +/-${limit.name}.`
    : `Each function refines one signal of layer ${mod.layer - 1}; values stay within +/-${limit.name}.`);
  const defined = [...mod.features, ...(mod.series ? [mod.series] : [])];
  if (defined.length) L.push(`Features defined here: ${defined.map((f) => f.name).join(', ')}.`);
  L.push('"""', '', 'from __future__ import annotations', '');
  const std = [];
  if (usesMath) std.push('import math');
  if (mod.hasParams) std.push('from dataclasses import dataclass');
  if (std.length) L.push(...std, '');
  // pyright runs with the interpreter on PATH, which may have no pandas: the one import it may not
  // resolve is marked, so that its report still checks every import of the generated package.
  if (mod.series) L.push('import pandas as pd  # pyright: ignore[reportMissingImports]', '');
  const { absolute, relative } = imports.render();
  if (absolute.length) L.push(...absolute, '');
  if (relative.length) L.push(...relative, '');
  if (mod.hasAll) {
    L.push(...allList(publicNames(mod)), '');
    graph[idOf(mod, '__all__')] = [];
  }
  L.push(...consts);

  L.push('', '');
  L.push(`def ${h}(v: float) -> float:`);
  L.push(`    """Keeps a value within +/-${limit.name} without a discontinuity."""`);
  L.push(`    return v / (1.0 + abs(v) / ${limit.name})`);
  graph[idOf(mod, h)] = [idOf(mod, limit.name)];

  if (mod.hasWindow) {
    const W = mod.windowClass;
    L.push('', '');
    L.push(`class ${W}:`);
    L.push(`    """Damps the ${mod.noun} signal before it is passed down a layer."""`, '');
    L.push(`    def __init__(self, gain: float = ${mod.windowGain!.name}) -> None:`);
    L.push('        self.gain = gain', '');
    L.push('    def apply(self, v: float) -> float:');
    L.push('        """The damped value."""');
    L.push(`        return ${h}(v * self.gain)`);
    graph[idOf(mod, W)] = [idOf(mod, h), idOf(mod, mod.windowGain!.name)].sort();
  }
  if (mod.hasParams) {
    const T = mod.paramsClass;
    const picks = mod.consts.filter((c) => !c.derived).slice(0, 3);
    L.push('', '');
    L.push('@dataclass(frozen=True)');
    L.push(`class ${T}:`);
    L.push(`    """The ${mod.noun} parameters as one object, for logging."""`, '');
    for (const c of picks) L.push(`    ${c.name.slice(mod.NOUN.length + 1).toLowerCase()}: float = ${c.name}`);
    L.push('', '');
    L.push(`${mod.NOUN}_PARAMS = ${T}()`);
    graph[idOf(mod, T)] = picks.map((c) => idOf(mod, c.name)).sort();
    graph[idOf(mod, `${mod.NOUN}_PARAMS`)] = [idOf(mod, T)];
  }
  L.push(...body);
  return L.join('\n') + '\n';
}

function renderFunction(rng: Rng, mod: PyModule, fn: PyFn, call: string | null, lowerConst: string | null): string[] {
  const seg = rng.pick(SEGMENTS);
  const c1 = lit(rng.range(0.05, 0.95)), c2 = lit(rng.range(0.05, 0.95)), c3 = lit(rng.range(0.5, 1.5)), c4 = lit(rng.range(0.5, 1.5));
  const h = mod.helper, o1 = fn.own1!.name, o2 = fn.own2!.name, f = fn.field;
  const limit = mod.consts[0].name;
  const summary = `    """${cap(fn.verb)}${/(x|sh)$/.test(fn.verb) ? 'es' : 's'} the ${mod.noun} signal${mod.layer ? ` from layer ${mod.layer - 1}` : ''} for one row`;
  // A short docstring for most functions, the full Google style for some (as in real code).
  const doc = !rng.chance(0.4) ? [`${summary}."""`] : [
    `${summary}.`,
    '',
    mod.layer ? `    Reads ${lowerConst} from the layer below and ${o1} from this module.` : `    Reads row["${f}"] and ${o1}.`,
    '',
    '    Args:',
    '        row: one snapshot row.',
    `        x: the incoming ${mod.layer === LAYERS - 1 ? 'feature seed' : `signal from layer ${mod.layer + 1}`}.`,
    '',
    '    Returns:',
    `        A value within +/-${limit}.`,
    '    """',
  ];
  const sig = `def ${fn.name}(row: dict, x: float) -> float:`;
  const leaf = (arg: string) => (call ? `${call}(row, ${arg})` : `row["${f}"] * ${o1} + (${arg}) * 0.25`);
  const lc = lowerConst ?? o2;
  switch (fn.template) {
    case 0:
      return [sig, ...doc,
        `    base = x * ${o1} + row["${f}"] * ${c1}`,
        '    acc = 0.0',
        '    for i in range(3):',
        `        acc += (base + i * ${c2}) / 3`,
        `    lowered = ${leaf('acc')}`,
        `    if row["seg"] == "${seg}":`,
        `        out = lowered * ${c3} + ${lc}`,
        '    else:',
        `        out = lowered * ${c4} - ${lc} * 0.5`,
        `    return ${h}(out + ${o2} * 0.01)`];
    case 1:
      return [sig, ...doc,
        `    scaled = (x + ${lc}) * ${o1}`,
        `    weight = ${c1} if row["seg"] == "${seg}" else ${c2}`,
        `    inner = ${leaf('scaled * weight')}`,
        `    blended = inner * (1 - weight / 4) + row["${f}"] * (weight / 4)`,
        `    if blended > ${o2} * 100:`,
        `        return ${h}(blended - ${o2})`,
        `    return ${h}(blended)`];
    case 2:
      return [sig, ...doc,
        '    segment = row["seg"]',
        `    if segment == "${seg}":`,
        `        factor = ${o1}`,
        `    elif segment == "${SEGMENTS[(SEGMENTS.indexOf(seg) + 1) % SEGMENTS.length]}":`,
        `        factor = ${lc}`,
        '    else:',
        `        factor = ${c3}  # the other segments`,
        `    inner = ${leaf(`x * 0.5 + row["${f}"] * ${c1}`)}`,
        `    return ${h}(inner * factor + x * ${c2} + ${o2})`];
    default:
      // Uses the module's class (whose default gain is a module constant).
      return [sig, ...doc,
        `    window = ${mod.windowClass}()`,
        `    inner = ${leaf(`window.apply(x) + row["${f}"] * ${c1}`)}`,
        `    squashed = math.tanh(inner / ${limit}) * ${limit}`,
        `    return ${h}(squashed * ${o1} + ${lc} * ${c4})`];
  }
}

function renderFeature(feat: PyFeature): string[] {
  const param = feat.annotated ? 'row: dict' : 'row';
  const seed = `row["${feat.field}"] * ${lit(feat.coef)} + (1.0 if row["seg"] == "${feat.seg}" else 0.0)`;
  const L = [
    `def ${feat.name}(${param}) -> float:`,
    `    """Feature \`\`${feat.name}\`\`, materialized in the \`\`main\`\` snapshot."""`,
    `    seed = ${seed}`,
  ];
  if (feat.calls.length === 1) L.push(`    return ${feat.calls[0].name}(row, seed)`);
  else L.push(`    return 0.5 * (${feat.calls[0].name}(row, seed) + ${feat.calls[1].name}(row, -seed))`);
  return L;
}

/**
 * The pandas `series` feature: one vectorized pass over the frame, kept within +/-LIMIT the way the
 * module's (scalar) helper does it.
 */
function renderSeriesFeature(s: PySeries, limit: string): string[] {
  return [
    `def ${s.name}(df: pd.DataFrame) -> pd.Series:`,
    `    """Feature \`\`${s.name}\`\`: the ${s.mod.noun} score of the batch scorer, vectorized over the frame."""`,
    `    seed = df["a"] * ${lit(s.coef)} + df["c"] * ${lit(s.cc)} - df["b"] * ${s.weight.name}`,
    `    boost = (df["seg"] == "${s.seg}").astype("float64") * ${s.gain.name}`,
    '    score = seed + boost',
    `    return score / (1.0 + score.abs() / ${limit})`,
  ];
}

function renderLayerInit(layer: PyModule[]): string {
  const k = layer[0].layer;
  const L = [`"""Layer ${k} of the ${PACKAGE} signals${k === 0 ? ': leaves on the raw row fields' : `, built on layer ${k - 1}`}."""`];
  const re = layer.filter((m) => m.reexported).sort((a, b) => a.file.localeCompare(b.file));
  if (re.length) {
    L.push('');
    for (const m of re) L.push(...wrapImport(`from .${m.file} import `, publicNames(m).join(', ')));
    L.push('', ...allList(re.flatMap(publicNames)));
  }
  return L.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Data: the rows of generateWorkspace.ts, the feature columns computed by python3

const EVALUATE = String.raw`
import array, importlib, json, math, sys
src, rows_dir, spec = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sys.path.insert(0, src)
cols = {}
for name in "abc":
    a = array.array("d")
    with open(f"{rows_dir}/{name}.f64", "rb") as f:
        a.frombytes(f.read())
    cols[name] = a
with open(f"{rows_dir}/seg.txt") as f:
    seg = f.read().split("\n")
n = len(cols["a"])
rows = [{"a": cols["a"][i], "b": cols["b"][i], "c": cols["c"][i], "seg": seg[i]} for i in range(n)]
for i, (module, fn, kind) in enumerate(spec):
    f = getattr(importlib.import_module(module), fn)
    if kind == "series":
        import pandas as pd

        df = pd.DataFrame({"a": list(cols["a"]), "b": list(cols["b"]), "c": list(cols["c"]), "seg": seg})
        out = array.array("d", (float(v) for v in f(df).tolist()))
    else:
        out = array.array("d", (f(dict(r)) for r in rows))
    if len(out) != n:
        raise SystemExit(f"{module}.{fn} gave {len(out)} values for {n} rows")
    for v in out:
        if not math.isfinite(v):
            raise SystemExit(f"{module}.{fn} gave {v}")
    with open(f"{rows_dir}/out{i}.f64", "wb") as g:
        g.write(out.tobytes())
`;

function pythonEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONHASHSEED: '0', ...extra };
}

async function writeSnapshot(dir: string, plan: Plan, rows: number, rng: Rng, onProgress?: (m: string) => void): Promise<void> {
  const { ParquetWriter, fileWriter, schemaFromColumnData } = await import('hyparquet-writer');
  const tmp = mkdtempSync(join(tmpdir(), 'fg-pygen-'));
  try {
    // All rows at once (python3 runs the features over them in one process).
    const chunks = [...rowChunks(rng, rows)];
    const cat = (key: 'a' | 'b' | 'c') => {
      const out = new Float64Array(rows);
      let o = 0;
      for (const ch of chunks) out.set(ch[key], o), (o += ch.n);
      return out;
    };
    const a = cat('a'), b = cat('b'), c = cat('c');
    const seg = chunks.flatMap((ch) => ch.seg);
    for (const [k, arr] of [['a', a], ['b', b], ['c', c]] as const) writeFileSync(join(tmp, `${k}.f64`), Buffer.from(arr.buffer));
    writeFileSync(join(tmp, 'seg.txt'), seg.join('\n'));
    const all = allFeatures(plan);
    const spec = all.map((f) => [f.mod.dotted, f.name, f.kind ?? 'row']);
    onProgress?.(`data: ${DATA_PYTHON} computes ${all.length} features on ${rows} rows`);
    const r = spawnSync(DATA_PYTHON, ['-c', EVALUATE, join(dir, 'src'), tmp, JSON.stringify(spec)], { encoding: 'utf8', env: pythonEnv(), maxBuffer: 1 << 24 });
    if (r.error) throw new Error(`${DATA_PYTHON}: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`${DATA_PYTHON} running the generated features: exit ${r.status}\n${r.stderr.split('\n').slice(-12).join('\n')}`);
    const columnData = [
      { name: 'a', data: a, type: 'DOUBLE' as const, nullable: false },
      { name: 'b', data: b, type: 'DOUBLE' as const, nullable: false },
      { name: 'c', data: c, type: 'DOUBLE' as const, nullable: false },
      { name: 'seg', data: seg, type: 'STRING' as const, nullable: false },
      ...all.map((f, i) => {
        const buf = readFileSync(join(tmp, `out${i}.f64`));
        const data = new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8).slice();
        if (data.length !== rows) throw new Error(`feature ${f.name}: ${data.length} values for ${rows} rows`);
        return { name: f.name as string, data, type: 'DOUBLE' as const, nullable: false };
      }),
    ];
    const pq = new ParquetWriter({ writer: fileWriter(join(dir, 'data/main.parquet')), schema: schemaFromColumnData({ columnData }), createdBy: 'featureguard-bench' });
    for (let start = 0; start < rows; start += 100_000) {
      const end = Math.min(rows, start + 100_000);
      pq.write({ columnData: columnData.map(({ name, data }) => ({ name, data: data.slice(start, end) })), rowGroupSize: end - start });
    }
    pq.finish();
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** `python3 -m compileall -q` over src/, byte code written to a temporary folder (not into DIR). */
function compileCheck(dir: string): void {
  const prefix = mkdtempSync(join(tmpdir(), 'fg-pygen-pyc-'));
  try {
    const r = spawnSync(PYTHON, ['-m', 'compileall', '-q', join(dir, 'src')], { encoding: 'utf8', env: pythonEnv({ PYTHONPYCACHEPREFIX: prefix, PYTHONDONTWRITEBYTECODE: '' }) });
    if (r.error) throw new Error(`${PYTHON}: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`python3 -m compileall: exit ${r.status}\n${(r.stdout + r.stderr).split('\n').slice(0, 12).join('\n')}`);
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Files, git

function writeFile(dir: string, rel: string, text: string): void {
  const p = join(dir, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
}

function prepareDir(dir: string): void {
  prepareGeneratedDir(dir, (entries) => entries.includes('featureguard.json') && existsSync(join(dir, `src/${PACKAGE}/layer0`)), 'a generated Python workspace');
}

const git = gitIn;

/** A hash of this file and of the TypeScript generator it takes the PRNG and the rows from. */
export function generatorVersion() {
  const h = createHash('sha1');
  for (const f of ['generatePythonWorkspace.ts', 'generateWorkspace.ts']) h.update(readFileSync(join(ROOT, 'bench/generators', f)));
  return h.digest('hex').slice(0, 12);
}

/**
 * Writes the workspace into `dir` (wiping a previously generated one), checks it with
 * `python3 -m compileall`, computes the snapshot with python3 and commits it. Returns the meta.
 */
export async function generatePythonWorkspace(dir: string, { modules = 500, features = 50, rows = 100_000, seed = 1 }: Partial<WorkspaceParams> = {}, { onProgress }: GenerateOptions = {}): Promise<WorkspaceMeta> {
  if (!(modules >= LAYERS * 2)) throw new Error(`modules must be ≥ ${LAYERS * 2}`);
  if (!(features >= 1)) throw new Error('features must be ≥ 1');
  if (!(rows >= 1)) throw new Error('rows must be ≥ 1');
  dir = resolve(dir);
  prepareDir(dir);
  const rng = makeRng(seed);
  const plan = planWorkspace(rng, modules, features, seed);
  const graph = {};
  let lines = 0, files = 0;
  const put = (rel: string, text: string) => {
    writeFile(dir, rel, text);
    lines += text.split('\n').length - 1;
    files++;
  };

  put(`src/${PACKAGE}/__init__.py`, `"""Feature signals for the \`\`main\`\` snapshot, in ${LAYERS} layers."""\n\n__version__ = "1.0.0"\n`);
  const constants = [];
  for (const layer of plan.layers) {
    put(`src/${PACKAGE}/layer${layer[0].layer}/__init__.py`, renderLayerInit(layer));
    for (const mod of layer) {
      put(mod.path, renderModule(rng, mod, graph));
      for (const c of mod.consts) if (!c.derived) constants.push({ id: idOf(mod, c.name), path: mod.path, name: c.name, layer: mod.layer, value: lit(c.value!, c.decimals) });
    }
  }
  const config = {
    python: { paths: ['src'] },
    snapshots: { main: { path: 'data/main.parquet', sampleRows: rows, seed } },
    features: Object.fromEntries(allFeatures(plan).map((f) => [f.name, { source: `${f.mod.path}#${f.name}`, snapshot: 'main', column: f.name }])),
  };
  writeFile(dir, 'featureguard.json', JSON.stringify(config, null, 2) + '\n');
  writeFile(dir, 'pyrightconfig.json', JSON.stringify({ include: ['src'], extraPaths: ['src'], pythonVersion: '3.9', typeCheckingMode: 'standard' }, null, 2) + '\n');
  writeFile(dir, '.gitignore', '__pycache__/\n*.pyc\n.venv/\n');
  mkdirSync(join(dir, 'data'), { recursive: true });
  onProgress?.(`code: ${lines} lines of Python in ${files} files`);
  compileCheck(dir);
  onProgress?.('python3 -m compileall: ok');
  await writeSnapshot(dir, plan, rows, rng, onProgress);
  onProgress?.('git: add and commit');

  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['-c', 'core.compression=1', 'add', '-A']);
  git(dir, ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', '-c', 'commit.gpgsign=false', 'commit', '-q', '-m', `bench Python workspace: ${modules} modules, ${features} features, ${rows} rows, seed ${seed}`]);
  const commit = git(dir, ['rev-parse', 'HEAD']).trim();

  return {
    language: 'python',
    generator: generatorVersion(),
    args: { modules, features, rows, seed },
    dir,
    commit,
    modules: plan.layers.reduce((n, l) => n + l.length, 0),
    files,
    lines,
    layers: LAYERS,
    // The row features, then the series one (`kind: 'series'`).
    features: allFeatures(plan).map((f) => ({ name: f.name, source: `${f.mod.path}#${f.name}`, id: `${f.mod.path}#${f.name}`, kind: f.kind ?? 'row' })),
    constants,
    graph,
  };
}
