/**
 * Turns whatever a format library hands back for one cell into a `CellValue` (SPEC §1): numbers,
 * strings, booleans, `Date`s and `null`, and makes the row objects the cells go into. Shared by
 * the Parquet and Arrow readers so that both formats give feature code the same JavaScript values
 * for the same data.
 */
import type { CellValue, ColumnInfo, ColumnType, Row, SnapshotTable } from './table';

/** A table over the columns a reader produced; its row objects are built only if someone asks. */
export function columnarTable(t: Omit<SnapshotTable, 'rows'>): SnapshotTable {
  let rows: Row[] | undefined;
  return {
    ...t,
    get rows() {
      if (!rows) {
        rows = emptyRows(t.rowIndices.length, t.columns);
        t.columns.forEach((c, k) => {
          const values = t.values[k];
          for (let i = 0; i < values.length; i++) rows![i][c.name] = values[i];
        });
      }
      return rows;
    },
  };
}

/**
 * A column of `count` sampled rows before the reader fills it. It starts empty rather than filled
 * with nulls: an array that has held a null stores every number as a separate heap object, while a
 * column of numbers only is kept as raw doubles (eight bytes a value, nothing to collect).
 *
 * V8 also gives an array the element kind that earlier arrays made at the same place in the code
 * ended with (allocation-site pretransitioning): once a string column has been made here, every
 * later column made here would hold its numbers boxed (24 bytes a value). Numeric columns are
 * therefore made at a place of their own, and `finishColumn` copies an all-number column once more
 * at a place that only ever holds numbers.
 */
export function newColumn(count: number, type?: ColumnType): CellValue[] {
  return type === 'integer' || type === 'number' ? numericColumn(count) : new Array<CellValue>(count);
}

function numericColumn(count: number): CellValue[] {
  return new Array<CellValue>(count);
}

/**
 * Turns the rows a reader left unset into nulls; returns the column. A column of numbers only is
 * returned as an array of raw doubles: V8 remembers, per place an array is created, the most
 * general kind of element any array made there ever held, so once a string or null column was
 * read, every number column made by `newColumn` would store its numbers as separate heap objects
 * (measured: 50 such columns of 100k rows were most of a check's 1.5 s of garbage collection).
 */
export function finishColumn(values: CellValue[]): CellValue[] {
  let numbers = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === undefined) values[i] = null;
    if (typeof v !== 'number') numbers = false;
  }
  return numbers && values.length > 0 ? doubles(values as number[]) : values;
}

/**
 * A packed array of doubles at least as long as the longest `doubles` made so far: its start,
 * sliced, is a new packed double array. Growing it by `push` costs once what `push` would cost
 * every time (3 ms at 100k values); `releaseDoublesTemplate` drops it after a check.
 */
let template: number[] = [0.5];

/** Drops the template (8 MB after a million-row column), as a check's end drops its sort scratch. */
export function releaseDoublesTemplate(): void {
  template = [0.5];
}

/**
 * An array of raw doubles with these numbers, whatever the kind of array they come in: made here,
 * where nothing but numbers is ever stored into a new array. It is a *packed* double array, the
 * start of `template` sliced and overwritten. Not `new Array(length)` or a stretched `length`,
 * which make a holey array: every read of a holey array may find a hole, so optimized code boxes
 * each double it reads into a new heap number — the statistics' passes over 100k-value arrays made
 * ~50 MB of garbage a feature that way (166 scavenges for 50 features' statistics, 68 with packed
 * arrays). Not `concat` either: apache-arrow marks its vectors `Symbol.isConcatSpreadable`, which
 * turns off V8's fast `concat` for every array in the process (134 ms for 100k values, not 0.9).
 * test/engine/packedDoubles.test.ts checks the kind in a process that has loaded the engine.
 */
export function doubles(numbers: ArrayLike<number>): number[] {
  const n = numbers.length;
  while (template.length < n) template.push(0.5);
  const out = template.slice(0, n);
  for (let i = 0; i < n; i++) out[i] = numbers[i];
  Object.defineProperty(out, OWN_MAP, { value: true });
  madeByDoubles.add(out);
  return out;
}

/**
 * A hidden property every array `doubles` makes carries, so that its map (V8's hidden class) is
 * not a plain array's. Optimized code that reads plain arrays of several element kinds (strings
 * of a categorical feature, numbers with nulls) moves each plain double array it reads to the
 * general kind, every number then boxed in a heap object of its own (a million values: 10 MB
 * before, 26 after); V8 only moves an array to a map of its own transition tree, and an array with
 * an own property is in another one. A workspace with categorical features had every numeric
 * feature's arrays moved so (test/engine/packedDoubles.test.ts fails without this). Non-enumerable
 * and a symbol: JSON, the IPC and `Object.keys` do not see it. The checks' loops over such arrays
 * are engine/checks/doubleLoops.ts.
 */
const OWN_MAP = Symbol('doubles');

/** The arrays `doubles` made: numbers only, and (like every values array) never modified. */
const madeByDoubles = new WeakSet<readonly unknown[]>();

/**
 * Whether `values` came from `doubles` (numbers only), known without reading an element. Code that
 * reads arrays of several element kinds in one optimized function makes V8 move a double array to
 * the general kind on the spot — every number boxed into a heap object of its own (measured: the
 * results cache's encoder, fed sampled columns of numbers and of strings, turned 50 stored columns
 * of 100k doubles into boxed arrays, 1.1 s more of garbage collection in a cold check). With this
 * such code can copy a double array by a built-in (`Float64Array.prototype.set`) instead.
 */
export function isDoubles(values: readonly unknown[]): values is number[] {
  return madeByDoubles.has(values);
}

/**
 * Creates one row object per sampled row with every column set to null, in column order, so a
 * sampled row that a file somehow lacks still has every property. A generated constructor sets
 * them all at once: rows get V8's in-object layout instead of growing a property store column by
 * column, which on wide snapshots (50+ columns, 100k rows) is the difference between milliseconds
 * and seconds of garbage collection. The rows remain plain objects (`Object.prototype`).
 */
export function emptyRows(count: number, columns: readonly ColumnInfo[]): Row[] {
  const body = columns.map((c) => `this[${JSON.stringify(c.name)}] = null;`).join('\n');
  const EmptyRow = new Function(body) as unknown as new () => Row;
  EmptyRow.prototype = Object.prototype;
  const rows = new Array<Row>(count);
  for (let i = 0; i < count; i++) rows[i] = new EmptyRow();
  return rows;
}

/**
 * Converts a cell of any shape. 64-bit integers become numbers; beyond 2^53 that rounds to the
 * nearest double, which the spec accepts ("as numbers when exact") rather than passing a `bigint`
 * that most feature code could not do arithmetic with. Binary becomes lowercase hex, and nested
 * values (lists, structs, JSON) become their JSON text, since feature code only sees scalars.
 */
export function toCellValue(value: unknown): CellValue {
  switch (typeof value) {
    case 'number':
    case 'string':
    case 'boolean':
      return value;
    case 'bigint':
      return Number(value);
    case 'undefined':
      return null;
    case 'object':
      if (value === null) return null;
      if (value instanceof Date) return value;
      if (value instanceof Uint8Array) return bytesToHex(value);
      return nestedToJson(value);
    default:
      return String(value);
  }
}

function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/**
 * JSON text of a nested value. `bigint`s are written as numbers and binary as hex so that
 * `JSON.stringify` cannot throw on them; objects with their own `toJSON` (Arrow rows and vectors)
 * are serialized through it.
 */
function nestedToJson(value: object): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === 'bigint') return Number(v);
      if (v instanceof Uint8Array) return bytesToHex(v);
      return v;
    });
  } catch {
    return String(value);
  }
}
