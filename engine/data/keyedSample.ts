/**
 * Samples that keep neighbours, for features that read other rows (SPEC §1): whole entities
 * (`sampleBy`), runs of consecutive rows (`sampleBlocks`), and the order rows reach batch and
 * vectorized functions in (`orderBy`, a stable sort of the sample, never of the file).
 *
 * The key columns are read first, every row of them; the rows to sample follow from them alone,
 * and the other columns are then read for those rows only (the readers skip row groups and pages
 * that hold none). Entities are chosen by a seeded hash of their value (`entitySample.ts`), and
 * blocks by position in `orderBy` order, so the same seed gives the same sample whatever the
 * file's row order or the way a dataset is split into parts (ties of `orderBy` keep the file's
 * order). Entities need only their own column: their rows are read once, with the `orderBy`
 * columns, and put in order after.
 *
 * A file that declares itself sorted in `orderBy` order (a Parquet file's `sorting_columns`, which
 * its row groups' statistics do not contradict) is trusted for blocks: they are runs of the file's
 * own rows, found without reading the key columns, as without `orderBy`. The rows read are checked
 * to be in order; when they are not, the blocks are chosen again without trusting it, and a note
 * says so. A Parquet file whose row groups the statistics of the first `orderBy` column (integers)
 * keep strictly apart has the key columns of only the row groups holding the blocks read: the
 * `orderBy` order is each row group's own order, one after another (`blockSample.ts`). The order
 * itself is `rowOrder.ts`'s.
 */
import { UserError } from '../errors';
import { blockRows, blocksInDeclaredOrder, blocksInGroupsApart } from './blockSample';
import { finishColumn, columnarTable, newColumn } from './cellValue';
import { EntityHashes } from './entitySample';
import { allRows, orderComparator, sortedRows } from './rowOrder';
import { sampleIndices } from './sample';
import type { SamplingSource } from './samplingSource';
import type { CellValue, ColumnInfo, ReadOptions, Sampling, SnapshotTable } from './table';

type Read = (options: ReadOptions) => Promise<SnapshotTable>;

/** The rows of a sampling: in the order they reach the functions, or ascending and still to be put in `orderBy` order. */
interface Selection {
  rows: number[];
  ordered: boolean;
  /** The key column's cells at `rows`, kept from choosing them (entities), with the file's columns in order. */
  key?: { column: ColumnInfo; values: CellValue[]; fileColumns: string[] };
  /** Unordered rows: their `orderBy` order, once a read has found it. */
  order?: number[];
}

/**
 * `read` with `options.sampling` honoured; options without it go straight to `read`. The rows a
 * sampling selects are computed once per (sampling, rows, seed) for the life of the result.
 */
export function withSampling(read: Read, display: string, source?: SamplingSource): Read {
  const selections = new Map<string, Promise<Selection>>();
  return async (options) => {
    const sampling = options.sampling;
    if (!sampling || !isKeyed(sampling)) return read(options);
    const id = JSON.stringify([sampling, options.sampleRows, options.seed]);
    let selection = selections.get(id);
    if (!selection) {
      selection = selectRows(read, sampling, options.sampleRows, options.seed, display, source);
      selection.catch(() => selections.delete(id));
      selections.set(id, selection);
    }
    const chosen = await selection;
    if (!chosen.ordered) return readInOrder(read, options, sampling.orderBy, chosen);
    const { rows } = chosen;
    const ascending = Array.from(Float64Array.from(rows).sort());
    const t = await read({ ...options, sampling: undefined, rowIndices: ascending });
    return reorder(t, rows, ascending);
  };
}

/**
 * The ascending rows of `selection` read with the `orderBy` columns (the key column taken from the
 * selection when it was kept), then put in `orderBy` order; the order is kept for later reads of
 * other columns, which then need not read the `orderBy` columns again.
 */
async function readInOrder(read: Read, options: ReadOptions, orderBy: string[], selection: Selection): Promise<SnapshotTable> {
  const { rows, key } = selection;
  const wanted = options.columns;
  const known = selection.order;
  let columns = wanted && !known ? [...new Set([...wanted, ...orderBy])] : wanted;
  if (key) columns = (columns ?? key.fileColumns).filter((c) => c !== key.column.name);
  let t = await read({ ...options, sampling: undefined, columns, rowIndices: rows });
  if (key && (!wanted || wanted.includes(key.column.name) || (!known && orderBy.includes(key.column.name)))) t = withColumn(t, key.column, key.values, key.fileColumns);
  let order = known;
  if (!order) {
    const column = (name: string) => t.values[t.columns.findIndex((c) => c.name === name)];
    const compare = orderComparator(orderBy.map(column));
    order = selection.order = compare ? sortedRows(allRows(rows.length), compare).map((j) => rows[j]) : rows;
  }
  return reorder(wanted ? project(t, new Set(wanted)) : t, order, rows);
}

/** `t` with one more column, at its place in `fileColumns`. */
function withColumn(t: SnapshotTable, column: ColumnInfo, values: CellValue[], fileColumns: string[]): SnapshotTable {
  const rank = fileColumns.indexOf(column.name);
  const at = t.columns.filter((c) => fileColumns.indexOf(c.name) < rank).length;
  const columns = [...t.columns.slice(0, at), column, ...t.columns.slice(at)];
  const all = [...t.values.slice(0, at), values, ...t.values.slice(at)];
  return columnarTable({ path: t.path, totalRows: t.totalRows, fileColumns: t.fileColumns, rowIndices: t.rowIndices, columns, values: all });
}

/** `t` with only the columns named in `keep`. */
function project(t: SnapshotTable, keep: ReadonlySet<string>): SnapshotTable {
  const at = t.columns.flatMap((c, i) => (keep.has(c.name) ? [i] : []));
  if (at.length === t.columns.length) return t;
  return columnarTable({ path: t.path, totalRows: t.totalRows, fileColumns: t.fileColumns, rowIndices: t.rowIndices, columns: at.map((i) => t.columns[i]), values: at.map((i) => t.values[i]) });
}

/** Whether the sampling changes anything (an empty `orderBy` alone does not). */
export function isKeyed(s: Sampling): boolean {
  return s.orderBy.length > 0 || s.sampleBy !== undefined || s.sampleBlocks !== undefined;
}

/** The file indices of the sampled rows. */
async function selectRows(read: Read, s: Sampling, sampleRows: number, seed: number, display: string, source?: SamplingSource): Promise<Selection> {
  const missingIn = (fileColumns: string[]) => (column: string, at: string) => {
    if (fileColumns.includes(column)) return;
    const list = fileColumns.length > 12 ? `${fileColumns.slice(0, 12).join(', ')}, …` : fileColumns.join(', ');
    throw new UserError(`${s.key}.${at}: "${column}" is not a column of ${display} (its columns: ${list})`);
  };
  const checkColumns = (fileColumns: string[]) => {
    const missing = missingIn(fileColumns);
    s.orderBy.forEach((c, i) => missing(c, `orderBy[${i}]`));
    if (s.sampleBy !== undefined) missing(s.sampleBy, 'sampleBy');
  };

  // Entities are chosen from their column alone; the order is then needed for their rows only.
  if (s.sampleBy !== undefined && !s.sampleBlocks) return entityRows(read, s.sampleBy, sampleRows, seed, checkColumns, source);
  if (s.sampleBlocks && s.orderBy.length > 0 && source) {
    const order = await source.fileOrder(s.orderBy);
    checkColumns(order.fileColumns);
    const blocks = (await blocksInDeclaredOrder(read, s, seed, display, order)) ?? (order.groupsApart && (await blocksInGroupsApart(read, s, seed, display, order.groupsApart)));
    if (blocks) return { rows: blocks, ordered: true };
  }

  const keyColumns = [...new Set([...s.orderBy, ...(s.sampleBy !== undefined ? [s.sampleBy] : [])])];
  const keys = await read({ sampleRows: 0, seed, columns: keyColumns });
  checkColumns(keys.fileColumns);
  const column = (name: string) => keys.values[keys.columns.findIndex((c) => c.name === name)];
  const n = keys.totalRows;
  const compare = orderComparator(s.orderBy.map(column));

  if (s.sampleBlocks) {
    const positions = blockRows(s, n, seed, display);
    // In file order a block's position is its rows' own (no index of every row).
    if (!compare) return { rows: positions, ordered: true };
    const sorted = sortedRows(allRows(n), compare);
    return { rows: positions.map((i) => sorted[i]), ordered: true };
  }
  const chosen = s.sampleBy !== undefined ? await entitiesOf(column(s.sampleBy), sampleRows, seed, read, s.sampleBy) : sampleIndices(n, sampleRows, seed);
  return { rows: compare ? sortedRows(chosen, compare) : chosen, ordered: true };
}

/**
 * The rows of whole entities of column `sampleBy`, ascending (`entitySample.ts`), with the key's
 * cells at those rows when the decoded column was kept (numbers in typed arrays).
 */
async function entityRows(read: Read, sampleBy: string, sampleRows: number, seed: number, checkColumns: (fileColumns: string[]) => void, source?: SamplingSource): Promise<Selection> {
  if (source) {
    const hashes = new EntityHashes(seed, 0, true);
    const key = await source.keyColumn(sampleBy, (values, totalRows) => hashes.add(values, totalRows));
    checkColumns(key.fileColumns);
    const rows = await hashes.choose(sampleRows, valuesOf(read, sampleBy, seed));
    const values = hashes.keptAt(rows);
    return { rows, ordered: false, ...(values && key.type ? { key: { column: { name: sampleBy, type: key.type }, values, fileColumns: key.fileColumns } } : {}) };
  }
  const keys = await read({ sampleRows: 0, seed, columns: [sampleBy] });
  checkColumns(keys.fileColumns);
  return { rows: await entitiesOf(keys.values[0], sampleRows, seed, read, sampleBy), ordered: false };
}

function entitiesOf(values: readonly CellValue[], sampleRows: number, seed: number, read: Read, sampleBy: string): Promise<number[]> {
  const hashes = new EntityHashes(seed, values.length);
  hashes.add(values);
  return hashes.choose(sampleRows, valuesOf(read, sampleBy, seed));
}

/** The cells of `sampleBy` at some rows. */
function valuesOf(read: Read, sampleBy: string, seed: number): (rows: number[]) => Promise<readonly unknown[]> {
  return async (rows) => (await read({ sampleRows: 0, seed, columns: [sampleBy], rowIndices: rows })).values[0];
}

/** The table read for `ascending` rows, put in `order` (the same rows). */
function reorder(t: SnapshotTable, order: number[], ascending: number[]): SnapshotTable {
  const position = new Map<number, number>();
  for (let i = 0; i < ascending.length; i++) position.set(ascending[i], i);
  const from = order.map((r) => position.get(r)!);
  const values = t.values.map((column) => {
    const out = newColumn(from.length);
    for (let i = 0; i < from.length; i++) out[i] = column[from[i]];
    return finishColumn(out);
  });
  return columnarTable({ path: t.path, totalRows: t.totalRows, columns: t.columns, fileColumns: t.fileColumns, values, rowIndices: order });
}
