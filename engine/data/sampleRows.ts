/**
 * The sampled rows as the checks read them: by column, with a single row built only when a
 * finding shows it as an example. A check over 100k rows needs whole columns (the stored values,
 * a slice column, the inputs' nulls) and at most a handful of rows; building 100k row objects per
 * feature for that cost more than the statistics themselves.
 */
import type { CellValue, ColumnInfo, Row } from './table';

export interface SampleRows {
  /** Sampled rows. */
  readonly length: number;
  /** The columns read for these rows, in file order. */
  readonly columns: readonly ColumnInfo[];
  /** Row `i` with every read column as a property (built on each call: for examples only). */
  at(i: number): Row;
  /** One column's values, null for nulls; undefined when the column was not read. */
  column(name: string): readonly CellValue[] | undefined;
}

/** Rows over columns already held in memory (the snapshot loader's column store). */
export function rowsFromColumns(length: number, columns: readonly ColumnInfo[], values: (name: string) => readonly CellValue[] | undefined): SampleRows {
  const names = new Set(columns.map((c) => c.name));
  return {
    length,
    columns,
    at(i) {
      const row: Row = {};
      for (const c of columns) row[c.name] = values(c.name)?.[i] ?? null;
      return row;
    },
    column: (name) => (names.has(name) ? values(name) : undefined),
  };
}

/** Rows over row objects (a reader's table, inline test data); each column is extracted once. */
export function rowsFromObjects(rows: readonly Row[], columns: readonly ColumnInfo[]): SampleRows {
  const extracted = new Map<string, CellValue[]>();
  return {
    ...rowsFromColumns(rows.length, columns, (name) => {
      let values = extracted.get(name);
      if (!values) extracted.set(name, (values = rows.map((r) => r[name] ?? null)));
      return values;
    }),
    at: (i) => rows[i],
  };
}
