/**
 * The binary protocol between the engine and the Python worker (`featureguard_worker.py`): frames
 * of a little-endian u32 header length, a UTF-8 JSON header, then raw buffers whose lengths the
 * header lists. Columns travel typed — float64 and int64 little-endian with a validity byte per
 * row, strings as u32 offsets + UTF-8 (or, when few distinct strings repeat, as u32 codes into
 * those strings: `cat`), booleans, timestamps as float64 milliseconds — so 100k rows cost a
 * memcpy, not 100k JSON values; no pickle of user data.
 */
import type { CellValue, ColumnType } from '../../data/table';

/** A column for the worker: its header entry and the indexes of its buffers. */
export interface EncodedColumn {
  header: { name: string; type: 'f64' | 'i64' | 'str' | 'cat' | 'bool' | 'ts' | 'json'; buffers: number[]; values?: unknown[] };
}

/** Encodes one frame. */
export function encodeFrame(header: Record<string, unknown>, buffers: Uint8Array[]): Buffer {
  return Buffer.concat(encodeFrameParts(header, buffers));
}

/** One frame as its parts in order (the length and header, then each buffer as it is: no copy). */
export function encodeFrameParts(header: Record<string, unknown>, buffers: Uint8Array[]): Buffer[] {
  const json = Buffer.from(JSON.stringify({ ...header, buffers: buffers.map((b) => b.byteLength) }), 'utf8');
  const head = Buffer.alloc(4 + json.byteLength);
  head.writeUInt32LE(json.byteLength);
  json.copy(head, 4);
  return [head, ...buffers.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength))];
}

/** Reads frames out of a byte stream as chunks arrive. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private size = 0;

  /** Adds bytes; returns every frame they complete. */
  push(chunk: Buffer): { header: any; buffers: Buffer[] }[] {
    this.chunks.push(chunk);
    this.size += chunk.byteLength;
    const out: { header: any; buffers: Buffer[] }[] = [];
    for (;;) {
      const frame = this.next();
      if (!frame) return out;
      out.push(frame);
    }
  }

  private next(): { header: any; buffers: Buffer[] } | undefined {
    if (this.size < 4) return undefined;
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    this.chunks = [all];
    const headerLength = all.readUInt32LE(0);
    if (all.byteLength < 4 + headerLength) return undefined;
    const header = JSON.parse(all.subarray(4, 4 + headerLength).toString('utf8'));
    const lengths: number[] = header.buffers ?? [];
    const total = 4 + headerLength + lengths.reduce((a, b) => a + b, 0);
    if (all.byteLength < total) return undefined;
    const buffers: Buffer[] = [];
    let at = 4 + headerLength;
    for (const n of lengths) {
      buffers.push(Buffer.from(all.subarray(at, at + n)));
      at += n;
    }
    const rest = all.subarray(total);
    this.chunks = rest.byteLength ? [rest] : [];
    this.size = rest.byteLength;
    return { header, buffers };
  }
}

/**
 * Encodes sampled columns: `integer` columns as int64 when every value is a safe integer,
 * `number` columns as float64, then strings, booleans and timestamps by what the values are.
 * One pass over a column's values decides its type and one more writes it (100k rows × 10 columns
 * is a few milliseconds, not a conversion per value).
 */
export function encodeColumns(columns: { name: string; type: ColumnType; values: readonly CellValue[] }[], rowCount: number): { headers: EncodedColumn['header'][]; buffers: Uint8Array[] } {
  const headers: EncodedColumn['header'][] = [];
  const buffers: Uint8Array[] = [];
  const add = (b: Uint8Array) => buffers.push(b) - 1;
  for (const col of columns) {
    const values = col.values;
    const valid = new Uint8Array(rowCount);
    const numbers = encodeNumbers(values, col.type, valid, rowCount);
    if (numbers) {
      headers.push({ name: col.name, type: numbers.type, buffers: [add(valid), add(new Uint8Array(numbers.data))] });
      continue;
    }
    for (let i = 0; i < rowCount; i++) valid[i] = values[i] === null || values[i] === undefined ? 0 : 1;
    const wire = wireType(values, col.type);
    if (wire === 'i64') {
      // Two 32-bit halves, little-endian two's complement: exact for every safe integer, no BigInt per value.
      const data = new ArrayBuffer(rowCount * 8);
      const lo = new Uint32Array(data), hi = new Int32Array(data);
      for (let i = 0; i < rowCount; i++) {
        if (!valid[i]) continue;
        const v = values[i] as number;
        const high = Math.floor(v / 4294967296);
        lo[2 * i] = v - high * 4294967296;
        hi[2 * i + 1] = high;
      }
      headers.push({ name: col.name, type: 'i64', buffers: [add(valid), add(new Uint8Array(data))] });
    } else if (wire === 'f64') {
      const data = new Float64Array(rowCount);
      for (let i = 0; i < rowCount; i++) if (valid[i]) data[i] = values[i] as number;
      headers.push({ name: col.name, type: 'f64', buffers: [add(valid), add(new Uint8Array(data.buffer))] });
    } else if (wire === 'str') {
      const strings = values as readonly (string | null | undefined)[];
      const dictionary = encodeDictionary(strings, valid, rowCount);
      if (dictionary) {
        const { offsets, data } = encodeStrings(dictionary.strings, new Uint8Array(dictionary.strings.length).fill(1), dictionary.strings.length);
        headers.push({ name: col.name, type: 'cat', buffers: [add(valid), add(new Uint8Array(dictionary.codes.buffer)), add(new Uint8Array(offsets.buffer)), add(data)] });
      } else {
        const { offsets, data } = encodeStrings(strings, valid, rowCount);
        headers.push({ name: col.name, type: 'str', buffers: [add(valid), add(new Uint8Array(offsets.buffer)), add(data)] });
      }
    } else if (wire === 'bool') {
      const data = new Uint8Array(rowCount);
      for (let i = 0; i < rowCount; i++) data[i] = values[i] === true ? 1 : 0;
      headers.push({ name: col.name, type: 'bool', buffers: [add(valid), add(data)] });
    } else if (wire === 'ts') {
      const data = new Float64Array(rowCount);
      for (let i = 0; i < rowCount; i++) if (valid[i]) data[i] = (values[i] as Date).getTime();
      headers.push({ name: col.name, type: 'ts', buffers: [add(valid), add(new Uint8Array(data.buffer))] });
    } else {
      // Mixed values: each as JSON (numbers, strings, booleans; timestamps as ISO strings).
      headers.push({ name: col.name, type: 'json', buffers: [], values: values.map((v) => (v instanceof Date ? v.toISOString() : (v ?? null))) });
    }
  }
  return { headers, buffers };
}

/**
 * A numeric column of numbers (and nulls) in one pass: float64, or int64 when it is an `integer`
 * column of safe integers; `valid` filled. Undefined for any other column (`valid` then undefined).
 */
function encodeNumbers(values: readonly CellValue[], type: ColumnType, valid: Uint8Array, rowCount: number): { type: 'f64' | 'i64'; data: ArrayBuffer } | undefined {
  if ((type !== 'integer' && type !== 'number') || values.length !== rowCount) return undefined;
  const data = new Float64Array(rowCount);
  let integers = type === 'integer';
  for (let i = 0; i < rowCount; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    if (typeof v !== 'number') return undefined;
    valid[i] = 1;
    data[i] = v;
    if (integers && !Number.isSafeInteger(v)) integers = false;
  }
  if (!integers) return { type: 'f64', data: data.buffer };
  // Two 32-bit halves, little-endian two's complement: exact for every safe integer, no BigInt per value.
  const out = new ArrayBuffer(rowCount * 8);
  const lo = new Uint32Array(out), hi = new Int32Array(out);
  for (let i = 0; i < rowCount; i++) {
    const v = data[i];
    const high = Math.floor(v / 4294967296);
    lo[2 * i] = v - high * 4294967296;
    hi[2 * i + 1] = high;
  }
  return { type: 'i64', data: out };
}

/**
 * How a column travels, from its non-null values: numbers of a numeric column as int64 (an
 * `integer` column of safe integers) or float64; then strings, booleans, timestamps; else JSON.
 * A column without a value takes the first that applies.
 */
function wireType(values: readonly CellValue[], type: ColumnType): 'i64' | 'f64' | 'str' | 'bool' | 'ts' | 'json' {
  const numeric = type === 'integer' || type === 'number';
  let numbers = numeric, integers = type === 'integer', strings = true, booleans = true, dates = true;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'number') {
      strings = booleans = dates = false;
      if (integers && !Number.isSafeInteger(v)) integers = false;
      if (!numbers) break;
    } else {
      numbers = integers = false;
      if (typeof v !== 'string') strings = false;
      if (typeof v !== 'boolean') booleans = false;
      if (!(v instanceof Date)) dates = false;
      if (!strings && !booleans && !dates) break;
    }
  }
  if (numbers) return integers ? 'i64' : 'f64';
  return strings ? 'str' : booleans ? 'bool' : dates ? 'ts' : 'json';
}

/** At most this many distinct strings, and at most one per two rows, travel as a dictionary. */
const MAX_DICTIONARY = 4096;

/**
 * A string column as its distinct strings and a u32 code per row (0 for nulls), when it has at
 * least one string and few enough distinct ones (a category, a segment, a country); undefined
 * otherwise (ids, free text), found out after at most MAX_DICTIONARY + 1 distinct strings.
 */
function encodeDictionary(values: readonly (string | null | undefined)[], valid: Uint8Array, rowCount: number): { strings: string[]; codes: Uint32Array } | undefined {
  const limit = Math.min(MAX_DICTIONARY, rowCount >> 1);
  const index = new Map<string, number>();
  const strings: string[] = [];
  const codes = new Uint32Array(rowCount);
  for (let i = 0; i < rowCount; i++) {
    if (!valid[i]) continue;
    const v = values[i] as string;
    let code = index.get(v);
    if (code === undefined) {
      if (strings.length >= limit) return undefined;
      code = strings.push(v) - 1;
      index.set(v, code);
    }
    codes[i] = code;
  }
  return strings.length ? { strings, codes } : undefined;
}

/** UTF-8 bytes of the strings end to end and the u32 offset where each row's ends (nulls add none). */
function encodeStrings(values: readonly (string | null | undefined)[], valid: Uint8Array, rowCount: number): { offsets: Uint32Array; data: Buffer } {
  const offsets = new Uint32Array(rowCount + 1);
  // join() writes nulls as ''. ASCII text (a UTF-8 length equal to its length) is one conversion.
  const joined = values.length === rowCount ? values.join('') : values.slice(0, rowCount).join('');
  if (Buffer.byteLength(joined, 'utf8') === joined.length) {
    let total = 0;
    for (let i = 0; i < rowCount; i++) offsets[i + 1] = total += valid[i] ? (values[i] as string).length : 0;
    return { offsets, data: Buffer.from(joined, 'latin1') };
  }
  // Each value on its own (as a lone surrogate at a value's end must not pair with the next one's start).
  let total = 0;
  for (let i = 0; i < rowCount; i++) offsets[i + 1] = total += valid[i] ? Buffer.byteLength(values[i] as string, 'utf8') : 0;
  const data = Buffer.allocUnsafe(total);
  for (let i = 0; i < rowCount; i++) if (valid[i]) data.write(values[i] as string, offsets[i], 'utf8');
  return { offsets, data };
}

/**
 * Decodes a job's values: one per row, `undefined` where the row failed, `null` for nulls (None,
 * NaN, pandas.NA/NaT), numbers, strings, booleans and `Date`s otherwise.
 */
export function decodeValues(header: { type: string; values?: unknown[] }, buffers: Buffer[], rowCount: number): unknown[] {
  const states = buffers[0];
  const out: unknown[] = new Array(rowCount);
  const state = (i: number) => states[i];
  const f64 = (b: Buffer) => new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  switch (header.type) {
    case 'f64':
    case 'ts': {
      const data = f64(buffers[1]);
      for (let i = 0; i < rowCount; i++) out[i] = state(i) === 0 ? (header.type === 'ts' ? new Date(data[i]) : data[i]) : state(i) === 1 ? null : undefined;
      return out;
    }
    case 'bool':
      for (let i = 0; i < rowCount; i++) out[i] = state(i) === 0 ? buffers[1][i] === 1 : state(i) === 1 ? null : undefined;
      return out;
    case 'str': {
      const offsets = new Uint32Array(buffers[1].buffer.slice(buffers[1].byteOffset, buffers[1].byteOffset + buffers[1].byteLength));
      const data = buffers[2];
      for (let i = 0; i < rowCount; i++) out[i] = state(i) === 0 ? data.toString('utf8', offsets[i], offsets[i + 1]) : state(i) === 1 ? null : undefined;
      return out;
    }
    default: {
      const values = header.values ?? [];
      for (let i = 0; i < rowCount; i++) out[i] = state(i) === 0 ? jsonValue(values[i]) : state(i) === 1 ? null : undefined;
      return out;
    }
  }
}

/** A value of the worker's JSON fallback: `{ ts }` is a timestamp; non-finite numbers come as strings. */
export function jsonValue(v: unknown): unknown {
  if (v && typeof v === 'object' && 'ts' in v) return new Date((v as { ts: number }).ts);
  if (v === 'nan' || v === 'NaN') return Number.NaN;
  if (v === 'inf') return Number.POSITIVE_INFINITY;
  if (v === '-inf') return Number.NEGATIVE_INFINITY;
  return v;
}
