/**
 * Reads a sample of a Parquet snapshot with hyparquet. The file is read through a file handle, one
 * row group and one column at a time, and only the span of each row group that holds sampled rows
 * is decoded (hyparquet uses the offset index, when the file has one, to skip whole pages). Memory
 * therefore stays near the sample plus the decoded span of one row group, whatever the file size.
 */
import { open, type FileHandle } from 'node:fs/promises';
import {
  parquetMetadataAsync,
  parquetSchema,
  parquetScan,
  type AsyncBuffer,
  type FileMetaData,
  type ParquetParsers,
  type SchemaElement,
  type SchemaTree,
} from 'hyparquet';
import { compressors } from './parquetCodecs';
import { columnarTable, finishColumn, newColumn, toCellValue } from './cellValue';
import { snapshotHasNoColumns, unreadableSnapshot, wrapReadError } from './readErrors';
import { sampleIndices } from './sample';
import type { CellValue, ColumnInfo, ColumnType, ReadOptions, SnapshotTable } from './table';

const MAGIC = 'PAR1';
const ENCRYPTED_MAGIC = 'PARE';

/**
 * hyparquet turns every date and timestamp of a decoded span into a `Date`, sampled or not; on a
 * 1M-row file that was most of the read time. These parsers keep the raw day or tick counts, and
 * `dateConverter` builds `Date`s for the sampled cells only, with hyparquet's own arithmetic.
 */
export const RAW_TIME_PARSERS: Readonly<Partial<ParquetParsers>> = Object.freeze({
  timestampFromMilliseconds: (ticks: bigint) => ticks,
  timestampFromMicroseconds: (ticks: bigint) => ticks,
  timestampFromNanoseconds: (ticks: bigint) => ticks,
  dateFromDays: (days: number) => days,
});

/** A selected column with the conversion of its decoded values to cells. */
export interface ParquetColumn extends ColumnInfo {
  convert: (value: unknown) => CellValue;
}

/**
 * Reads the rows of `absPath` chosen by `options.sampleRows`/`options.seed`, restricted to
 * `options.columns` when given. Errors name `displayPath`.
 */
export async function readParquet(absPath: string, options: ReadOptions, displayPath: string = absPath): Promise<SnapshotTable> {
  return withParquetFile(absPath, displayPath, async (file, metadata, fields) => {
    const wanted = options.columns ? new Set(options.columns) : undefined;
    const selected = (wanted ? fields.filter((f) => wanted.has(f.element.name)) : fields).map(toParquetColumn);
    const columns: ColumnInfo[] = selected.map(({ name, type }) => ({ name, type }));

    const totalRows = Number(metadata.num_rows);
    const rowIndices = options.rowIndices ?? sampleIndices(totalRows, options.sampleRows, options.seed);
    const values = columns.map((c) => newColumn(rowIndices.length, c.type));
    if (columns.length > 0 && rowIndices.length > 0) {
      const scan = await parquetScan({
        file,
        metadata,
        columns: selected.map((c) => c.name),
        compressors,
        parsers: RAW_TIME_PARSERS,
      });
      await fillColumns(scan, selected, rowIndices, values);
    }
    return columnarTable({ path: displayPath, totalRows, columns, fileColumns: fields.map((f) => f.element.name), values: values.map(finishColumn), rowIndices });
  });
}

/**
 * Opens `absPath`, checks it is Parquet, reads its footer and hands it to `use` with the file's
 * top-level fields; the file is closed after, and errors become one-line errors naming `displayPath`.
 */
export async function withParquetFile<T>(absPath: string, displayPath: string, use: (file: AsyncBuffer, metadata: FileMetaData, fields: SchemaTree[]) => Promise<T>): Promise<T> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(absPath, 'r');
    const size = (await handle.stat()).size;
    await checkMagic(handle, size, displayPath);
    const file = fileAsyncBuffer(handle, size);
    const metadata = await parquetMetadataAsync(file, { parsers: RAW_TIME_PARSERS });
    const fields = parquetSchema(metadata).children;
    if (fields.length === 0) throw snapshotHasNoColumns(displayPath);
    return await use(file, metadata, fields);
  } catch (err) {
    throw wrapReadError(displayPath, 'Parquet', err);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

type Scan = Awaited<ReturnType<typeof parquetScan>>;

/**
 * Walks the scan's row ranges (one per row group) in file order alongside the ascending sample
 * (`rowIndices[from..to)`, minus `rowOffset` when the file is one part of a dataset),
 * decoding for each range only the span from its first to its last sampled row, column by column.
 * The scan keeps the last span it decoded for each column, so decoded data never outgrows one row
 * group.
 */
export async function fillColumns(scan: Scan, columns: ParquetColumn[], rowIndices: number[], values: CellValue[][], from = 0, to = rowIndices.length, rowOffset = 0): Promise<void> {
  let next = from;
  for (const range of scan.ranges) {
    while (next < to && rowIndices[next] - rowOffset < range.rowStart) next++;
    const first = next;
    let end = next;
    while (end < to && rowIndices[end] - rowOffset < range.rowEnd) end++;
    if (end === first) continue;
    const spanStart = rowIndices[first] - rowOffset;
    const spanEnd = rowIndices[end - 1] - rowOffset + 1;
    for (const [c, column] of columns.entries()) {
      const data = await scan.readColumn({ column: column.name, rowStart: spanStart, rowEnd: spanEnd });
      if (data.length < spanEnd - spanStart) {
        throw new Error(`column ${column.name} has ${data.length} values where ${spanEnd - spanStart} were expected`);
      }
      const { convert } = column;
      const out = values[c];
      for (let s = first; s < end; s++) out[s] = convert(data[rowIndices[s] - rowOffset - spanStart]);
    }
    next = end;
  }
}

export function toParquetColumn(field: SchemaTree): ParquetColumn {
  const type = parquetColumnType(field);
  return { name: field.element.name, type, convert: type === 'date' ? dateConverter(field.element) : plainConverter };
}

/** Numbers and strings, the common case, skip the general conversion. */
function plainConverter(value: unknown): CellValue {
  return typeof value === 'number' || typeof value === 'string' ? value : toCellValue(value);
}

const MS_PER_DAY = 86_400_000;

/**
 * Converts the raw values `RAW_TIME_PARSERS` leave in a date or timestamp column to `Date`s. The
 * unit is picked in the order hyparquet's converter uses (converted type, then logical type, then
 * INT96, which hyparquet hands over as nanoseconds), and ticks are truncated to milliseconds with
 * BigInt division exactly as hyparquet's default parsers do.
 */
function dateConverter(el: SchemaElement): (value: unknown) => CellValue {
  const logical = el.logical_type;
  let ticksPerMs: bigint | undefined;
  if (el.converted_type === 'DATE' || (!el.converted_type && logical?.type === 'DATE')) ticksPerMs = undefined;
  else if (el.converted_type === 'TIMESTAMP_MILLIS') ticksPerMs = 1n;
  else if (el.converted_type === 'TIMESTAMP_MICROS') ticksPerMs = 1000n;
  else if (logical?.type === 'TIMESTAMP') ticksPerMs = logical.unit === 'NANOS' ? 1_000_000n : logical.unit === 'MICROS' ? 1000n : 1n;
  else if (el.type === 'INT96') ticksPerMs = 1_000_000n;
  const divisor = ticksPerMs;
  return (value) => {
    if (value === null || value === undefined) return null;
    if (value instanceof Date) return value;
    if (divisor === undefined) return new Date(Number(value) * MS_PER_DAY);
    if (typeof value === 'bigint') return new Date(Number(divisor === 1n ? value : value / divisor));
    return new Date(Math.trunc(Number(value) / Number(divisor)));
  };
}

/**
 * The logical type of a top-level Parquet column, from its logical or converted type annotation
 * first and its physical type otherwise. Nested columns (lists, maps, structs) are `unknown`.
 */
export function parquetColumnType(field: SchemaTree): ColumnType {
  const el = field.element;
  if (field.children.length > 0 || el.repetition_type === 'REPEATED') return 'unknown';
  const logical = el.logical_type?.type;
  const converted = el.converted_type;
  if (logical === 'STRING' || logical === 'ENUM' || logical === 'UUID' || logical === 'JSON') return 'string';
  if (converted === 'UTF8' || converted === 'ENUM' || converted === 'JSON') return 'string';
  if (logical === 'DATE' || logical === 'TIMESTAMP') return 'date';
  if (converted === 'DATE' || converted === 'TIMESTAMP_MILLIS' || converted === 'TIMESTAMP_MICROS') return 'date';
  if (logical === 'DECIMAL' || logical === 'FLOAT16' || converted === 'DECIMAL') return 'number';
  if (logical === 'TIME' || logical === 'INTEGER') return 'integer';
  if (converted === 'TIME_MILLIS' || converted === 'TIME_MICROS') return 'integer';
  if (logical === 'NULL' || logical === 'GEOMETRY' || logical === 'GEOGRAPHY' || logical === 'VARIANT') return 'unknown';
  if (logical === 'BSON' || logical === 'INTERVAL' || logical === 'FILE') return 'unknown';
  switch (el.type) {
    case 'BOOLEAN':
      return 'boolean';
    case 'INT32':
    case 'INT64':
      return 'integer';
    case 'FLOAT':
    case 'DOUBLE':
      return 'number';
    case 'INT96':
      return 'date';
    case 'BYTE_ARRAY':
      // hyparquet decodes unannotated byte arrays as UTF-8 text, as most writers intend.
      return 'string';
    default:
      return 'unknown';
  }
}

/**
 * Checks the leading and trailing magic bytes before handing the file to hyparquet, whose own
 * messages for a wrong or truncated file are terse; these say what is most likely wrong.
 */
async function checkMagic(handle: FileHandle, size: number, displayPath: string): Promise<void> {
  if (size === 0) throw unreadableSnapshot(displayPath, 'Parquet', 'the file is empty');
  if (size < 12) throw unreadableSnapshot(displayPath, 'Parquet', `the file is too short (${size} bytes)`);
  const head = await readExactly(handle, 0, 4);
  const tail = await readExactly(handle, size - 4, 4);
  if (head.toString('latin1') !== MAGIC) {
    const arrow = (await readExactly(handle, 0, 6)).toString('latin1') === 'ARROW1';
    throw unreadableSnapshot(displayPath, 'Parquet', arrow ? 'it is an Arrow IPC file; give it the .arrow extension' : 'it does not start with the Parquet magic bytes PAR1');
  }
  const tailText = tail.toString('latin1');
  if (tailText === ENCRYPTED_MAGIC) {
    throw unreadableSnapshot(displayPath, 'Parquet', 'encrypted Parquet files are not supported');
  }
  if (tailText !== MAGIC) {
    throw unreadableSnapshot(displayPath, 'Parquet', 'it does not end with the Parquet magic bytes PAR1 (the file is truncated or was not fully written)');
  }
}

/** Reads exactly `length` bytes at `position`, or throws when the file ends first. */
async function readExactly(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let offset = 0;
  while (offset < length) {
    const { bytesRead } = await handle.read(buffer, offset, length - offset, position + offset);
    if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${position + offset}`);
    offset += bytesRead;
  }
  return buffer;
}

/**
 * An AsyncBuffer over an open file handle: each slice is one positioned read, so only the byte
 * ranges hyparquet asks for (footer, then the chunks of the selected columns) are ever in memory.
 */
function fileAsyncBuffer(handle: FileHandle, size: number): AsyncBuffer {
  return {
    byteLength: size,
    async slice(start: number, end: number = size): Promise<ArrayBuffer> {
      const from = Math.max(0, Math.min(start, size));
      const to = Math.max(from, Math.min(end, size));
      const bytes = new Uint8Array(to - from);
      let offset = 0;
      while (offset < bytes.length) {
        const { bytesRead } = await handle.read(bytes, offset, bytes.length - offset, from + offset);
        if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${from + offset}`);
        offset += bytesRead;
      }
      return bytes.buffer;
    },
  };
}
