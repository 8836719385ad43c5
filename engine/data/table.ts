/**
 * The in-memory form of a sampled feature-store snapshot that every reader produces and every
 * check consumes. Values follow SPEC §1: numbers (64-bit integers as numbers when exact), strings,
 * booleans, `null` for nulls, `Date` for timestamps.
 */

/** One cell as user feature code sees it. */
export type CellValue = number | string | boolean | null | Date;

/** A row as passed to a row feature function: every column as a property. */
export type Row = Record<string, CellValue>;

/**
 * The logical type of a stored column, used by `schema.type`. `integer` and `number` are both
 * numeric; they differ so that "integer vs fractional" can be reported.
 */
export type ColumnType = 'integer' | 'number' | 'string' | 'boolean' | 'date' | 'unknown';

export interface ColumnInfo {
  name: string;
  type: ColumnType;
}

/** A deterministic sample of a snapshot. `rows[i]` is row `rowIndices[i]` of the file. */
export interface SnapshotTable {
  /** The file it was read from, as given by the caller. */
  path: string;
  /** Rows in the whole file. */
  totalRows: number;
  columns: ColumnInfo[];
  /** Every column name in the file, read or not, in file order. */
  fileColumns: string[];
  /** The sampled values of each of `columns`, in the same order: what the engine reads. */
  values: CellValue[][];
  /** The same values as row objects, built on first access (for callers that want rows). */
  readonly rows: Row[];
  /** The original 0-based index of each sampled row, ascending. */
  rowIndices: number[];
}

export interface ReadOptions {
  /** Rows to sample; 0 means every row. */
  sampleRows: number;
  /** The same seed gives the same sample. */
  seed: number;
  /** Read only these columns when given (unknown names are ignored by the reader). */
  columns?: string[];
}
