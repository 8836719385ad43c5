/**
 * Samples that keep neighbours, for features that read other rows (SPEC §1): whole entities
 * (`sampleBy`), runs of consecutive rows (`sampleBlocks`), and the order rows reach batch and
 * vectorized functions in (`orderBy`, a stable sort of the sample, never of the file).
 *
 * The key columns are read first, every row of them; the rows to sample follow from them alone,
 * and the other columns are then read for those rows only (the readers skip row groups and pages
 * that hold none). Entities are chosen by a seeded hash of their value, and blocks by position in
 * `orderBy` order, so the same seed gives the same sample whatever the file's row order or the way
 * a dataset is split into parts (ties of `orderBy` keep the file's order).
 */
import { UserError } from '../errors';
import { finishColumn, columnarTable, newColumn } from './cellValue';
import { sampleIndices } from './sample';
import type { CellValue, ReadOptions, Sampling, SnapshotTable } from './table';

type Read = (options: ReadOptions) => Promise<SnapshotTable>;

/**
 * `read` with `options.sampling` honoured; options without it go straight to `read`. The rows a
 * sampling selects are computed once per (sampling, rows, seed) for the life of the result.
 */
export function withSampling(read: Read, display: string): Read {
  const selections = new Map<string, Promise<number[]>>();
  return async (options) => {
    const sampling = options.sampling;
    if (!sampling || !isKeyed(sampling)) return read(options);
    const id = JSON.stringify([sampling, options.sampleRows, options.seed]);
    let order = selections.get(id);
    if (!order) {
      order = selectRows(read, sampling, options.sampleRows, options.seed, display);
      order.catch(() => selections.delete(id));
      selections.set(id, order);
    }
    const rows = await order;
    const ascending = Array.from(Float64Array.from(rows).sort());
    const t = await read({ ...options, sampling: undefined, rowIndices: ascending });
    return reorder(t, rows, ascending);
  };
}

/** Whether the sampling changes anything (an empty `orderBy` alone does not). */
export function isKeyed(s: Sampling): boolean {
  return s.orderBy.length > 0 || s.sampleBy !== undefined || s.sampleBlocks !== undefined;
}

/** The file indices of the sampled rows, in the order they reach the feature functions. */
async function selectRows(read: Read, s: Sampling, sampleRows: number, seed: number, display: string): Promise<number[]> {
  // Entities are chosen from their column alone; the order is then needed for their rows only,
  // so `orderBy` is read for every row only when it decides the sample (blocks, or no sampleBy).
  const byEntity = s.sampleBy !== undefined && !s.sampleBlocks;
  const keyColumns = byEntity ? [s.sampleBy!] : [...new Set([...s.orderBy, ...(s.sampleBy !== undefined ? [s.sampleBy] : [])])];
  const keys = await read({ sampleRows: 0, seed, columns: keyColumns });
  const known = new Set(keys.fileColumns);
  const missing = (column: string, at: string) => {
    if (known.has(column)) return;
    const list = keys.fileColumns.length > 12 ? `${keys.fileColumns.slice(0, 12).join(', ')}, …` : keys.fileColumns.join(', ');
    throw new UserError(`${s.key}.${at}: "${column}" is not a column of ${display} (its columns: ${list})`);
  };
  s.orderBy.forEach((c, i) => missing(c, `orderBy[${i}]`));
  if (s.sampleBy !== undefined) missing(s.sampleBy, 'sampleBy');
  const column = (name: string) => keys.values[keys.columns.findIndex((c) => c.name === name)];
  const n = keys.totalRows;
  if (byEntity) {
    const chosen = entityRows(column(s.sampleBy!), sampleRows, seed);
    if (s.orderBy.length === 0 || chosen.length === 0) return chosen;
    // The order columns of the chosen rows only (ascending, as the readers return them): rows
    // compared by their position in `chosen`, ties kept in file order, as below.
    const own = await read({ sampleRows: 0, seed, columns: [...new Set(s.orderBy)], rowIndices: chosen });
    const ownColumn = (name: string) => own.values[own.columns.findIndex((c) => c.name === name)];
    return sortedRows(allRows(chosen.length), orderComparator(s.orderBy.map(ownColumn))!).map((j) => chosen[j]);
  }
  const compare = orderComparator(s.orderBy.map(column));

  if (s.sampleBlocks) {
    const { blocks, rows } = s.sampleBlocks;
    const slots = Math.floor(n / rows);
    if (blocks > slots) {
      throw new UserError(`${s.key}.sampleBlocks: ${blocks} blocks of ${rows} rows need ${blocks * rows} rows; ${display} has ${n}`);
    }
    const sorted = compare ? sortedRows(allRows(n), compare) : allRows(n);
    const out: number[] = [];
    // Blocks sit on whole slots of `rows` rows: they never overlap and are all `rows` long, so a
    // sample row's place in its block is its index modulo `rows` (what the warm-up relies on).
    for (const slot of sampleIndices(slots, blocks, seed)) for (let i = slot * rows; i < slot * rows + rows; i++) out.push(sorted[i]);
    return out;
  }
  const chosen = s.sampleBy !== undefined ? entityRows(column(s.sampleBy), sampleRows, seed) : sampleIndices(n, sampleRows, seed);
  return compare ? sortedRows(chosen, compare) : chosen;
}

/**
 * The rows of whole entities, ascending: entities in the order of a seeded hash of their value,
 * taken while their rows fit in `sampleRows` (0: every entity; the first is taken whatever its size).
 */
function entityRows(values: readonly CellValue[], sampleRows: number, seed: number): number[] {
  // Numbers (the usual entity ids) are looked up as numbers, and a row with the same value as the
  // row before it (a file sorted by entity) is not looked up at all: the name (and so the hash)
  // is made once per entity, not once per row (10M rows: seconds of string building).
  const numberIds = new Map<number, number>();
  const otherIds = new Map<string, number>();
  const entityOf = new Int32Array(values.length);
  const counts: number[] = [];
  const names: string[] = [];
  const fresh = (name: string) => {
    names.push(name);
    counts.push(0);
    return names.length - 1;
  };
  let previous: CellValue | undefined;
  let id = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i === 0 || v !== previous || typeof v !== 'number') {
      if (typeof v === 'number') {
        const known = numberIds.get(v);
        if (known === undefined) numberIds.set(v, (id = fresh(entityName(v))));
        else id = known;
      } else {
        const name = entityName(v);
        const known = otherIds.get(name);
        if (known === undefined) otherIds.set(name, (id = fresh(name)));
        else id = known;
      }
      previous = v;
    }
    counts[id]++;
    entityOf[i] = id;
  }
  const take = new Uint8Array(names.length);
  if (!(sampleRows > 0)) take.fill(1);
  else {
    const hashes = names.map((name) => seededHash(name, seed));
    const byHash = entitiesByHash(hashes, names);
    let total = 0;
    for (const id of byHash) {
      if (total > 0 && total + counts[id] > sampleRows) break;
      take[id] = 1;
      total += counts[id];
    }
  }
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) if (take[entityOf[i]]) out.push(i);
  return out;
}

/**
 * Entity ids by their hash, ties (two names with one 32-bit hash) by name: a numeric sort of
 * hash × 2^21 + id (exact in a double up to 2M entities; a comparator sort beyond), then each run
 * of equal hashes put in name order — the same order as comparing hash, then name, several times
 * faster on a million entities.
 */
function entitiesByHash(hashes: readonly number[], names: readonly string[]): number[] {
  const n = hashes.length;
  const byName = (a: number, b: number) => hashes[a] - hashes[b] || (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : 0);
  if (n > 2 ** 21) return allRows(n).sort(byName);
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = hashes[i] * 2 ** 21 + i;
  keys.sort();
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = keys[i] % 2 ** 21;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && hashes[out[end]] === hashes[out[start]]) end++;
    if (end - start > 1) out.splice(start, end - start, ...out.slice(start, end).sort(byName));
    start = end;
  }
  return out;
}

/** An entity's value as a key: types kept apart (1 and "1" are two entities). */
function entityName(v: CellValue): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof Date) return `d${v.getTime()}`;
  return `${typeof v === 'number' ? 'n' : typeof v === 'string' ? 's' : 'b'}${String(v)}`;
}

/** FNV-1a over the UTF-16 code units, seeded, with a final avalanche (murmur3's fmix32). */
function seededHash(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ Math.imul(Math.trunc(seed) | 0, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

type Comparator = (a: number, b: number) => number;

/** Compares rows by the `orderBy` columns (nulls last); undefined when there are none. */
function orderComparator(columns: readonly (readonly CellValue[])[]): Comparator | undefined {
  if (columns.length === 0) return undefined;
  const keyed = columns.map(sortKeys);
  return (a, b) => {
    for (const k of keyed) {
      const c = k(a, b);
      if (c !== 0) return c;
    }
    return 0;
  };
}

/** One column's comparison: over doubles when it holds only numbers and dates (the common case). */
function sortKeys(values: readonly CellValue[]): Comparator {
  const numeric = new Float64Array(values.length);
  let plain = true;
  for (let i = 0; i < values.length && plain; i++) {
    const v = values[i];
    if (typeof v === 'number' && !Number.isNaN(v)) numeric[i] = v;
    else if (v instanceof Date) numeric[i] = v.getTime();
    else plain = false;
  }
  if (plain) return (a, b) => numeric[a] - numeric[b];
  return (a, b) => compareCells(values[a], values[b]);
}

const TYPE_RANK: Record<string, number> = { boolean: 0, number: 1, date: 2, string: 3 };

function compareCells(a: CellValue, b: CellValue): number {
  const absentA = a === null || a === undefined || (typeof a === 'number' && Number.isNaN(a));
  const absentB = b === null || b === undefined || (typeof b === 'number' && Number.isNaN(b));
  if (absentA || absentB) return absentA === absentB ? 0 : absentA ? 1 : -1;
  const ta = a instanceof Date ? 'date' : typeof a;
  const tb = b instanceof Date ? 'date' : typeof b;
  if (ta !== tb) return TYPE_RANK[ta] - TYPE_RANK[tb];
  const x = a instanceof Date ? a.getTime() : (a as number | string | boolean);
  const y = b instanceof Date ? b.getTime() : (b as number | string | boolean);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** `rows` (ascending) stably sorted: ties keep file order. Already sorted rows cost one pass. */
function sortedRows(rows: number[], compare: Comparator): number[] {
  let sorted = true;
  for (let i = 1; i < rows.length && sorted; i++) if (compare(rows[i - 1], rows[i]) > 0) sorted = false;
  if (sorted) return rows;
  return rows.slice().sort((a, b) => compare(a, b) || a - b);
}

function allRows(n: number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
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
