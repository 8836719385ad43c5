/**
 * Reads a sample of an Arrow IPC snapshot (`.arrow`, `.feather` v2, `.ipc`), in either the file
 * format (starts with `ARROW1`) or the stream format, with apache-arrow. The file is read whole;
 * uncompressed record batches are views over its bytes, so the only copies made are of the
 * sampled cells (LZ4/ZSTD batches are decompressed as they load).
 *
 * Arrow's `toArray()` turns nulls into 0 for numeric columns, so every cell here is read with its
 * validity bit checked and nulls come back as `null`.
 */
import { readFile } from 'node:fs/promises';
import {
  tableFromIPC,
  Type,
  Precision,
  util,
  type Data,
  type DataType,
  type Decimal,
  type Dictionary,
  type Float,
  type Table,
  type Vector,
} from 'apache-arrow';
import { ensureArrowCodecs } from './arrowCodecs';
import { columnarTable, finishColumn, newColumn, toCellValue } from './cellValue';
import { snapshotHasNoColumns, unreadableSnapshot, wrapReadError } from './readErrors';
import { sampleIndices } from './sample';
import type { CellValue, ColumnInfo, ColumnType, ReadOptions, SnapshotTable } from './table';

/** Reads one cell of a batch column by its index within the batch. */
type CellReader = (i: number) => CellValue;

interface SelectedColumn {
  index: number;
  name: string;
  arrowType: DataType;
}

/**
 * Reads the rows of `absPath` chosen by `options.sampleRows`/`options.seed`, restricted to
 * `options.columns` when given. Errors name `displayPath`.
 */
export async function readArrow(absPath: string, options: ReadOptions, displayPath: string = absPath): Promise<SnapshotTable> {
  try {
    const bytes = await readFile(absPath);
    checkMagic(bytes, displayPath);
    ensureArrowCodecs();
    const table: Table = tableFromIPC(bytes);

    const fields = table.schema.fields;
    if (fields.length === 0) throw snapshotHasNoColumns(displayPath);
    const wanted = options.columns ? new Set(options.columns) : undefined;
    const selected: SelectedColumn[] = [];
    fields.forEach((field, index) => {
      if (!wanted || wanted.has(field.name)) selected.push({ index, name: field.name, arrowType: field.type });
    });
    const columns: ColumnInfo[] = selected.map((c) => ({ name: c.name, type: arrowColumnType(c.arrowType) }));

    const totalRows = table.numRows;
    const rowIndices = options.rowIndices ?? sampleIndices(totalRows, options.sampleRows, options.seed);
    const values = columns.map((c) => newColumn(rowIndices.length, c.type));
    fillColumns(table, selected, rowIndices, values);
    return columnarTable({ path: displayPath, totalRows, columns, fileColumns: fields.map((f) => f.name), values: values.map(finishColumn), rowIndices });
  } catch (err) {
    throw wrapReadError(displayPath, 'Arrow IPC', truncatedStream(err) ?? err);
  }
}

/**
 * apache-arrow's message for a stream cut short ("Expected to read 55856 bytes for message body,
 * but only read 33019.") restated like the other truncation messages.
 */
function truncatedStream(err: unknown): string | undefined {
  const m = /^Expected to read (\d+) (?:bytes for message body|metadata bytes), but only read (\d+)/.exec((err as Error | undefined)?.message ?? '');
  return m ? `it ends in the middle of a message (${m[2]} of ${m[1]} bytes; the file is truncated or was not fully written)` : undefined;
}

/**
 * Walks the record batches in order alongside the ascending sample and reads, for each batch, the
 * sampled cells of each selected column.
 */
function fillColumns(table: Table, selected: SelectedColumn[], rowIndices: number[], values: CellValue[][]): void {
  let batchStart = 0;
  let next = 0;
  for (const batch of table.batches) {
    const batchEnd = batchStart + batch.numRows;
    const first = next;
    while (next < rowIndices.length && rowIndices[next] < batchEnd) next++;
    if (next > first) {
      for (const [c, column] of selected.entries()) {
        const vector = batch.getChildAt(column.index);
        if (!vector) continue;
        const read = cellReader(vector, column.arrowType);
        const out = values[c];
        for (let s = first; s < next; s++) out[s] = read(rowIndices[s] - batchStart);
      }
    }
    batchStart = batchEnd;
    if (next >= rowIndices.length) break;
  }
}

/**
 * A reader for one batch column. Integer and float columns read their value buffer and validity
 * bitmap directly, which is several times faster than `Vector.get`; every other type goes through
 * `get` after an `isValid` check, then through a per-type conversion to a `CellValue`.
 */
function cellReader(vector: Vector, type: DataType): CellReader {
  if (vector.data.length === 1) {
    const fast = primitiveReader(vector.data[0], type);
    if (fast) return fast;
  }
  const convert = converterFor(type);
  return (i) => (vector.isValid(i) ? convert(vector.get(i)) : null);
}

function primitiveReader(data: Data, type: DataType): CellReader | undefined {
  const isNumeric = type.typeId === Type.Int || (type.typeId === Type.Float && (type as Float).precision !== Precision.HALF);
  if (!isNumeric || data.stride !== 1) return undefined;
  const offset = data.offset;
  const bitmap = data.nullCount > 0 ? data.nullBitmap : undefined;
  if (bitmap && bitmap.length === 0) return undefined;
  const values = data.values as unknown;
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    // 64-bit integers become numbers; see toCellValue for why inexact ones are rounded.
    return bitmap
      ? (i) => (isValidBit(bitmap, offset + i) ? Number(values[offset + i]) : null)
      : (i) => Number(values[offset + i]);
  }
  const numbers = values as ArrayLike<number>;
  return bitmap ? (i) => (isValidBit(bitmap, offset + i) ? numbers[offset + i] : null) : (i) => numbers[offset + i];
}

function isValidBit(bitmap: Uint8Array, index: number): boolean {
  return (bitmap[index >> 3] & (1 << (index & 7))) !== 0;
}

/** How a non-null value from `Vector.get` becomes a `CellValue`, by Arrow type. */
function converterFor(type: DataType): (value: unknown) => CellValue {
  switch (type.typeId) {
    case Type.Dictionary:
      return converterFor((type as Dictionary).dictionary);
    case Type.Date:
    case Type.Timestamp:
      // apache-arrow returns dates and timestamps of every unit as epoch milliseconds.
      return (v) => (v === null || v === undefined ? null : new Date(Number(v)));
    case Type.Decimal: {
      const scale = (type as Decimal).scale;
      return (v) => (v === null || v === undefined ? null : util.bigNumToNumber(v as never, scale));
    }
    case Type.Null:
      return () => null;
    default:
      return toCellValue;
  }
}

/** The logical type of an Arrow column for `schema.type`. */
export function arrowColumnType(type: DataType): ColumnType {
  switch (type.typeId) {
    case Type.Int:
    case Type.Time:
    case Type.Duration:
      return 'integer';
    case Type.Float:
    case Type.Decimal:
      return 'number';
    case Type.Bool:
      return 'boolean';
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Utf8View:
      return 'string';
    case Type.Date:
    case Type.Timestamp:
      return 'date';
    case Type.Dictionary:
      return arrowColumnType((type as Dictionary).dictionary);
    default:
      return 'unknown';
  }
}

const FILE_MAGIC = 'ARROW1';
const CONTINUATION = 0xffffffff;

/**
 * Tells the file format (`ARROW1` at both ends) from the stream format (messages that start with
 * the 0xFFFFFFFF continuation marker, or with a bare metadata length in pre-0.15 streams) and
 * rejects anything else with a reason, because apache-arrow reads some garbage as an empty table.
 */
function checkMagic(bytes: Buffer, displayPath: string): void {
  const fail = (reason: string) => unreadableSnapshot(displayPath, 'Arrow IPC', reason);
  if (bytes.length === 0) throw fail('the file is empty');
  const head = bytes.toString('latin1', 0, Math.min(bytes.length, 6));
  if (head === FILE_MAGIC) {
    if (bytes.length < 12 || bytes.toString('latin1', bytes.length - 6) !== FILE_MAGIC) {
      throw fail('it does not end with the Arrow magic bytes ARROW1 (the file is truncated or was not fully written)');
    }
    return;
  }
  if (head.startsWith('FEA1')) {
    throw fail('it is a Feather version 1 file, which is not supported; save it again as Feather version 2 (Arrow IPC)');
  }
  if (head.startsWith('PAR1')) throw fail('it is a Parquet file; give it the .parquet extension');
  if (bytes.length >= 8) {
    const first = bytes.readUInt32LE(0);
    if (first === CONTINUATION) return;
    // A pre-0.15 stream starts directly with the length of its first metadata message.
    if (first > 0 && first + 4 <= bytes.length && first < 1 << 24) return;
  }
  throw fail('it starts with neither the Arrow file magic ARROW1 nor an Arrow stream message');
}
