/**
 * Turns whatever a format library hands back for one cell into a `CellValue` (SPEC §1): numbers,
 * strings, booleans, `Date`s and `null`, and makes the row objects the cells go into. Shared by
 * the Parquet and Arrow readers so that both formats give feature code the same JavaScript values
 * for the same data.
 */
import type { CellValue, ColumnInfo, Row } from './table';

/**
 * Creates one row object per sampled row with every column set to null, in column order. Filling
 * them in the same property order gives all rows one hidden class, and a sampled row that a file
 * somehow lacks still has every property.
 */
export function emptyRows(count: number, columns: readonly ColumnInfo[]): Row[] {
  const rows = new Array<Row>(count);
  for (let i = 0; i < count; i++) {
    const row: Row = {};
    for (const c of columns) row[c.name] = null;
    rows[i] = row;
  }
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
