#!/usr/bin/env node
/**
 * Generates a seeded, realistic TypeScript feature workspace for the FeatureGuard benchmarks:
 *
 *   DIR/src/types.ts                 the row type
 *   DIR/src/lib/l<k>/<noun><j>.ts    `modules` modules in LAYERS layers (~110 lines each): exported
 *                                    constants (some derived from others), one local helper, 3–5
 *                                    exported functions; every function of layer k ≥ 1 calls exactly
 *                                    one function of a module in layer k-1 (named imports, some
 *                                    aliased, some namespace imports) and reads constants imported
 *                                    from it; layer 0 functions are leaves doing arithmetic on a row
 *   DIR/src/features/<domain>_<n>.ts `features` feature functions (row => number) calling the top layer
 *   DIR/src/features/index.ts        a barrel re-exporting every feature file
 *   DIR/featureguard.json            snapshot `main` and every feature
 *   DIR/tsconfig.json                strict, noEmit: `tsc --noEmit -p DIR` is clean
 *   DIR/data/main.parquet            `rows` rows: a, b, c (double), seg (string, 5 categories) and one
 *                                    column per feature with what the committed code computes
 *
 * and commits it all (one commit, fixed author/dates). Everything comes from one seeded PRNG, so
 * the same arguments give byte-identical files (and the same commit id).
 *
 * The returned `meta` holds the symbol-level reference graph the generator wrote (`path#name` →
 * the `path#name`s it references), which `expectedImpact` uses to compute the exact set of
 * features an edit reaches.
 *
 * `shape: 'short'` (the small-repository family) writes shorter modules: 2 constants besides the
 * limit and one function each (~40 lines instead of ~110), the same layering and graph.
 *
 * CLI: node out/bench/generateWorkspace.js DIR --modules 500 --features 50 --rows 100000 --seed 1 [--shape short]
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type * as esbuildApi from 'esbuild';
import { ROOT } from '../core/paths';
import type { GenerateOptions, MetaConstant, MetaFeature, WorkspaceMeta, WorkspaceParams } from '../core/types';
import { gitIn, prepareGeneratedDir } from './generatedDir';

export interface Rng {
  next(): number;
  int(n: number): number;
  range(lo: number, hi: number): number;
  pick<T>(arr: readonly T[]): T;
  chance(p: number): boolean;
  /** `k` distinct elements of `arr`, in random order. */
  sample<T>(arr: readonly T[], k: number): T[];
  normal(): number;
}

interface Const { name: string; value?: number; decimals?: number; deps: string[]; derived?: boolean }
interface Fn {
  name: string;
  template: number;
  field: string;
  callee?: { mod: Mod; fn: Fn };
  lowerConst?: { mod: Mod; c: Const };
  own1?: Const;
  own2?: Const;
}
interface Mod {
  layer: number;
  index: number;
  noun: string;
  base: string;
  NOUN: string;
  path: string;
  consts: Const[];
  fns: Fn[];
  helper: string;
  hasParams: boolean;
  derived: boolean;
  derivedFrom?: { mod: Mod; c: Const };
}
interface Feat { name: string; exportName: string; file: string; calls: { mod: Mod; fn: Fn }[]; field: string; coef: number; seg: string }
interface FeatureFile { path: string; features: Feat[] }
interface Plan { layers: Mod[][]; features: Feat[]; files: FeatureFile[] }
type Graph = Record<string, string[]>;

export const LAYERS = 10;
export const SEGMENTS = ['north', 'south', 'east', 'west', 'online'];
const SEGMENT_WEIGHTS = [0.3, 0.25, 0.2, 0.15, 0.1];
const FEATURES_PER_FILE = 5;
const ROW_GROUP = 100_000;
/** The vocabulary of generated names, shared with the Python generator. */
export const NOUNS = [
  'billing', 'tenure', 'spend', 'visits', 'clicks', 'churn', 'margin', 'balance', 'credit', 'refund',
  'session', 'basket', 'loyalty', 'payment', 'discount', 'delivery', 'returns', 'inventory', 'pricing', 'engagement',
  'referral', 'support', 'account', 'device', 'channel', 'campaign', 'region', 'usage', 'quota', 'latency',
];
export const VERBS = ['scale', 'clip', 'smooth', 'weight', 'blend', 'adjust', 'damp', 'boost', 'decay', 'shift', 'rank', 'mix'];
export const CONST_SUFFIXES = ['SCALE', 'OFFSET', 'WEIGHT', 'RATE', 'FLOOR', 'BIAS', 'DECAY', 'GAIN'];
const HELPERS = ['softClip', 'squash', 'bounded', 'saturate'];
export const FEATURE_KINDS = ['risk', 'ratio', 'score', 'trend', 'index', 'rate', 'level'];
export const FIELDS = ['a', 'b', 'c'];

// ---------------------------------------------------------------------------------------------
// Seeded randomness

/** sfc32: small, fast, good enough, and fully determined by the seed. */
export function makeRng(seed: number): Rng {
  let a = 0x9e3779b9 ^ seed, b = 0x243f6a88 + seed * 31, c = 0xb7e15162 ^ (seed << 7), d = 1;
  const next = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (a + b | 0) + d | 0;
    d = d + 1 | 0;
    a = b ^ b >>> 9;
    b = c + (c << 3) | 0;
    c = c << 21 | c >>> 11;
    c = c + t | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 20; i++) next();
  const rng: Rng = {
    next,
    int: (n) => Math.floor(next() * n),
    range: (lo, hi) => lo + next() * (hi - lo),
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    chance: (p) => next() < p,
    /** `k` distinct elements of `arr`, in random order. */
    sample: (arr, k) => {
      const copy = [...arr];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [copy[i], copy[j]] = [copy[j], copy[i]];
      }
      return copy.slice(0, k);
    },
    normal: () => {
      const u = Math.max(next(), 1e-12), v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
  };
  return rng;
}

const cap = (s: string): string => s[0].toUpperCase() + s.slice(1);
const camel = (snake: string): string => snake.split('_').map((p, i) => (i === 0 ? p : cap(p))).join('');
/** A numeric literal as written in the source: fixed decimals, never `1e-7`. */
export const lit = (v: number, decimals = 3): string => {
  const s = v.toFixed(decimals).replace(/0+$/, '').replace(/\.$/, '.0');
  return s;
};

// ---------------------------------------------------------------------------------------------
// The code model: modules, declarations and the reference graph

/**
 * Plans every module (names, constants, functions, callees) before rendering, so the rendering
 * of a module knows the names it imports.
 */
function planWorkspace(rng: Rng, modules: number, features: number, short: boolean): Plan {
  const perLayer: number[] = [];
  for (let k = 0; k < LAYERS; k++) perLayer.push(Math.floor(modules / LAYERS) + (k < modules % LAYERS ? 1 : 0));
  const layers: Mod[][] = [];
  for (let k = 0; k < LAYERS; k++) {
    const mods: Mod[] = [];
    for (let j = 0; j < perLayer[k]; j++) {
      const noun = NOUNS[(j + k * 7) % NOUNS.length];
      const base = `${noun}${j}`;
      const NOUN = noun.toUpperCase();
      const path = `src/lib/l${k}/${base}.ts`;
      const extraConsts = rng.int(3);
      const nConsts = short ? 2 : 3 + extraConsts; // plus LIMIT
      const consts: Const[] = [{ name: `${NOUN}_LIMIT`, value: rng.range(50, 500), decimals: 1, deps: [] }];
      for (const s of rng.sample(CONST_SUFFIXES, nConsts)) consts.push({ name: `${NOUN}_${s}`, value: rng.range(0.1, 2.5), decimals: 3, deps: [] });
      const extraFns = rng.int(3);
      const nFns = short ? 1 : 3 + extraFns;
      const fns: Fn[] = rng.sample(VERBS, nFns).map((v) => ({ name: `${v}${cap(noun)}`, template: rng.int(3), field: rng.pick(FIELDS) }));
      mods.push({ layer: k, index: j, noun, base, NOUN, path, consts, fns, helper: rng.pick(HELPERS), hasParams: rng.chance(0.3), derived: k > 0 ? rng.chance(0.6) : rng.chance(0.3) });
    }
    layers.push(mods);
  }
  // Callees: each module draws its functions' callees from 2–3 modules of the layer below.
  for (let k = 1; k < LAYERS; k++) {
    for (const mod of layers[k]) {
      const lower = rng.sample(layers[k - 1], Math.min(layers[k - 1].length, 2 + rng.int(2)));
      for (const fn of mod.fns) {
        const m = rng.pick(lower);
        fn.callee = { mod: m, fn: rng.pick(m.fns) };
        fn.lowerConst = { mod: m, c: rng.pick(m.consts) };
      }
      if (mod.derived) {
        const m = rng.pick(mod.fns).callee!.mod; // a module already imported
        mod.derivedFrom = { mod: m, c: rng.pick(m.consts) };
      }
    }
  }
  for (const mod of layers[0]) if (mod.derived) mod.derivedFrom = { mod, c: mod.consts[1] };
  // Own constants each function reads (the derived MIDPOINT is one of the candidates).
  for (const layer of layers) {
    for (const mod of layer) {
      if (mod.derived) mod.consts.push({ name: `${mod.NOUN}_MIDPOINT`, derived: true, deps: [] });
      const pool = mod.consts.slice(1);
      for (const fn of mod.fns) [fn.own1, fn.own2] = rng.sample(pool, 2);
    }
  }
  // Features: in files of FEATURES_PER_FILE, each calling one top-layer function (30%: two).
  const top = layers[LAYERS - 1];
  const feats: Feat[] = [];
  const nFiles = Math.ceil(features / FEATURES_PER_FILE);
  const files: FeatureFile[] = [];
  for (let f = 0; f < nFiles; f++) files.push({ path: `src/features/${NOUNS[(f * 11) % NOUNS.length]}_${f}.ts`, features: [] });
  for (let i = 0; i < features; i++) {
    const file = files[Math.floor(i / FEATURES_PER_FILE)];
    const noun = NOUNS[rng.int(NOUNS.length)];
    const name = `${noun}_${rng.pick(FEATURE_KINDS)}_${i}`;
    const m1 = rng.pick(top);
    const calls = [{ mod: m1, fn: rng.pick(m1.fns) }];
    if (rng.chance(0.3)) {
      const m2 = rng.pick(top);
      calls.push({ mod: m2, fn: rng.pick(m2.fns) });
    }
    const feat = { name, exportName: camel(name), file: file.path, calls, field: rng.pick(FIELDS), coef: rng.range(0.01, 0.2), seg: rng.pick(SEGMENTS) };
    file.features.push(feat);
    feats.push(feat);
  }
  return { layers, features: feats, files };
}

/**
 * Import bookkeeping for one file: which lower modules it uses, how each is imported (named or
 * namespace) and the local name of every imported symbol (aliased on a clash, and sometimes anyway).
 */
class ImportPlan {
  private readonly taken: Set<string>;
  private readonly byModule = new Map<Mod, { style: 'namespace' | 'named'; ns?: string; names: Map<string, string> }>();

  constructor(private readonly rng: Rng, private readonly fromDir: string, taken: Iterable<string>) {
    this.taken = new Set(taken);
  }

  /** The expression that stands for `name` exported by `mod` in this file. */
  ref(mod: Mod, name: string): string {
    let entry = this.byModule.get(mod);
    if (!entry) {
      const style = this.rng.chance(0.25) ? 'namespace' : 'named';
      entry = { style, names: new Map<string, string>() };
      if (style === 'namespace') {
        let ns = `${mod.base}Mod`;
        while (this.taken.has(ns)) ns += 'X';
        this.taken.add(ns);
        entry.ns = ns;
      }
      this.byModule.set(mod, entry);
    }
    if (entry.style === 'namespace') return `${entry.ns}.${name}`;
    let local = entry.names.get(name);
    if (!local) {
      local = name;
      if (this.taken.has(local) || this.rng.chance(0.2)) {
        local = /^[A-Z]/.test(name) ? `${name}_${mod.base.toUpperCase()}` : `${name}From${cap(mod.base)}`;
        while (this.taken.has(local)) local += 'X';
      }
      this.taken.add(local);
      entry.names.set(name, local);
    }
    return local;
  }

  render(): string[] {
    const lines: string[] = [];
    const mods = [...this.byModule.keys()].sort((a, b) => a.path.localeCompare(b.path));
    for (const mod of mods) {
      const e = this.byModule.get(mod)!;
      const spec = relSpecifier(this.fromDir, mod.path);
      if (e.style === 'namespace') lines.push(`import * as ${e.ns} from '${spec}';`);
      else {
        const parts = [...e.names].map(([n, l]) => (n === l ? n : `${n} as ${l}`));
        lines.push(`import { ${parts.join(', ')} } from '${spec}';`);
      }
    }
    return lines;
  }
}

/** `../l2/tenure3` from `src/lib/l3` to `src/lib/l2/tenure3.ts`. */
function relSpecifier(fromDir: string, toPath: string): string {
  const from = fromDir.split('/');
  const to = toPath.replace(/\.ts$/, '').split('/');
  let i = 0;
  while (i < from.length && i < to.length - 1 && from[i] === to[i]) i++;
  const up = from.length - i;
  const rest = to.slice(i).join('/');
  return up === 0 ? `./${rest}` : `${'../'.repeat(up)}${rest}`;
}

const idOf = (mod: Mod, name: string): string => `${mod.path}#${name}`;

/** Renders one library module; records every declaration's references in `graph`. */
function renderModule(rng: Rng, mod: Mod, graph: Graph): string {
  const dir = mod.path.slice(0, mod.path.lastIndexOf('/'));
  const own = [...mod.consts.map((c) => c.name), ...mod.fns.map((f) => f.name), mod.helper];
  if (mod.hasParams) own.push(`${mod.NOUN}_PARAMS`, `${cap(mod.noun)}Params`);
  const imports = new ImportPlan(rng, dir, own);
  const limit = mod.consts[0];
  const L: string[] = [];
  L.push('/**');
  L.push(` * ${cap(mod.noun)} signals, layer ${mod.layer} (module ${mod.index}).`);
  L.push(mod.layer === 0
    ? ' * Leaf computations on the raw row fields; every value stays within ±' + limit.name + '.'
    : ` * Each function refines one signal of layer ${mod.layer - 1}; values stay within ±${limit.name}.`);
  L.push(' */');
  L.push(`import type { Row } from '${relSpecifier(dir, 'src/types.ts')}';`);
  const importAt = L.length;
  L.push('');

  // Function bodies first: they decide the imports.
  const body: string[] = [];
  for (const fn of mod.fns) {
    const deps = new Set([idOf(mod, mod.helper), idOf(mod, fn.own1!.name), idOf(mod, fn.own2!.name)]);
    let call: string | null = null, lowerConst: string | null = null;
    if (mod.layer > 0) {
      const callee = fn.callee!, lower = fn.lowerConst!;
      call = imports.ref(callee.mod, callee.fn.name);
      lowerConst = imports.ref(lower.mod, lower.c.name);
      deps.add(idOf(callee.mod, callee.fn.name));
      deps.add(idOf(lower.mod, lower.c.name));
    }
    graph[idOf(mod, fn.name)] = [...deps].sort();
    body.push(...renderFunction(rng, mod, fn, call, lowerConst), '');
  }

  // Constants.
  const consts: string[] = [];
  for (const c of mod.consts) {
    if (c.derived) {
      const from = mod.derivedFrom!;
      const ref = from.mod === mod ? from.c.name : imports.ref(from.mod, from.c.name);
      consts.push(`/** Midpoint of the ${mod.noun} range, shifted by ${from.c.name}. */`);
      consts.push(`export const ${c.name} = ${limit.name} * 0.5 + ${ref};`);
      graph[idOf(mod, c.name)] = [idOf(mod, limit.name), idOf(from.mod, from.c.name)].sort();
    } else {
      const what = c.name.slice(mod.NOUN.length + 1).toLowerCase();
      consts.push(`/** ${cap(what)} of the ${mod.noun} signal. */`);
      consts.push(`export const ${c.name} = ${lit(c.value!, c.decimals)};`);
      graph[idOf(mod, c.name)] = [];
    }
  }
  L.push(...consts, '');
  if (mod.hasParams) {
    const T = `${cap(mod.noun)}Params`;
    const picks = mod.consts.filter((c) => !c.derived).slice(0, 3);
    L.push(`/** The ${mod.noun} parameters as one object, for logging. */`);
    L.push(`export interface ${T} {`);
    for (const c of picks) L.push(`  ${camel(c.name.toLowerCase())}: number;`);
    L.push('}');
    L.push('');
    L.push(`export const ${mod.NOUN}_PARAMS: ${T} = {`);
    for (const c of picks) L.push(`  ${camel(c.name.toLowerCase())}: ${c.name},`);
    L.push('};');
    L.push('');
    graph[idOf(mod, `${mod.NOUN}_PARAMS`)] = picks.map((c) => idOf(mod, c.name)).sort();
    graph[idOf(mod, T)] = [];
  }
  L.push(`/** Keeps a value within ±${limit.name} without a discontinuity. */`);
  L.push(`function ${mod.helper}(v: number): number {`);
  L.push(`  return v / (1 + Math.abs(v) / ${limit.name});`);
  L.push('}');
  L.push('');
  graph[idOf(mod, mod.helper)] = [idOf(mod, limit.name)];
  L.push(...body);
  while (L[L.length - 1] === '') L.pop();
  L.splice(importAt, 0, ...imports.render());
  return L.join('\n') + '\n';
}

function renderFunction(rng: Rng, mod: Mod, fn: Fn, call: string | null, lowerConst: string | null): string[] {
  const seg = rng.pick(SEGMENTS);
  const c1 = lit(rng.range(0.05, 0.95)), c2 = lit(rng.range(0.05, 0.95)), c3 = lit(rng.range(0.5, 1.5)), c4 = lit(rng.range(0.5, 1.5));
  const h = mod.helper, o1 = fn.own1!.name, o2 = fn.own2!.name, f = fn.field;
  const verb = fn.name.slice(0, fn.name.length - mod.noun.length);
  const doc = [
    '/**',
    ` * ${cap(verb)}s the ${mod.noun} signal${mod.layer ? ` from layer ${mod.layer - 1}` : ''} for one row.`,
    mod.layer ? ` * Reads ${lowerConst} from the layer below and ${o1} from this module.` : ` * Reads row.${f} and ${o1}.`,
    ' * @param row one snapshot row',
    ` * @param x the incoming ${mod.layer === LAYERS - 1 ? 'feature seed' : `signal from layer ${mod.layer + 1}`}`,
    ` * @returns a value within ±${mod.consts[0].name}`,
    ' */',
  ];
  const sig = `export function ${fn.name}(row: Row, x: number): number {`;
  // Layer 0: leaves on a row field. Above: exactly one call into the layer below.
  const inner = mod.layer === 0 ? null : `${call}(row, `;
  const leaf = (arg: string) => (inner ? `${inner}${arg})` : `row.${f} * ${o1} + (${arg}) * 0.25`);
  const lc = lowerConst ?? o2;
  switch (fn.template) {
    case 0:
      return [...doc, sig,
        `  const base = x * ${o1} + row.${f} * ${c1};`,
        '  let acc = 0;',
        '  for (let i = 0; i < 3; i++) {',
        `    acc += (base + i * ${c2}) / 3;`,
        '  }',
        `  const lowered = ${leaf('acc')};`,
        '  let out: number;',
        `  if (row.seg === '${seg}') {`,
        `    out = lowered * ${c3} + ${lc};`,
        '  } else {',
        `    out = lowered * ${c4} - ${lc} * 0.5;`,
        '  }',
        `  return ${h}(out + ${o2} * 0.01);`,
        '}'];
    case 1:
      return [...doc, sig,
        `  const scaled = (x + ${lc}) * ${o1};`,
        `  const weight = row.seg === '${seg}' ? ${c1} : ${c2};`,
        `  const inner = ${leaf('scaled * weight')};`,
        `  const blended = inner * (1 - weight / 4) + row.${f} * (weight / 4);`,
        `  if (blended > ${o2} * 100) {`,
        `    return ${h}(blended - ${o2});`,
        '  }',
        `  return ${h}(blended);`,
        '}'];
    default:
      return [...doc, sig,
        '  let factor: number;',
        '  switch (row.seg) {',
        `    case '${seg}':`,
        `      factor = ${o1};`,
        '      break;',
        `    case '${SEGMENTS[(SEGMENTS.indexOf(seg) + 1) % SEGMENTS.length]}':`,
        `      factor = ${lc};`,
        '      break;',
        '    default:',
        `      factor = ${c3};`,
        '  }',
        `  const inner = ${leaf(`x * 0.5 + row.${f} * ${c1}`)};`,
        `  return ${h}(inner * factor + x * ${c2} + ${o2});`,
        '}'];
  }
}

function renderFeatureFile(rng: Rng, file: FeatureFile, graph: Graph): string {
  const dir = 'src/features';
  const imports = new ImportPlan(rng, dir, file.features.map((f) => f.exportName));
  const body: string[] = [];
  for (const feat of file.features) {
    const refs = feat.calls.map((c) => imports.ref(c.mod, c.fn.name));
    graph[`${file.path}#${feat.exportName}`] = feat.calls.map((c) => idOf(c.mod, c.fn.name)).sort();
    const seed = `row.${feat.field} * ${lit(feat.coef)} + (row.seg === '${feat.seg}' ? 1 : 0)`;
    body.push('/**', ` * Feature \`${feat.name}\`, materialized in the \`main\` snapshot.`, ' */');
    body.push(`export function ${feat.exportName}(row: Row): number {`);
    body.push(`  const seed = ${seed};`);
    if (refs.length === 1) body.push(`  return ${refs[0]}(row, seed);`);
    else body.push(`  return 0.5 * (${refs[0]}(row, seed) + ${refs[1]}(row, -seed));`);
    body.push('}', '');
  }
  while (body[body.length - 1] === '') body.pop();
  return ['/** Features of the main snapshot. */', `import type { Row } from '../types';`, ...imports.render(), '', ...body].join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Data

/** `rows` input rows, generated chunk by chunk from the seeded stream. */
export function* rowChunks(rng: Rng, rows: number): Generator<{ a: Float64Array; b: Float64Array; c: Float64Array; seg: string[]; n: number }> {
  const cum: number[] = [];
  let s = 0;
  for (const w of SEGMENT_WEIGHTS) cum.push((s += w));
  for (let start = 0; start < rows; start += ROW_GROUP) {
    const n = Math.min(ROW_GROUP, rows - start);
    const a = new Float64Array(n), b = new Float64Array(n), c = new Float64Array(n);
    const seg = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      a[i] = Math.round(Math.exp(3 + 0.8 * rng.normal()) * 100) / 100; // lognormal, like amounts
      b[i] = Math.round(rng.normal() * 1000) / 100; // centered
      c[i] = Math.round(rng.next() * 10000) / 100; // 0–100
      const u = rng.next();
      let k = 0;
      while (k < cum.length - 1 && u >= cum[k]) k++;
      seg[i] = SEGMENTS[k];
    }
    yield { a, b, c, seg, n };
  }
}

/** Bundles every feature of the committed code with esbuild and returns name → function. */
async function loadFeatures(dir: string, plan: Plan): Promise<Record<string, (row: Record<string, unknown>) => number>> {
  const esbuild = require('esbuild') as typeof esbuildApi;
  const lines: string[] = [];
  for (const file of plan.files) lines.push(`export { ${file.features.map((f) => f.exportName).join(', ')} } from './${file.path.replace(/\.ts$/, '')}';`);
  const result = await esbuild.build({
    stdin: { contents: lines.join('\n'), resolveDir: dir, loader: 'ts', sourcefile: 'bench-features.ts' },
    bundle: true, write: false, format: 'cjs', platform: 'node', logLevel: 'silent',
  });
  const module = { exports: {} as Record<string, (row: Record<string, unknown>) => number> };
  new Function('module', 'exports', result.outputFiles[0].text)(module, module.exports);
  return module.exports;
}

async function writeSnapshot(dir: string, plan: Plan, rows: number, rng: Rng, onProgress?: (m: string) => void): Promise<void> {
  const { ParquetWriter, fileWriter, schemaFromColumnData } = await import('hyparquet-writer');
  const fns = await loadFeatures(dir, plan);
  const feats = plan.features.map((f) => ({ name: f.name, fn: fns[f.exportName] }));
  for (const f of feats) if (typeof f.fn !== 'function') throw new Error(`feature ${f.name} not found in the bundle`);
  const path = join(dir, 'data/main.parquet');
  let pq: InstanceType<typeof ParquetWriter> | undefined;
  let done = 0;
  for (const chunk of rowChunks(rng, rows)) {
    const out = feats.map(() => new Float64Array(chunk.n));
    for (let i = 0; i < chunk.n; i++) {
      // A fresh object per row, like a reader would hand out.
      const r = { a: chunk.a[i], b: chunk.b[i], c: chunk.c[i], seg: chunk.seg[i] };
      for (let j = 0; j < feats.length; j++) {
        const v = feats[j].fn(r);
        if (!Number.isFinite(v)) throw new Error(`feature ${feats[j].name} gave ${v} on row ${JSON.stringify(r)}`);
        out[j][i] = v;
      }
    }
    const columnData = [
      { name: 'a', data: chunk.a, type: 'DOUBLE' as const, nullable: false },
      { name: 'b', data: chunk.b, type: 'DOUBLE' as const, nullable: false },
      { name: 'c', data: chunk.c, type: 'DOUBLE' as const, nullable: false },
      { name: 'seg', data: chunk.seg, type: 'STRING' as const, nullable: false },
      ...feats.map((f, j) => ({ name: f.name, data: out[j], type: 'DOUBLE' as const, nullable: false })),
    ];
    if (!pq) pq = new ParquetWriter({ writer: fileWriter(path), schema: schemaFromColumnData({ columnData }), createdBy: 'featureguard-bench' });
    // The schema carries the types; the writer wants them in one place only.
    pq.write({ columnData: columnData.map(({ name, data }) => ({ name, data })), rowGroupSize: chunk.n });
    done += chunk.n;
    onProgress?.(`data: ${done} of ${rows} rows`);
  }
  if (!pq) throw new Error('rows must be > 0');
  pq.finish();
}

// ---------------------------------------------------------------------------------------------
// Files, git

function writeFile(dir: string, rel: string, text: string): void {
  const p = join(dir, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
}

function prepareDir(dir: string): void {
  prepareGeneratedDir(dir, (entries) => entries.includes('featureguard.json') && entries.includes('src') && existsSync(join(dir, 'src/lib/l0')), 'a generated workspace');
}

const git = gitIn;

/** A hash of this file: a workspace generated by another version of the generator is stale. */
export function generatorVersion(): string {
  return createHash('sha1').update(readFileSync(join(ROOT, 'bench/generators/generateWorkspace.ts'))).digest('hex').slice(0, 12);
}

/**
 * Writes the workspace into `dir` (wiping a previously generated one) and commits it.
 * Returns the plan's metadata: counts, the reference graph, features and constants.
 */
export async function generateWorkspace(dir: string, { modules = 500, features = 50, rows = 100_000, seed = 1, shape }: Partial<WorkspaceParams> = {}, { onProgress }: GenerateOptions = {}): Promise<WorkspaceMeta> {
  if (!(modules >= LAYERS)) throw new Error(`modules must be ≥ ${LAYERS}`);
  if (!(features >= 1)) throw new Error('features must be ≥ 1');
  dir = resolve(dir);
  prepareDir(dir);
  const rng = makeRng(seed);
  const plan = planWorkspace(rng, modules, features, shape === 'short');
  const graph: Graph = {};
  let lines = 0;
  const put = (rel: string, text: string) => {
    writeFile(dir, rel, text);
    lines += text.split('\n').length - 1;
  };

  put('src/types.ts', [
    '/** One row of the `main` snapshot, as FeatureGuard and the feature store hand it out. */',
    'export interface Row {',
    '  a: number;',
    '  b: number;',
    '  c: number;',
    `  seg: string; // ${SEGMENTS.map((s) => `'${s}'`).join(' | ')}`,
    '}',
    '',
  ].join('\n'));
  const constants: MetaConstant[] = [];
  for (const layer of plan.layers) {
    for (const mod of layer) {
      put(mod.path, renderModule(rng, mod, graph));
      for (const c of mod.consts) if (!c.derived) constants.push({ id: idOf(mod, c.name), path: mod.path, name: c.name, layer: mod.layer, value: lit(c.value!, c.decimals) });
    }
  }
  for (const file of plan.files) put(file.path, renderFeatureFile(rng, file, graph));
  put('src/features/index.ts', plan.files.map((f) => `export * from './${f.path.slice('src/features/'.length, -3)}';`).join('\n') + '\n');

  const config: Record<string, unknown> = {
    $schema: 'https://featureguard.dev/schemas/featureguard.schema.json',
    snapshots: { main: { path: 'data/main.parquet', sampleRows: rows, seed } },
    features: Object.fromEntries(plan.features.map((f) => [f.name, { source: `${f.file}#${f.exportName}`, snapshot: 'main', column: f.name }])),
  };
  delete config.$schema; // no schema file inside the workspace: keep the config self-contained
  writeFile(dir, 'featureguard.json', JSON.stringify(config, null, 2) + '\n');
  writeFile(dir, 'tsconfig.json', JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, module: 'esnext', moduleResolution: 'bundler', target: 'es2022',
      lib: ['es2022'], types: [], skipLibCheck: true, isolatedModules: true,
    },
    include: ['src'],
  }, null, 2) + '\n');
  writeFile(dir, '.gitignore', 'node_modules/\n');

  mkdirSync(join(dir, 'data'), { recursive: true });
  onProgress?.(`code: ${lines} lines in ${plan.layers.reduce((n, l) => n + l.length, 0) + plan.files.length + 2} files`);
  await writeSnapshot(dir, plan, rows, rng, onProgress);
  onProgress?.('git: add and commit');

  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['-c', 'core.compression=1', 'add', '-A']);
  git(dir, ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', '-c', 'commit.gpgsign=false', 'commit', '-q', '-m', `bench workspace: ${modules} modules, ${features} features, ${rows} rows, seed ${seed}`]);
  const commit = git(dir, ['rev-parse', 'HEAD']).trim();

  return {
    generator: generatorVersion(),
    args: { modules, features, rows, seed, ...(shape ? { shape } : {}) },
    dir,
    commit,
    modules: plan.layers.reduce((n, l) => n + l.length, 0),
    files: plan.layers.reduce((n, l) => n + l.length, 0) + plan.files.length + 2,
    lines,
    layers: LAYERS,
    features: plan.features.map((f): MetaFeature => ({ name: f.name, source: `${f.file}#${f.exportName}`, id: `${f.file}#${f.exportName}` })),
    constants,
    graph,
  };
}

// ---------------------------------------------------------------------------------------------
// Expected impact

/** Reverse reference graphs, built once per meta. */
const reverseGraphs = new WeakMap<WorkspaceMeta, Map<string, string[]>>();

/** The names of the features whose reference closure contains `symbol` (a `path#name`), sorted. */
export function expectedImpact(meta: WorkspaceMeta, symbol: string): string[] {
  let reverse = reverseGraphs.get(meta);
  if (!reverse) {
    reverse = new Map<string, string[]>();
    for (const [id, deps] of Object.entries(meta.graph)) {
      for (const d of deps) {
        let list = reverse.get(d);
        if (!list) reverse.set(d, (list = []));
        list.push(id);
      }
    }
    reverseGraphs.set(meta, reverse);
  }
  const seen = new Set([symbol]);
  const stack = [symbol];
  while (stack.length) for (const p of reverse.get(stack.pop()!) ?? []) if (!seen.has(p)) seen.add(p), stack.push(p);
  return meta.features.filter((f) => seen.has(f.id)).map((f) => f.name).sort();
}

/** Whether `via` (edited symbol first) is a reference chain ending at the feature's direct dependency. */
export function validVia(meta: WorkspaceMeta, feature: MetaFeature, via: string[], edited: string): boolean {
  if (via.length === 0 || via[0] !== edited) return false;
  const chain = [...via].reverse(); // feature's dependency first
  let from = feature.id;
  for (const id of chain) {
    if (!(meta.graph[from] ?? []).includes(id)) return false;
    from = id;
  }
  return true;
}
