/**
 * Hive-style partition folders (`region=eu/day=3/part-0.parquet`, as Spark, pandas
 * `to_parquet(partition_cols=…)`, dbt-duckdb and Feast's offline store write them) read as columns.
 * Values are URL-decoded (`%2F`, `%3D`, …) and `__HIVE_DEFAULT_PARTITION__` is null. A partition
 * column is `integer` (its values numbers) when every non-null value of it across the dataset is
 * an integer literal that a double holds exactly (`7`, `-12`, but not `007` or `1.5`); otherwise
 * it is a `string` column. A file outside some partition folder has null in that column.
 */
import type { CellValue, ColumnInfo } from './table';

const HIVE_NULL = '__HIVE_DEFAULT_PARTITION__';

/** The `key=value` folders of a dataset-relative path (the file name itself is not one). */
export function partitionSegments(relPath: string): [string, string | null][] {
  const segments = relPath.split('/').slice(0, -1);
  const out: [string, string | null][] = [];
  for (const segment of segments) {
    const eq = segment.indexOf('=');
    if (eq <= 0) continue;
    const key = decode(segment.slice(0, eq));
    const raw = decode(segment.slice(eq + 1));
    out.push([key, raw === HIVE_NULL || raw === '' ? null : raw]);
  }
  return out;
}

/**
 * The partition columns of a dataset's files (in the order they first appear) and each file's
 * values, typed per the rule above.
 */
export function hivePartitions(relPaths: readonly string[]): { columns: ColumnInfo[]; values: Record<string, CellValue>[] } {
  const raw = relPaths.map((p) => partitionSegments(p));
  const order: string[] = [];
  const integral = new Map<string, boolean>();
  for (const segments of raw) {
    for (const [key, value] of segments) {
      if (!integral.has(key)) {
        order.push(key);
        integral.set(key, true);
      }
      if (value !== null && !isIntegerLiteral(value)) integral.set(key, false);
    }
  }
  const columns: ColumnInfo[] = order.map((name) => ({ name, type: integral.get(name) ? 'integer' : 'string' }));
  const values = raw.map((segments) => {
    const row: Record<string, CellValue> = {};
    for (const [key, value] of segments) row[key] = value === null ? null : integral.get(key) ? Number(value) : value;
    return row;
  });
  return { columns, values };
}

function isIntegerLiteral(text: string): boolean {
  return /^-?(0|[1-9][0-9]*)$/.test(text) && Number.isSafeInteger(Number(text));
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
