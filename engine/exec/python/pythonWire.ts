/**
 * The binary protocol between the engine and the Python worker (`featureguard_worker.py`): frames
 * of a little-endian u32 header length, a UTF-8 JSON header, then raw buffers whose lengths the
 * header lists. Columns travel typed — float64 and int64 little-endian with a validity byte per
 * row, strings as u32 offsets + UTF-8, booleans, timestamps as float64 milliseconds — so 100k rows
 * cost a memcpy, not 100k JSON values; no pickle of user data.
 */
import type { CellValue, ColumnType } from '../../data/table';

/** A column for the worker: its header entry and the indexes of its buffers. */
export interface EncodedColumn {
  header: { name: string; type: 'f64' | 'i64' | 'str' | 'bool' | 'ts' | 'json'; buffers: number[]; values?: unknown[] };
}

/** Encodes one frame. */
export function encodeFrame(header: Record<string, unknown>, buffers: Uint8Array[]): Buffer {
  const json = Buffer.from(JSON.stringify({ ...header, buffers: buffers.map((b) => b.byteLength) }), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.byteLength);
  return Buffer.concat([length, json, ...buffers.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength))]);
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
 */
export function encodeColumns(columns: { name: string; type: ColumnType; values: readonly CellValue[] }[], rowCount: number): { headers: EncodedColumn['header'][]; buffers: Uint8Array[] } {
  const headers: EncodedColumn['header'][] = [];
  const buffers: Uint8Array[] = [];
  const add = (b: Uint8Array) => buffers.push(b) - 1;
  for (const col of columns) {
    const valid = new Uint8Array(rowCount);
    const values = col.values;
    const present = values.filter((v) => v !== null && v !== undefined);
    const all = (test: (v: CellValue) => boolean) => present.every(test);
    for (let i = 0; i < rowCount; i++) valid[i] = values[i] === null || values[i] === undefined ? 0 : 1;
    if ((col.type === 'integer' || col.type === 'number') && all((v) => typeof v === 'number')) {
      const asInt = col.type === 'integer' && all((v) => Number.isSafeInteger(v as number));
      if (asInt) {
        const data = new BigInt64Array(rowCount);
        for (let i = 0; i < rowCount; i++) if (valid[i]) data[i] = BigInt(values[i] as number);
        headers.push({ name: col.name, type: 'i64', buffers: [add(valid), add(new Uint8Array(data.buffer))] });
      } else {
        const data = new Float64Array(rowCount);
        for (let i = 0; i < rowCount; i++) if (valid[i]) data[i] = values[i] as number;
        headers.push({ name: col.name, type: 'f64', buffers: [add(valid), add(new Uint8Array(data.buffer))] });
      }
    } else if (all((v) => typeof v === 'string')) {
      const offsets = new Uint32Array(rowCount + 1);
      const parts: Buffer[] = [];
      let total = 0;
      for (let i = 0; i < rowCount; i++) {
        if (valid[i]) {
          const b = Buffer.from(values[i] as string, 'utf8');
          parts.push(b);
          total += b.byteLength;
        }
        offsets[i + 1] = total;
      }
      headers.push({ name: col.name, type: 'str', buffers: [add(valid), add(new Uint8Array(offsets.buffer)), add(Buffer.concat(parts))] });
    } else if (all((v) => typeof v === 'boolean')) {
      const data = new Uint8Array(rowCount);
      for (let i = 0; i < rowCount; i++) data[i] = values[i] === true ? 1 : 0;
      headers.push({ name: col.name, type: 'bool', buffers: [add(valid), add(data)] });
    } else if (all((v) => v instanceof Date)) {
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
