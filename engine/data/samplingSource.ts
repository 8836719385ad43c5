/**
 * The faster ways into one file that keyed sampling (`keyedSample.ts`) uses where the format has
 * them (Parquet: `parquetKeys.ts`, offered by `readSnapshot.ts`'s `samplingSourceOf`).
 */
import type { ColumnType } from './table';

/** What a key column read whole gives besides its values. */
export interface KeyColumn {
  totalRows: number;
  fileColumns: string[];
  /** The column's type; undefined when the file has no such column (nothing was passed on). */
  type?: ColumnType;
}

/** The order a file declares (as far as it is the ascending `orderBy` order) and what its statistics show of it. */
export interface FileOrder {
  totalRows: number;
  fileColumns: string[];
  /** The file says it is sorted by the `orderBy` columns first (ascending, nulls last). */
  declared: boolean;
  /** When declared: what in the file's statistics says otherwise, if anything. */
  contradiction?: string;
  /**
   * The row counts of the row groups, when the statistics of the first `orderBy` column (signed
   * integers) put every row group strictly after the one before: the `orderBy` order is then each
   * row group's own order, one row group after another.
   */
  groupsApart?: number[];
}

/** Faster ways into one file for keyed sampling, where its format has them (Parquet). */
export interface SamplingSource {
  /** The decoded values of `column` for every row, in file order, chunk by chunk. */
  keyColumn(column: string, each: (values: ArrayLike<unknown>, totalRows: number) => void): Promise<KeyColumn>;
  fileOrder(orderBy: readonly string[]): Promise<FileOrder>;
}
