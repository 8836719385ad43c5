/**
 * Reads a sample of a dataset made of Parquet files (a partitioned folder, a glob, a Delta table,
 * one remote object). The footers come first, read in parallel: they give each file's schema and
 * row count, so the sample is drawn uniformly over the rows of all files (global row indices, the
 * files in path order) and each file is then read only for the row groups that hold its sampled
 * rows and only for the needed columns. For a remote file those column chunks are fetched ahead,
 * in parallel through the snapshot's limiter, and nothing else is downloaded.
 *
 * The dataset's schema is the union of the files' in order of first appearance, then the
 * partition columns: a column a file lacks (added later) is null in that file's rows. A column
 * that is `integer` in some files and `number` in others is `number`; any other difference of
 * type is an error naming both files.
 */
import { parquetMetadataAsync, parquetSchema, parquetScan, type FileMetaData } from 'hyparquet';
import { compressors } from './parquetCodecs';
import { UserError } from '../errors';
import { columnarTable, finishColumn, newColumn } from './cellValue';
import type { Dataset, DatasetPart } from './datasetFiles';
import { fillColumns, RAW_TIME_PARSERS, toParquetColumn, type ParquetColumn } from './parquetReader';
import { Limiter, mapLimit, RangeBuffer, type RangeSource } from './rangeSource';
import { reasonText } from './readErrors';
import { sampleIndices } from './sample';
import type { CellValue, ColumnInfo, ColumnType, ReadOptions, SnapshotTable } from './table';

/** Bytes read from the end of a file for its footer; a larger footer costs one more read. */
const FOOTER_FETCH = 64 * 1024;
/** Footers read at once. */
const FOOTER_CONCURRENCY = 8;

interface Footer {
  part: DatasetPart;
  metadata: FileMetaData;
  columns: ParquetColumn[];
  rows: number;
}

export interface DatasetReadContext {
  /** The snapshot as written in the config, for the table's `path` and for messages. */
  display: string;
  /** Opens a part's bytes (through the remote cache, for remote parts). */
  open(part: DatasetPart): RangeSource;
  /** Requests at once, for remote parts (local parts share it too; it costs nothing there). */
  limiter?: Limiter;
}

export async function readDataset(dataset: Dataset, options: ReadOptions, ctx: DatasetReadContext): Promise<SnapshotTable> {
  const limiter = ctx.limiter ?? new Limiter(4);
  const footers = await mapLimit(dataset.parts, FOOTER_CONCURRENCY, (part) => readFooter(part, ctx, limiter));

  // The union schema, and a type conflict named by the two files that disagree.
  const union = new Map<string, { type: ColumnType; file: string }>();
  for (const f of footers) {
    for (const c of f.columns) {
      const seen = union.get(c.name);
      if (!seen) union.set(c.name, { type: c.type, file: f.part.display });
      else if (seen.type !== c.type) {
        const numeric = (t: ColumnType) => t === 'integer' || t === 'number';
        if (numeric(seen.type) && numeric(c.type)) seen.type = 'number';
        else throw new UserError(`${ctx.display}: column "${c.name}" is ${seen.type} in ${seen.file} but ${c.type} in ${f.part.display}`);
      }
    }
  }
  const partitionColumns = dataset.partitionColumns.filter((c) => !union.has(c.name));
  const allColumns: ColumnInfo[] = [...[...union].map(([name, { type }]) => ({ name, type })), ...partitionColumns];
  if (allColumns.length === 0) throw new UserError(`${ctx.display} has no columns`);
  const wanted = options.columns ? new Set(options.columns) : undefined;
  const columns = wanted ? allColumns.filter((c) => wanted.has(c.name)) : allColumns;
  const index = new Map(columns.map((c, i) => [c.name, i]));

  const starts: number[] = [];
  let totalRows = 0;
  for (const f of footers) {
    starts.push(totalRows);
    totalRows += f.rows;
  }
  const rowIndices = options.rowIndices ?? sampleIndices(totalRows, options.sampleRows, options.seed);
  const values = columns.map((c) => newColumn(rowIndices.length, c.type));

  if (columns.length > 0 && rowIndices.length > 0) {
    // The sampled rows of each file are one run of the ascending sample.
    const runs: { footer: Footer; from: number; to: number; offset: number }[] = [];
    let s = 0;
    footers.forEach((footer, i) => {
      const end = starts[i] + footer.rows;
      const from = s;
      while (s < rowIndices.length && rowIndices[s] < end) s++;
      if (s > from) runs.push({ footer, from, to: s, offset: starts[i] });
    });
    await mapLimit(runs, 4, async ({ footer, from, to, offset }) => {
      for (const p of partitionColumns) {
        const k = index.get(p.name);
        if (k === undefined) continue;
        const value = footer.part.partition[p.name] ?? null;
        for (let r = from; r < to; r++) values[k][r] = value;
      }
      const fileColumns = footer.columns.filter((c) => index.has(c.name));
      if (fileColumns.length === 0) return;
      await readRows(footer, fileColumns, rowIndices, from, to, offset, fileColumns.map((c) => values[index.get(c.name)!]), ctx, limiter);
    });
  }
  return columnarTable({ path: ctx.display, totalRows, columns, fileColumns: allColumns.map((c) => c.name), values: values.map(finishColumn), rowIndices });
}

async function readFooter(part: DatasetPart, ctx: DatasetReadContext, limiter: Limiter): Promise<Footer> {
  const source = ctx.open(part);
  try {
    const file = new RangeBuffer(source, limiter);
    const size = source.size;
    if (size < 12) throw unreadable(part, size === 0 ? 'the file is empty' : `the file is too short (${size} bytes)`);
    const tailStart = Math.max(0, size - FOOTER_FETCH);
    await file.prefetch([[tailStart, size]]);
    const tail = new Uint8Array(await file.slice(size - 4, size));
    const magic = String.fromCharCode(...tail);
    if (magic === 'PARE') throw unreadable(part, 'encrypted Parquet files are not supported');
    if (magic !== 'PAR1') throw unreadable(part, 'it does not end with the Parquet magic bytes PAR1 (the file is truncated, was not fully written, or is not Parquet)');
    const metadata = await parquetMetadataAsync(file, { parsers: RAW_TIME_PARSERS, initialFetchSize: size - tailStart });
    const columns = parquetSchema(metadata).children.map(toParquetColumn);
    return { part, metadata, columns, rows: Number(metadata.num_rows) };
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw unreadable(part, err);
  } finally {
    await source.close();
  }
}

/**
 * Reads the sampled rows `rowIndices[from..to)` (global; `offset` is the file's first row) of one
 * file's `columns` into `out`. A remote file's needed column chunks are fetched first, together.
 */
async function readRows(footer: Footer, columns: ParquetColumn[], rowIndices: number[], from: number, to: number, offset: number, out: CellValue[][], ctx: DatasetReadContext, limiter: Limiter): Promise<void> {
  const source = ctx.open(footer.part);
  try {
    const file = new RangeBuffer(source, limiter);
    const { metadata } = footer;
    if (source.remote) {
      const names = new Set(columns.map((c) => c.name));
      const ranges: [number, number][] = [];
      let groupStart = 0;
      let s = from;
      for (const group of metadata.row_groups) {
        const groupEnd = groupStart + Number(group.num_rows);
        while (s < to && rowIndices[s] - offset < groupStart) s++;
        if (s < to && rowIndices[s] - offset < groupEnd) {
          for (const chunk of group.columns) {
            const meta = chunk.meta_data;
            if (!meta || !names.has(meta.path_in_schema[0])) continue;
            // As hyparquet does: some writers put a 0 where there is no dictionary page.
            const dict = meta.dictionary_page_offset;
            const start = Number(dict && dict < meta.data_page_offset ? dict : meta.data_page_offset);
            ranges.push([start, start + Number(meta.total_compressed_size)]);
          }
        }
        groupStart = groupEnd;
      }
      await file.prefetch(ranges);
    }
    const scan = await parquetScan({
      file,
      metadata,
      columns: columns.map((c) => c.name),
      compressors,
      parsers: RAW_TIME_PARSERS,
      // The page indexes save decoding, not requests, once the chunks are fetched ahead.
      useOffsetIndex: !source.remote,
    });
    await fillColumns(scan, columns, rowIndices, out, from, to, offset);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw unreadable(footer.part, err);
  } finally {
    await source.close();
  }
}

function unreadable(part: DatasetPart, reason: unknown): UserError {
  return new UserError(`${part.display} is not a readable Parquet file: ${reasonText(reason)}`, reason);
}
