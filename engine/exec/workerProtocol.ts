/**
 * Messages between the engine and the worker that runs one version of a feature's code. Rows
 * travel by column (numeric columns as Float64Array with a null mask, sent as raw bytes on the
 * worker's data pipe, see `WorkerBatchHead`) because copying typed arrays is a copy, while cloning
 * a hundred thousand row objects is not.
 */
import { doubles, isDoubles } from '../data/cellValue';

/** One input column. Numeric columns use `numbers` + `nulls`; others use `values`. */
export interface WireColumn {
  name: string;
  numbers?: Float64Array;
  /** 1 where the row's value is null (numeric columns only). */
  nulls?: Uint8Array;
  values?: unknown[];
}

/** One feature to evaluate in a worker. */
export interface WorkerJob {
  /** `module.exports[exportKey]` of the bundle is the feature function. */
  exportKey: string;
  kind: 'row' | 'batch';
  output?: string;
  /** Extra single rows to evaluate after the sample (declared examples). */
  extraRows: Record<string, unknown>[];
  /** Rows re-run to detect non-determinism (the first N of the sample). */
  repeatRows: number;
}

/**
 * What a worker process receives: one bundle, one sample, and the features to run over it in
 * order. It answers with one `WorkerReply` per job, as each finishes.
 */
export interface WorkerBatch {
  /** A CommonJS bundle exporting every job's feature function. */
  code: string;
  /** Folder that bare `require`s resolve from (the repository root). */
  requireFrom: string;
  rowCount: number;
  columns: WireColumn[];
  jobs: WorkerJob[];
}

/**
 * A batch on the wire. The head goes as an IPC message, with every numeric column replaced by a
 * `PipedColumn`; those columns' bytes follow on the worker's data pipe (`DATA_FD`), in head order,
 * each as its float64 values then its null mask (one byte per row). A column of few distinct
 * strings, booleans and nulls (a segment, a country) is piped too, as one int32 code per row into
 * the `dictionary` its head carries: serialized into the message, its million strings were a
 * buffer of ~10 MB per batch (one per side) and as much garbage in the sending process. Written from the typed arrays
 * themselves, they are never copied in the sending process: sent in IPC messages, each was
 * serialized into a buffer of its own, garbage the collector left alone for a while (~70 MB of the
 * language server's peak for a million-row check of three numeric columns, two workers).
 */
export type WorkerBatchHead = Omit<WorkerBatch, 'columns'> & { columns: (WireColumn | PipedColumn)[] };

/** A column whose bytes come on the data pipe: numeric, or codes into `dictionary` when it is set. */
export interface PipedColumn {
  name: string;
  piped: true;
  dictionary?: unknown[];
}

/** Distinct values beyond which a column is sent as it is: such a dictionary saves little. */
export const MAX_DICTIONARY = 65_536;

/**
 * A non-numeric column as its distinct values and one code per row, when every value is a string,
 * a boolean, null or undefined (values the worker gets back exactly from the dictionary) and they
 * are at most `MAX_DICTIONARY`; undefined otherwise.
 */
export function dictionaryOf(values: readonly unknown[]): { dictionary: unknown[]; codes: Int32Array } | undefined {
  const index = new Map<unknown, number>();
  const dictionary: unknown[] = [];
  const codes = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && v !== undefined && typeof v !== 'string' && typeof v !== 'boolean') return undefined;
    let code = index.get(v);
    if (code === undefined) {
      if (dictionary.length === MAX_DICTIONARY) return undefined;
      code = dictionary.length;
      dictionary.push(v);
      index.set(v, code);
    }
    codes[i] = code;
  }
  return { dictionary, codes };
}

/** The values of a dictionary column: `dictionary[codes[i]]` for every row. */
export function undictionary(dictionary: readonly unknown[], codes: Int32Array): unknown[] {
  const values: unknown[] = new Array(codes.length);
  for (let i = 0; i < codes.length; i++) values[i] = dictionary[codes[i]];
  return values;
}

/** The worker's file descriptor of its data pipe (0–2: stdio, 3: the IPC channel). */
export const DATA_FD = 4;

/** The outcome of job `index` of the batch. */
export interface WorkerReply {
  index: number;
  result: WorkerResult | WorkerFailure;
}

/** A per-row failure, with the row's index in the sample. */
export interface RowError {
  index: number;
  message: string;
}

export interface WorkerResult {
  ok: true;
  /** One value per sampled row (`undefined` where the row threw). */
  values: unknown[];
  extraValues: unknown[];
  errorCount: number;
  /** The first few row errors. */
  errors: RowError[];
  /** Rows whose value differed on the second run. */
  nondeterministic: number;
  /** Wall time of the main pass, in milliseconds. */
  runMs: number;
  /** Properties the code read from a row that the row does not have (a column missing from the sample). */
  missingColumns?: string[];
}

/** The code could not be loaded at all (it threw at import, or exports no function). */
export interface WorkerFailure {
  ok: false;
  message: string;
}

/**
 * Feature values on the wire. Numeric outputs travel as a Float64Array with a state byte per row
 * (0 value, 1 null, 2 the row threw): cloning 100k numbers that way is a copy, while cloning a
 * 100k-element array of numbers is 100k objects to deserialize.
 */
export type WireValues = unknown[] | { numbers: Float64Array; states: Uint8Array };

/**
 * The numeric wire form a decoded values array came in, kept until the results cache writes the
 * values (`takeNumericForm`): its file holds exactly these bytes, so they are written as they
 * came rather than encoded again from the array — a loop that, fed arrays of every element kind
 * (side results and sampled columns), ran V8's generic path: 6 ms per 100k values, not 0.3.
 */
const numericForms = new WeakMap<unknown[], { numbers: Float64Array; states: Uint8Array }>();

/** `decodeValues(wire)`, its numeric form kept for the results cache (a worker's reply). */
export function decodeReply(wire: WireValues): unknown[] {
  const values = decodeValues(wire);
  if (!Array.isArray(wire)) numericForms.set(values, wire);
  return values;
}

/** The numeric form `values` were decoded from, forgotten once taken (it doubles what the values hold). */
export function takeNumericForm(values: unknown[]): { numbers: Float64Array; states: Uint8Array } | undefined {
  const form = numericForms.get(values);
  if (form) numericForms.delete(values);
  return form;
}

/** Encodes values for the wire, numerically when every value is a number, null or missing. */
export function encodeValues(values: unknown[]): WireValues {
  const numbers = new Float64Array(values.length);
  const states = new Uint8Array(values.length);
  // Copied by a built-in: the loop below also reads arrays of other kinds (see `isDoubles`).
  if (isDoubles(values)) {
    numbers.set(values);
    return { numbers, states };
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'number') numbers[i] = v;
    else if (v === null) states[i] = 1;
    else if (v === undefined) states[i] = 2;
    else return values;
  }
  return { numbers, states };
}

/**
 * The values of a wire form. Values that are all numbers are made where nothing else is ever
 * stored: V8 gives an array the element kind earlier arrays made at the same place ended with, and
 * one result with a null would otherwise make every later one hold its numbers boxed (24 bytes a
 * value instead of 8; a million-row result is 24 MB instead of 8).
 */
export function decodeValues(wire: WireValues): unknown[] {
  if (Array.isArray(wire)) return wire;
  // Numbers only (the common case): raw doubles, not one heap object per value (see `doubles`).
  if (wire.states.every((s) => s === 0)) return doubles(wire.numbers);
  const out: unknown[] = new Array(wire.numbers.length);
  for (let i = 0; i < out.length; i++) {
    const s = wire.states[i];
    out[i] = s === 0 ? wire.numbers[i] : s === 1 ? null : undefined;
  }
  return out;
}
