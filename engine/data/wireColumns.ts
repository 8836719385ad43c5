/**
 * Turns sampled columns into the form workers receive: numeric columns as Float64Array with a
 * null mask (cloned as one copy), other columns as plain arrays.
 */
import type { WireColumn } from '../exec/workerProtocol';
import type { CellValue, ColumnInfo } from './table';

export function wireColumns(columns: readonly ColumnInfo[], values: (name: string) => readonly CellValue[]): WireColumn[] {
  return columns.map((col) => {
    const column = values(col.name);
    const n = column.length;
    if (col.type === 'integer' || col.type === 'number') {
      const numbers = new Float64Array(n);
      const nulls = new Uint8Array(n);
      let numeric = true;
      for (let i = 0; i < n; i++) {
        const v = column[i];
        if (v === null || v === undefined) nulls[i] = 1;
        else if (typeof v === 'number') numbers[i] = v;
        else numeric = false;
      }
      if (numeric) return { name: col.name, numbers, nulls };
    }
    return { name: col.name, values: column as CellValue[] };
  });
}
