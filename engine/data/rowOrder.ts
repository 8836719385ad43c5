/**
 * The `orderBy` order of sampled rows (SPEC §1): rows compared column by column, numbers and dates
 * as doubles, nulls (and NaN) last, types apart (booleans, numbers, dates, text); a stable sort, so
 * ties keep the file's order.
 */
import type { CellValue } from './table';

export type Comparator = (a: number, b: number) => number;

/** Compares rows by the `orderBy` columns (nulls last); undefined when there are none. */
export function orderComparator(columns: readonly (readonly CellValue[])[]): Comparator | undefined {
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
export function sortedRows(rows: number[], compare: Comparator): number[] {
  let sorted = true;
  for (let i = 1; i < rows.length && sorted; i++) if (compare(rows[i - 1], rows[i]) > 0) sorted = false;
  if (sorted) return rows;
  return rows.slice().sort((a, b) => compare(a, b) || a - b);
}

export function allRows(n: number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}
