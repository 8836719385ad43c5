/**
 * What keyed sampling (`keyedSample.ts`) asks of one Parquet file beyond a sample of its rows: the
 * decoded values of a key column for every row, row group by row group, without making cells of
 * them; and the order the file declares (each row group's `sorting_columns`), checked against the
 * row groups' statistics, and whether those statistics keep the row groups apart in that order.
 */
import { parquetScan, type FileMetaData, type RowGroup, type SchemaTree } from 'hyparquet';
import { compressors } from './parquetCodecs';
import { parquetColumnType, RAW_TIME_PARSERS, toParquetColumn, withParquetFile } from './parquetReader';
import type { FileOrder, KeyColumn } from './samplingSource';

/**
 * Passes the decoded values of `column` to `each`, one row group at a time in file order (numbers
 * as the decoder made them, often a typed array; dates as `Date`s, as their cells are).
 */
export function readParquetKeyColumn(absPath: string, column: string, displayPath: string, each: (values: ArrayLike<unknown>, totalRows: number) => void): Promise<KeyColumn> {
  return withParquetFile(absPath, displayPath, async (file, metadata, fields) => {
    const totalRows = Number(metadata.num_rows);
    const fileColumns = fields.map((f) => f.element.name);
    const field = fields.find((f) => f.element.name === column);
    if (!field) return { totalRows, fileColumns };
    const { type, convert } = toParquetColumn(field);
    const scan = await parquetScan({ file, metadata, columns: [column], compressors, parsers: RAW_TIME_PARSERS });
    for (const range of scan.ranges) {
      const data = await scan.readColumn({ column, rowStart: range.rowStart, rowEnd: range.rowEnd });
      if (data.length < range.rowEnd - range.rowStart) throw new Error(`column ${column} has ${data.length} values where ${range.rowEnd - range.rowStart} were expected`);
      each(type === 'date' ? Array.from(data as ArrayLike<unknown>, convert) : data, totalRows);
    }
    return { totalRows, fileColumns, type };
  });
}

/** The order `absPath` declares, as far as it is the ascending `orderBy` order, and whether its statistics agree. */
export function parquetFileOrder(absPath: string, orderBy: readonly string[], displayPath: string): Promise<FileOrder> {
  return withParquetFile(absPath, displayPath, async (_file, metadata, fields) => {
    const totalRows = Number(metadata.num_rows);
    const fileColumns = fields.map((f) => f.element.name);
    const field = fields.find((f) => f.element.name === orderBy[0]);
    const apart = field && signedIntegers(field) ? groupsApart(metadata, orderBy[0]) : undefined;
    return { totalRows, fileColumns, ...declaredOrder(metadata, orderBy), ...(apart ? { groupsApart: apart } : {}) };
  });
}

/**
 * The row counts of the row groups when the statistics of column `first` put each row group's
 * values strictly after the values of the one before, with nulls in the last row group only:
 * every row of a row group then comes before every row of the next in `orderBy` order.
 */
function groupsApart(metadata: FileMetaData, first: string): number[] | undefined {
  const groups = metadata.row_groups;
  if (groups.length < 2) return undefined;
  let previousMax: number | undefined;
  for (const [g, group] of groups.entries()) {
    const stats = group.columns.find((c) => c.meta_data?.path_in_schema.join('.') === first)?.meta_data?.statistics;
    const rows = Number(group.num_rows);
    if (stats?.null_count === undefined || (stats.null_count > 0n && g < groups.length - 1)) return undefined;
    if (Number(stats.null_count) === rows) {
      if (g < groups.length - 1) return undefined;
      continue;
    }
    const min = comparable(stats.min_value ?? stats.min);
    const max = comparable(stats.max_value ?? stats.max);
    if (typeof min !== 'number' || typeof max !== 'number' || min > max) return undefined;
    if (previousMax !== undefined && !(previousMax < min)) return undefined;
    previousMax = max;
  }
  return groups.map((group) => Number(group.num_rows));
}

/**
 * Whether a column's cells are signed integers, as its statistics are: then the statistics order
 * row groups as cells are ordered. Dates and timestamps (cells truncated to milliseconds), floating
 * point (NaN may be left out of statistics, and is ordered last here), unsigned integers and text
 * (byte order, not UTF-16 order) are not trusted.
 */
function signedIntegers(field: SchemaTree): boolean {
  const el = field.element;
  if (parquetColumnType(field) !== 'integer' || el.converted_type?.startsWith('UINT')) return false;
  return !(el.logical_type?.type === 'INTEGER' && !el.logical_type.isSigned);
}
function declaredOrder(metadata: FileMetaData, orderBy: readonly string[]): Pick<FileOrder, 'declared' | 'contradiction'> {
  const groups = metadata.row_groups;
  if (orderBy.length === 0 || groups.length === 0) return { declared: false };
  const leafName = (group: RowGroup, idx: number) => group.columns[idx]?.meta_data?.path_in_schema.join('.');
  const chunkOf = (group: RowGroup, name: string) => group.columns.find((c) => c.meta_data?.path_in_schema.join('.') === name)?.meta_data;
  // Every row group sorted by the orderBy columns first, ascending, nulls last (or none).
  for (const group of groups) {
    const sorting = group.sorting_columns ?? [];
    if (sorting.length < orderBy.length) return { declared: false };
    for (let k = 0; k < orderBy.length; k++) {
      const sc = sorting[k];
      if (leafName(group, sc.column_idx) !== orderBy[k] || sc.descending) return { declared: false };
      if (sc.nulls_first && chunkOf(group, orderBy[k])?.statistics?.null_count !== 0n) return { declared: false };
    }
  }
  // The row groups in order of each other: the first column's ranges do not go back, nulls only at the end.
  const first = orderBy[0];
  let previousMax: number | string | undefined;
  let nullsSeen = false;
  for (const [g, group] of groups.entries()) {
    const chunk = chunkOf(group, first);
    const stats = chunk?.statistics;
    const rows = Number(group.num_rows);
    const nulls = stats?.null_count === undefined ? undefined : Number(stats.null_count);
    if (nulls === undefined) return { declared: true, contradiction: `row group ${g} has no null count for ${first}` };
    if (nulls === rows) {
      nullsSeen ||= rows > 0;
      continue;
    }
    const min = comparable(stats?.min_value ?? stats?.min);
    const max = comparable(stats?.max_value ?? stats?.max);
    if (min === undefined || max === undefined || typeof min !== typeof max) return { declared: true, contradiction: `row group ${g} has no usable min/max statistics for ${first}` };
    if (nullsSeen) return { declared: true, contradiction: `row group ${g} has values of ${first} after nulls` };
    if (min > max || (previousMax !== undefined && (typeof previousMax !== typeof min || previousMax > min))) {
      return { declared: true, contradiction: `the ${first} statistics of row group ${g} start before those of row group ${g - 1} end` };
    }
    previousMax = max;
    if (nulls > 0) nullsSeen = true;
  }
  return { declared: true };
}

/** A statistic as something `<` orders the way cells are ordered; undefined when it is not one. */
function comparable(v: unknown): number | string | undefined {
  if (typeof v === 'number') return Number.isNaN(v) ? undefined : v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.getTime();
  return undefined;
}
