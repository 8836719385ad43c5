/**
 * The sampled columns of a snapshot, kept beside the side results in `.git/featureguard/results/`
 * (same files, same size bound and least-recently-used pruning, see `resultsCache.ts`), so that a
 * second check of an unchanged snapshot decodes no Parquet or Arrow: a column of 100k doubles is
 * one 900 KB file read instead of pages to decompress and decode.
 *
 * Keyed by the snapshot's identity (path, size, mtime and a hash of both ends of the file; a remote
 * object's ETag/version; a dataset's parts) with the sample (rows, seed, and the sampling keys
 * `orderBy`/`sampleBy`/`sampleBlocks` when set) and `SAMPLE_FORMAT`,
 * bumped whenever the readers' conversion of cells changes. One entry per column, one for the
 * sample's shape (row count, the file's columns and their types, the sampled row indices). A column
 * whose values have no faithful file form (dates) is read from the snapshot each time.
 *
 * A numeric column's finite values sorted (the drift statistics sort every stored column, ~5 ms
 * per 100k values) are kept the same way, once some check has sorted them (`keepSortedViewIn`).
 */
import { keepSortedViewIn } from '../checks/values';
import type { ResolvedSnapshot } from '../data/resolveSnapshot';
import { columnarTable, doubles } from '../data/cellValue';
import type { CellValue, ColumnInfo, ReadOptions, SnapshotTable } from '../data/table';
import type { ResultsCache } from './resultsCache';
import { sideKey } from './resultsCache';

const SAMPLE_FORMAT = 1;

interface Shape {
  totalRows: number;
  fileColumns: string[];
}

/**
 * `resolved.read(options)` through the cache: the columns found there are not read from the
 * snapshot; the others are read (with the shape, when unknown) and kept.
 */
export async function readSampled(resolved: ResolvedSnapshot, options: ReadOptions, display: string, cache: ResultsCache | undefined): Promise<SnapshotTable> {
  if (!cache) return resolved.read(options);
  // `s-`: told apart from side results (bare hashes) by name.
  // The sampling keys (entities, blocks, order) choose other rows: a sample drawn without them is another sample.
  const sampling = options.sampling ? [options.sampling] : [];
  const key = (part: string) => `s-${sideKey(['sample', SAMPLE_FORMAT, resolved.identity, options.sampleRows, options.seed, ...sampling, part])}`;
  const keep = (t: SnapshotTable) => t.columns.forEach((c, k) => cache.setStored(key(`column:${c.name}`), t.values[k], [c.type]));
  const keepSortedViews = (columns: ColumnInfo[], values: readonly (readonly unknown[])[]) =>
    columns.forEach((c, k) => (c.type === 'number' || c.type === 'integer') && keepSorted(values[k], cache, key(`sorted:${c.name}`)));
  const shape = shapeOf(cache.getStored(key('shape')));
  const rows = shape && cache.getStored(key('rows'));
  if (!shape || !rows || !rows.values.every((i) => Number.isInteger(i))) {
    const t = await resolved.read(options);
    cache.setStored(key('shape'), [{ totalRows: t.totalRows, fileColumns: t.fileColumns } satisfies Shape]);
    cache.setStored(key('rows'), t.rowIndices);
    keep(t);
    keepSortedViews(t.columns, t.values);
    return t;
  }
  const known = new Set(shape.fileColumns);
  const wanted = [...new Set(options.columns ?? shape.fileColumns)].filter((c) => known.has(c));
  const found = new Map<string, { values: CellValue[]; type: ColumnInfo['type'] }>();
  for (const name of wanted) {
    const hit = cache.getStored(key(`column:${name}`));
    if (hit && hit.values.length === rows.values.length && typeof hit.extra[0] === 'string') found.set(name, { values: hit.values as CellValue[], type: hit.extra[0] as ColumnInfo['type'] });
  }
  const missing = wanted.filter((c) => !found.has(c));
  if (missing.length) {
    const t = await resolved.read({ ...options, columns: missing });
    keep(t);
    t.columns.forEach((c, k) => found.set(c.name, { values: t.values[k], type: c.type }));
  }
  const columns = wanted.filter((c) => found.has(c)).map((name) => ({ name, type: found.get(name)!.type }));
  keepSortedViews(columns, columns.map((c) => found.get(c.name)!.values));
  return columnarTable({ path: display, totalRows: shape.totalRows, columns, fileColumns: shape.fileColumns, values: columns.map((c) => found.get(c.name)!.values), rowIndices: rows.values as number[] });
}

/** A column's sorted finite numbers, kept in the cache under `key` (see `SortedViewStore`). */
function keepSorted(values: readonly unknown[], cache: ResultsCache, key: string): void {
  keepSortedViewIn(values, {
    load: () => {
      const sorted = cache.getStoredNumbers(key);
      if (!sorted) return undefined;
      // Finite and ascending, as it was kept: anything else is not used.
      for (let i = 0; i < sorted.length; i++) if (!Number.isFinite(sorted[i]) || (i > 0 && sorted[i] < sorted[i - 1])) return undefined;
      return sorted;
    },
    save: (sorted) => cache.setStored(key, doubles(sorted)),
  });
}

function shapeOf(entry: { values: unknown[] } | undefined): Shape | undefined {
  const s = entry?.values[0] as Partial<Shape> | undefined;
  return s && Number.isInteger(s.totalRows) && Array.isArray(s.fileColumns) && s.fileColumns.every((c) => typeof c === 'string') ? (s as Shape) : undefined;
}
