/**
 * Binds a model's inputs (its own metadata: names, element types, shapes) to features and snapshot
 * columns (SPEC §10), and builds the tensors for a run. Every mistake is one line naming the input
 * and listing the model's own inputs, for a `model.input` finding.
 */
import type { Config, FeatureConfig, ModelConfig } from '../config/configTypes';
import type { ModelInfo, ModelInputInfo, WireTensor } from './modelProtocol';

/** Where one column of an input comes from. */
export interface BoundColumn {
  /** The feature or column name as the config (or the default binding) gives it. */
  name: string;
  /** The snapshot column holding its stored values. */
  column: string;
  /** The feature, when the name is a feature (or the stored column of one). */
  feature?: FeatureConfig;
}

export interface BoundInput {
  input: ModelInputInfo;
  columns: BoundColumn[];
}

const NUMERIC = new Set(['float32', 'float64', 'int64', 'int32', 'bool']);
const SUPPORTED = new Set([...NUMERIC, 'string']);

/** The model's inputs as a message lists them: `float_input [N, 3] float32`. */
export function describeInputs(info: ModelInfo): string {
  return info.inputs.map((i) => `${i.name} [${i.shape.map((d) => (typeof d === 'number' ? d : 'N')).join(', ')}] ${i.type}`).join(', ');
}

/**
 * Binds every model input to columns of the model's snapshot (`fileColumns`), or returns the first
 * problem. A name binds to a feature (its stored column), else to a column, which is also a
 * feature's when some feature on this snapshot stores it.
 */
export function bindInputs(model: ModelConfig, info: ModelInfo, config: Config, fileColumns: readonly string[]): BoundInput[] | string {
  const theirs = `the model's inputs: ${describeInputs(info)}`;
  const names = new Set(info.inputs.map((i) => i.name));
  for (const key of model.inputs.keys()) {
    if (!names.has(key)) return `models.${model.name}.inputs names "${key}", which is not an input of the model (${theirs})`;
  }
  const onSnapshot = [...config.features.values()].filter((f) => f.snapshot === model.snapshot);
  const resolve = (name: string): BoundColumn | undefined => {
    const feature = config.features.get(name);
    if (feature && feature.snapshot === model.snapshot) return { name, column: feature.column, feature };
    if (!fileColumns.includes(name)) return undefined;
    const stores = onSnapshot.find((f) => f.column === name);
    return { name, column: name, ...(stores ? { feature: stores } : {}) };
  };
  const bound: BoundInput[] = [];
  for (const input of info.inputs) {
    if (!SUPPORTED.has(input.type)) return `input "${input.name}" has element type ${input.type}, which FeatureGuard cannot feed (float, double, int64, int32, bool or string; ${theirs})`;
    const given = model.inputs.get(input.name);
    const list = given === undefined ? [input.name] : Array.isArray(given) ? given : [given];
    const columns: BoundColumn[] = [];
    for (const name of list) {
      const c = resolve(name);
      if (!c) {
        if (given === undefined) return `input "${input.name}" is not bound: no feature or column of snapshot "${model.snapshot}" has that name (bind it in models.${model.name}.inputs; ${theirs})`;
        return `models.${model.name}.inputs.${input.name} names "${name}", which is neither a feature nor a column of snapshot "${model.snapshot}"`;
      }
      columns.push(c);
    }
    const shapeProblem = checkShape(input, columns.length, model.name);
    if (shapeProblem) return `${shapeProblem} (${theirs})`;
    bound.push({ input, columns });
  }
  return bound;
}

/** The rank and width an input accepts for `k` bound columns: [N], [N, 1] or [N, k]. */
function checkShape(input: ModelInputInfo, k: number, model: string): string | undefined {
  const s = input.shape;
  if (s.length === 1) return k === 1 ? undefined : `input "${input.name}" takes one column ([N]), but models.${model}.inputs.${input.name} lists ${k}`;
  if (s.length !== 2) return `input "${input.name}" has shape [${s.join(', ')}]; FeatureGuard feeds [N], [N, 1] or [N, k] inputs`;
  const width = s[1];
  if (typeof width === 'number' && width !== k) {
    return k === 1
      ? `input "${input.name}" takes ${width} columns ([N, ${width}]): bind it to a list of ${width} features or columns in models.${model}.inputs.${input.name}`
      : `input "${input.name}" takes ${width} columns ([N, ${width}]), but models.${model}.inputs.${input.name} lists ${k}`;
  }
  return undefined;
}

/**
 * One input's tensor over `rows` rows: its columns' values row by row (`values(c)` gives a
 * column), nulls as NaN for numbers and "" for strings. A value of the wrong kind (text for a
 * number input) is a one-line problem naming the column.
 */
export function inputTensor(b: BoundInput, rows: number, values: (c: BoundColumn) => readonly unknown[]): WireTensor | string {
  const k = b.columns.length;
  const dims = b.input.shape.length === 1 ? [rows] : [rows, k];
  const cols = b.columns.map(values);
  if (b.input.type === 'string') {
    const data = new Array<string>(rows * k);
    for (let i = 0; i < rows; i++) for (let j = 0; j < k; j++) data[i * k + j] = cellText(cols[j][i]);
    return { name: b.input.name, type: 'string', dims, data };
  }
  // Floats are written straight into the tensor's own array; other types go through doubles.
  const numbers = b.input.type === 'float32' ? new Float32Array(rows * k) : new Float64Array(rows * k);
  for (let j = 0; j < k; j++) {
    const col = cols[j];
    for (let i = 0; i < rows; i++) {
      const v = col[i];
      const n = typeof v === 'number' ? v : cellNumber(v);
      if (n === undefined) return `input "${b.input.name}" takes ${b.input.type} numbers, but "${b.columns[j].name}" holds ${describeCell(col[i])} (row ${i + 1} of the sample)`;
      numbers[i * k + j] = n;
    }
  }
  return { name: b.input.name, type: b.input.type, dims, data: numbers instanceof Float32Array ? numbers : typed(b.input.type, numbers) };
}

function typed(type: string, n: Float64Array): WireTensor['data'] {
  switch (type) {
    case 'float64':
      return n;
    case 'int32':
      return Int32Array.from(n, (x) => (Number.isFinite(x) ? Math.trunc(x) : 0));
    case 'bool':
      return Uint8Array.from(n, (x) => (x ? 1 : 0));
    default:
      return BigInt64Array.from(n, (x) => BigInt(Number.isFinite(x) ? Math.trunc(x) : 0));
  }
}

function cellNumber(v: unknown): number | undefined {
  if (v === null || v === undefined) return NaN;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.getTime();
  return undefined;
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

function describeCell(v: unknown): string {
  return typeof v === 'string' ? `text (${JSON.stringify(v.length > 20 ? v.slice(0, 20) + '…' : v)})` : typeof v;
}
