/**
 * Loads and validates `featureguard.json` (SPEC §1): JSON with comments and trailing commas,
 * defaults applied, paths resolved against the config's folder. Every mistake is a `UserError`
 * with one line naming the file and the key path (`features.age_norm.snapshot`); unknown keys are
 * warnings, so a config written for a newer FeatureGuard still runs.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { parse, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { isGlob, snapshotFormatOf, splitGlob } from '../data/snapshotPaths';
import { UserError } from '../errors';
import type { CheckId } from '../findings';
import { FEATURE_KINDS, type Config, type FeatureConfig, type ModelConfig, type FeatureKind, type PythonConfig, type SnapshotConfig, type ThresholdOverrides } from './configTypes';

export const CONFIG_FILE_NAME = 'featureguard.json';

export const CHECK_IDS: readonly CheckId[] = [
  'code.syntax', 'source.missing', 'schema.type', 'value.mismatch', 'drift.distribution', 'nulls.rate',
  'domain.new-values', 'runtime.error', 'runtime.timeout', 'expect.range', 'expect.not-null', 'expect.values',
  'examples.mismatch', 'perf.slowdown', 'code.nondeterministic', 'model.prediction-shift', 'model.metric-drop', 'model.input',
  'history.unreproduced',
];

/** The keys the loader knows at each level; anything else is warned about. */
export const ROOT_KEYS = ['$schema', 'snapshots', 'features', 'thresholds', 'acknowledged', 'timeoutMs', 'defaultSnapshot', 'python', 'models'];
export const PYTHON_KEYS = ['interpreter', 'paths'];
export const SNAPSHOT_KEYS = ['path', 'sampleRows', 'seed', 'sliceBy', 'orderBy', 'sampleBy', 'sampleBlocks'];
export const SAMPLE_BLOCKS_KEYS = ['blocks', 'rows', 'warmupRows'];
export const MODEL_KEYS = ['path', 'snapshot', 'inputs', 'output', 'label'];
export const FEATURE_KEYS = ['source', 'snapshot', 'column', 'kind', 'output', 'tolerance', 'consumers', 'expect', 'examples'];


/**
 * Reads the config at `configPath` for the repository at `repoRoot`. A missing file is allowed
 * only when `optional` (features may then come from `@feature` tags alone).
 */
export function loadConfig(configPath: string, repoRoot: string, optional = false): Config {
  const display = displayPath(configPath, repoRoot);
  if (!existsSync(configPath)) {
    if (optional) return emptyConfig(dirname(configPath), repoRoot);
    throw new UserError(`${display}: config file not found`);
  }
  const text = readFileSync(configPath, 'utf8');
  return parseConfig(text, configPath, repoRoot);
}

/** Validates config text; `configPath` locates relative paths and names the file in messages. */
export function parseConfig(text: string, configPath: string, repoRoot: string): Config {
  const display = displayPath(configPath, repoRoot);
  // Editors on Windows save a byte order mark; it is not JSON, but it is no mistake either.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw new UserError(`${display}: the file is empty (expected a JSON object with "features")`);
  const errors: ParseError[] = [];
  let raw: unknown;
  let duplicate: ReturnType<typeof firstDuplicateKey>;
  try {
    raw = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
    if (errors.length === 0) duplicate = firstDuplicateKey(text);
  } catch (err) {
    // jsonc-parser and the duplicate-key walk recurse once per nesting level.
    if (err instanceof RangeError) throw new UserError(`${display}: invalid JSON (nested too deeply)`);
    throw err;
  }
  if (errors.length > 0) {
    const e = errors[0];
    const { line, column } = lineColumn(text, e.offset);
    throw new UserError(`${display}:${line}:${column}: invalid JSON (${printParseErrorCode(e.error)})`);
  }
  if (duplicate) throw new UserError(oneLine(`${display}:${duplicate.line}:${duplicate.column}: ${duplicate.path} is defined twice (the second would silently win)`));
  const v = new Validator(display);
  const root = v.object(raw, '');
  const configDir = dirname(configPath);
  const config = emptyConfig(configDir, repoRoot);
  config.configPath = configPath;
  v.unknownKeys(root, '', ROOT_KEYS, config.warnings);

  for (const [name, value] of Object.entries(v.optionalObject(root.snapshots, 'snapshots'))) {
    config.snapshots.set(name, readSnapshot(v, name, value, configDir, repoRoot, config.warnings));
  }
  if (root.defaultSnapshot !== undefined) {
    config.defaultSnapshot = v.string(root.defaultSnapshot, 'defaultSnapshot');
    if (!config.snapshots.has(config.defaultSnapshot)) v.fail('defaultSnapshot', `unknown snapshot "${config.defaultSnapshot}"${known(config.snapshots)}`);
  }
  if (root.python !== undefined) config.python = readPython(v, root.python, configDir, repoRoot, config.warnings);
  for (const [name, value] of Object.entries(v.optionalObject(root.features, 'features'))) {
    const f = readFeature(v, name, value, config, repoRoot);
    config.features.set(name, f);
  }
  for (const [name, value] of Object.entries(v.optionalObject(root.models, 'models'))) {
    config.models.set(name, readModel(v, name, value, config, repoRoot));
  }
  config.thresholds = readThresholds(v, root.thresholds);
  for (const [name, reason] of Object.entries(v.optionalObject(root.acknowledged, 'acknowledged'))) {
    config.acknowledged.set(name, v.string(reason, `acknowledged.${name}`));
  }
  if (root.timeoutMs !== undefined) config.timeoutMs = v.positiveNumber(root.timeoutMs, 'timeoutMs');
  return config;
}

function emptyConfig(configDir: string, repoRoot: string): Config {
  return {
    configDir,
    configDirInRepo: toPosix(relative(repoRoot, configDir)),
    snapshots: new Map(),
    features: new Map(),
    thresholds: {},
    acknowledged: new Map(),
    timeoutMs: 10000,
    python: { paths: [toPosix(relative(repoRoot, configDir))] },
    models: new Map(),
    warnings: [],
  };
}

function readPython(v: Validator, value: unknown, configDir: string, repoRoot: string, warnings: string[]): PythonConfig {
  const o = v.object(value, 'python');
  v.unknownKeys(o, 'python', PYTHON_KEYS, warnings);
  const out: PythonConfig = { paths: [toPosix(relative(repoRoot, configDir))] };
  if (o.interpreter !== undefined) out.interpreter = v.string(o.interpreter, 'python.interpreter');
  if (o.paths !== undefined) {
    const list = v.array(o.paths, 'python.paths');
    out.paths = list.map((p, i) => {
      const key = `python.paths[${i}]`;
      if (typeof p !== 'string') v.fail(key, `must be a string, not ${describe(p)}`);
      const abs = resolve(configDir, p);
      if (!isInside(abs, repoRoot)) v.fail(key, `"${p}" is outside the repository`);
      return toPosix(relative(repoRoot, abs));
    });
  }
  return out;
}

function readSnapshot(v: Validator, name: string, value: unknown, configDir: string, repoRoot: string, warnings: string[]): SnapshotConfig {
  const key = `snapshots.${name}`;
  const o = v.object(value, key);
  v.unknownKeys(o, key, SNAPSHOT_KEYS, warnings);
  if (o.path === undefined) v.fail(`${key}.path`, 'is required (the snapshot file, folder, glob or URL, relative to the config)');
  const path = v.string(o.path, `${key}.path`);
  const snapshot: SnapshotConfig = {
    name,
    path,
    absPath: snapshotLocation(v, `${key}.path`, path, configDir, repoRoot),
    sampleRows: o.sampleRows === undefined ? 10000 : v.nonNegativeInteger(o.sampleRows, `${key}.sampleRows`),
    seed: o.seed === undefined ? 0 : v.integer(o.seed, `${key}.seed`),
    sliceBy: o.sliceBy === undefined ? [] : v.stringArray(o.sliceBy, `${key}.sliceBy`),
    // A single column may be written as a string.
    orderBy: o.orderBy === undefined ? undefined : typeof o.orderBy === 'string' ? [v.string(o.orderBy, `${key}.orderBy`)] : v.stringArray(o.orderBy, `${key}.orderBy`),
  };
  if (snapshot.orderBy === undefined) delete snapshot.orderBy;
  const duplicate = snapshot.orderBy?.find((c, i) => snapshot.orderBy!.indexOf(c) !== i);
  if (duplicate) v.fail(`${key}.orderBy`, `names "${duplicate}" twice`);
  if (o.sampleBy !== undefined) snapshot.sampleBy = v.string(o.sampleBy, `${key}.sampleBy`);
  if (o.sampleBlocks !== undefined) {
    const at = `${key}.sampleBlocks`;
    const b = v.object(o.sampleBlocks, at);
    v.unknownKeys(b, at, SAMPLE_BLOCKS_KEYS, warnings);
    if (b.blocks === undefined) v.fail(`${at}.blocks`, 'is required (how many runs of consecutive rows to sample)');
    if (b.rows === undefined) v.fail(`${at}.rows`, 'is required (the consecutive rows in each run)');
    const blocks = v.positiveInteger(b.blocks, `${at}.blocks`);
    const rows = v.positiveInteger(b.rows, `${at}.rows`);
    const warmupRows = b.warmupRows === undefined ? 0 : v.nonNegativeInteger(b.warmupRows, `${at}.warmupRows`);
    if (warmupRows >= rows) v.fail(`${at}.warmupRows`, `must be less than sampleBlocks.rows (${rows}), not ${warmupRows}: no row of a run would be compared`);
    if (snapshot.sampleBy !== undefined) v.fail(at, 'cannot be combined with sampleBy (use sampleBy for many entities, sampleBlocks for one long series)');
    snapshot.sampleBlocks = { blocks, rows, warmupRows };
  }
  return snapshot;
}

/**
 * Checks a snapshot path and returns where it is: the URL itself for `s3://`, `https://` and
 * `http://` (checked when read), else the absolute path, which must be inside the repository. A
 * file needs a supported extension and must exist; a folder must exist; a glob's folder is listed
 * when read (matching nothing is an error then).
 */
function snapshotLocation(v: Validator, key: string, path: string, configDir: string, repoRoot: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    if (/^https?:\/\/[^/]/i.test(path)) return path;
    if (/^s3:\/\/[^/]+/i.test(path)) return path;
    v.fail(key, `"${path}" is not a supported URL (use s3://bucket/key, https:// or http://)`);
  }
  const absPath = resolve(configDir, path);
  if (isGlob(path)) {
    const root = resolve(configDir, splitGlob(path).root || '.');
    if (!isInside(root, repoRoot)) v.fail(key, `"${path}" is outside the repository`);
    return absPath;
  }
  const isFolder = existsSync(absPath) && statSync(absPath).isDirectory();
  if (!existsSync(absPath) && (path.endsWith('/') || extname(path) === '')) {
    if (!isInside(absPath, repoRoot)) v.fail(key, `"${path}" is outside the repository`);
    v.fail(key, `folder not found: ${path}`);
  }
  if (!isFolder && !snapshotFormatOf(path)) v.fail(key, `"${path}" is not a supported snapshot format (.parquet, .arrow, .feather, .ipc, .csv, a folder or glob of Parquet files, or an s3:// or https:// URL)`);
  if (!isInside(absPath, repoRoot)) v.fail(key, `"${path}" is outside the repository`);
  if (!existsSync(absPath)) v.fail(key, `file not found: ${path}`);
  return absPath;
}


function readFeature(v: Validator, name: string, value: unknown, config: Config, repoRoot: string): FeatureConfig {
  const key = `features.${name}`;
  const o = v.object(value, key);
  v.unknownKeys(o, key, FEATURE_KEYS, config.warnings);
  if (o.source === undefined) v.fail(`${key}.source`, 'is required ("path/to/file.ts#exportedFunction" or "path/to/module.py#function")');
  const source = v.string(o.source, `${key}.source`);
  const hash = source.lastIndexOf('#');
  if (hash <= 0 || hash === source.length - 1) v.fail(`${key}.source`, `"${source}" must be "path/to/file.ts#exportedFunction" or "path/to/module.py#function"`);
  const abs = resolve(config.configDir, source.slice(0, hash));
  if (!isInside(abs, repoRoot)) v.fail(`${key}.source`, `"${source}" is outside the repository`);
  const snapshot = o.snapshot === undefined ? config.defaultSnapshot : v.string(o.snapshot, `${key}.snapshot`);
  if (snapshot !== undefined && !config.snapshots.has(snapshot)) v.fail(`${key}.snapshot`, `unknown snapshot "${snapshot}"${known(config.snapshots)}`);
  const python = /\.pyi?$/.test(source.slice(0, hash));
  const kind = o.kind === undefined ? undefined : v.string(o.kind, `${key}.kind`);
  if (kind !== undefined) {
    const allowed: readonly string[] = python ? FEATURE_KINDS : ['row', 'batch'];
    if (!allowed.includes(kind)) {
      if (python) v.fail(`${key}.kind`, `must be one of ${FEATURE_KINDS.map((k) => `"${k}"`).join(', ')}, not "${kind}"`);
      const pythonOnly = (FEATURE_KINDS as readonly string[]).includes(kind) ? ' (a Python form; this source is TypeScript)' : '';
      v.fail(`${key}.kind`, `must be "row" or "batch", not "${kind}"${pythonOnly}`);
    }
  }
  const tol = o.tolerance === undefined ? {} : v.object(o.tolerance, `${key}.tolerance`);
  if (o.tolerance !== undefined) v.unknownKeys(tol, `${key}.tolerance`, ['abs', 'rel'], config.warnings);
  const feature: FeatureConfig = {
    name,
    source,
    file: toPosix(relative(repoRoot, abs)),
    exportName: source.slice(hash + 1),
    snapshot,
    column: o.column === undefined ? name : v.string(o.column, `${key}.column`),
    // TypeScript features default to `row`; a Python feature's form is detected from its code.
    kind: (kind ?? (python ? undefined : 'row')) as FeatureKind | undefined,
    kindGiven: kind !== undefined,
    tolerance: {
      abs: tol.abs === undefined ? 1e-9 : v.nonNegativeNumber(tol.abs, `${key}.tolerance.abs`),
      rel: tol.rel === undefined ? 1e-9 : v.nonNegativeNumber(tol.rel, `${key}.tolerance.rel`),
    },
    consumers: o.consumers === undefined ? [] : v.stringArray(o.consumers, `${key}.consumers`),
    origin: 'config',
  };
  if (o.output !== undefined) feature.output = v.string(o.output, `${key}.output`);
  if (o.expect !== undefined) {
    const e = v.object(o.expect, `${key}.expect`);
    v.unknownKeys(e, `${key}.expect`, ['min', 'max', 'notNull', 'values'], config.warnings);
    feature.expect = {};
    if (e.min !== undefined) feature.expect.min = v.number(e.min, `${key}.expect.min`);
    if (e.max !== undefined) feature.expect.max = v.number(e.max, `${key}.expect.max`);
    if (e.notNull !== undefined) feature.expect.notNull = v.boolean(e.notNull, `${key}.expect.notNull`);
    if (e.values !== undefined) feature.expect.values = v.scalarArray(e.values, `${key}.expect.values`);
  }
  if (o.examples !== undefined) {
    const list = v.array(o.examples, `${key}.examples`);
    feature.examples = list.map((ex, i) => {
      const eo = v.object(ex, `${key}.examples[${i}]`);
      v.unknownKeys(eo, `${key}.examples[${i}]`, ['input', 'output'], config.warnings);
      if (eo.input === undefined) v.fail(`${key}.examples[${i}].input`, 'is required (the row the example passes to the function)');
      if (!('output' in eo)) v.fail(`${key}.examples[${i}].output`, 'is required');
      return { input: v.object(eo.input, `${key}.examples[${i}].input`), output: eo.output };
    });
  }
  return feature;
}

function readModel(v: Validator, name: string, value: unknown, config: Config, repoRoot: string): ModelConfig {
  const key = `models.${name}`;
  const o = v.object(value, key);
  v.unknownKeys(o, key, MODEL_KEYS, config.warnings);
  if (o.path === undefined) v.fail(`${key}.path`, 'is required (the .onnx file, relative to the config)');
  const path = v.string(o.path, `${key}.path`);
  const absPath = resolve(config.configDir, path);
  if (!isInside(absPath, repoRoot)) v.fail(`${key}.path`, `"${path}" is outside the repository`);
  const snapshot = o.snapshot === undefined ? config.defaultSnapshot : v.string(o.snapshot, `${key}.snapshot`);
  if (snapshot !== undefined && !config.snapshots.has(snapshot)) v.fail(`${key}.snapshot`, `unknown snapshot "${snapshot}"${known(config.snapshots)}`);
  const inputs = new Map<string, string | string[]>();
  for (const [input, binding] of Object.entries(v.optionalObject(o.inputs, `${key}.inputs`))) {
    const at = `${key}.inputs.${input}`;
    if (Array.isArray(binding)) {
      if (binding.length === 0) v.fail(at, 'must name at least one feature or column');
      inputs.set(input, v.stringArray(binding, at));
    } else if (typeof binding === 'string' && binding !== '') inputs.set(input, binding);
    else v.fail(at, `must be a feature or column name, or a list of them for one [N, k] input, not ${describe(binding)}`);
  }
  const model: ModelConfig = { name, path, absPath, snapshot, inputs };
  if (o.output !== undefined) model.output = v.string(o.output, `${key}.output`);
  if (o.label !== undefined) model.label = v.string(o.label, `${key}.label`);
  return model;
}

function readThresholds(v: Validator, value: unknown): ThresholdOverrides {
  const out: ThresholdOverrides = {};
  for (const [check, cell] of Object.entries(v.optionalObject(value, 'thresholds'))) {
    if (!(CHECK_IDS as readonly string[]).includes(check)) v.fail(`thresholds.${check}`, `unknown check id (known: ${CHECK_IDS.join(', ')})`);
    const o = v.object(cell, `thresholds.${check}`);
    const entry: { warning?: number; error?: number } = {};
    for (const [k, n] of Object.entries(o)) {
      if (k !== 'warning' && k !== 'error') v.fail(`thresholds.${check}.${k}`, 'must be "warning" or "error"');
      entry[k as 'warning' | 'error'] = v.number(n, `thresholds.${check}.${k}`);
    }
    out[check as CheckId] = entry;
  }
  return out;
}

/** Type checks that fail with the file and key path. */
class Validator {
  constructor(private readonly display: string) {}

  fail(key: string, problem: string): never {
    throw new UserError(oneLine(`${this.display}: ${key ? key + ' ' : ''}${problem}`));
  }

  object(v: unknown, key: string): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(key, `must be an object, not ${describe(v)}`);
    return v as Record<string, unknown>;
  }

  optionalObject(v: unknown, key: string): Record<string, unknown> {
    return v === undefined ? {} : this.object(v, key);
  }

  array(v: unknown, key: string): unknown[] {
    if (!Array.isArray(v)) this.fail(key, `must be an array, not ${describe(v)}`);
    return v;
  }

  string(v: unknown, key: string): string {
    if (typeof v !== 'string' || v === '') this.fail(key, `must be a non-empty string, not ${describe(v)}`);
    return v;
  }

  boolean(v: unknown, key: string): boolean {
    if (typeof v !== 'boolean') this.fail(key, `must be true or false, not ${describe(v)}`);
    return v;
  }

  number(v: unknown, key: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(key, `must be a number, not ${describe(v)}`);
    return v;
  }

  nonNegativeNumber(v: unknown, key: string): number {
    const n = this.number(v, key);
    if (n < 0) this.fail(key, `must be ≥ 0, not ${n}`);
    return n;
  }

  positiveNumber(v: unknown, key: string): number {
    const n = this.number(v, key);
    if (n <= 0) this.fail(key, `must be > 0, not ${n}`);
    return n;
  }

  integer(v: unknown, key: string): number {
    const n = this.number(v, key);
    if (!Number.isInteger(n)) this.fail(key, `must be an integer, not ${n}`);
    return n;
  }

  positiveInteger(v: unknown, key: string): number {
    const n = this.integer(v, key);
    if (n <= 0) this.fail(key, `must be ≥ 1, not ${n}`);
    return n;
  }

  nonNegativeInteger(v: unknown, key: string): number {
    const n = this.integer(v, key);
    if (n < 0) this.fail(key, `must be ≥ 0, not ${n}`);
    return n;
  }

  stringArray(v: unknown, key: string): string[] {
    return this.array(v, key).map((s, i) => this.string(s, `${key}[${i}]`));
  }

  scalarArray(v: unknown, key: string): (string | number | boolean)[] {
    return this.array(v, key).map((s, i) => {
      if (typeof s !== 'string' && typeof s !== 'number' && typeof s !== 'boolean') this.fail(`${key}[${i}]`, `must be a string, number or boolean, not ${describe(s)}`);
      return s;
    });
  }

  unknownKeys(o: Record<string, unknown>, key: string, allowed: string[], warnings: string[]): void {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k)) warnings.push(oneLine(`${this.display}: ${key ? key + '.' : ''}${k} is not a known key (ignored)`));
    }
  }
}

/** Messages are one line: a key with a line break in it is shown escaped, as `a\nb`. */
function oneLine(message: string): string {
  return message.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => {
    const escaped = JSON.stringify(c);
    return escaped.length > 3 ? escaped.slice(1, -1) : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

function known(snapshots: Map<string, unknown>): string {
  return snapshots.size ? ` (known: ${[...snapshots.keys()].join(', ')})` : ' (no snapshots are configured)';
}

/** The first key that appears twice in one object, with its key path and position. */
function firstDuplicateKey(text: string): { path: string; line: number; column: number } | undefined {
  const root = parseTree(text, [], { allowTrailingComma: true });
  const walk = (node: Node | undefined, path: string[]): { path: string; line: number; column: number } | undefined => {
    if (!node) return undefined;
    if (node.type === 'object') {
      const seen = new Set<string>();
      for (const prop of node.children ?? []) {
        const keyNode = prop.children?.[0];
        const key = String(keyNode?.value);
        if (seen.has(key)) return { path: [...path, key].join('.'), ...lineColumn(text, keyNode!.offset) };
        seen.add(key);
        const found = walk(prop.children?.[1], [...path, key]);
        if (found) return found;
      }
    } else if (node.type === 'array') {
      for (const [i, child] of (node.children ?? []).entries()) {
        const found = walk(child, [...path.slice(0, -1), `${path[path.length - 1] ?? ''}[${i}]`]);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(root, []);
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function isInside(abs: string, root: string): boolean {
  const rel = relative(root, abs);
  // `..data.csv` is a file inside; `..` and `../x` are not.
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

/** The config path as messages show it: relative to the repository root when inside it. */
export function displayPath(abs: string, repoRoot: string): string {
  return isInside(abs, repoRoot) ? toPosix(relative(repoRoot, abs)) : abs;
}
