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
  /** The original 0-based index of each sampled row: ascending, except in the `orderBy` order of a `sampling`. */
  rowIndices: number[];
}

export interface ReadOptions {
  /** Rows to sample; 0 means every row. */
  sampleRows: number;
  /** The same seed gives the same sample. */
  seed: number;
  /** Read only these columns when given (unknown names are ignored by the reader). */
  columns?: string[];
  /**
   * Features that read other rows (SPEC §1): sample whole entities or runs of rows, in an order.
   * Handled around the readers (`keyedSample.ts`); part of every cache key of the sample.
   */
  sampling?: Sampling;
  /** Exactly these rows (ascending file indices) instead of a seeded sample: what `keyedSample.ts` asks readers for. */
  rowIndices?: number[];
}

/** The sampling keys of a snapshot (`orderBy`, `sampleBy`, `sampleBlocks`), with the key path messages name. */
export interface Sampling {
  /** `snapshots.NAME`, for messages. */
  key: string;
  orderBy: string[];
  sampleBy?: string;
  sampleBlocks?: { blocks: number; rows: number; warmupRows: number };
}
