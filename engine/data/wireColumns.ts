/**
 * Turns a sampled table into the columnar form workers receive: numeric columns as Float64Array
 * with a null mask (cloned as one copy), other columns as plain arrays.
 */
import type { WireColumn } from '../exec/workerProtocol';
import type { SnapshotTable } from './table';

export function wireColumns(table: SnapshotTable): WireColumn[] {
  return table.columns.map((col) => {
    const n = table.rows.length;
    if (col.type === 'integer' || col.type === 'number') {
      const numbers = new Float64Array(n);
      const nulls = new Uint8Array(n);
      let numeric = true;
      for (let i = 0; i < n; i++) {
        const v = table.rows[i][col.name];
        if (v === null || v === undefined) nulls[i] = 1;
        else if (typeof v === 'number') numbers[i] = v;
        else numeric = false;
      }
      if (numeric) return { name: col.name, numbers, nulls };
    }
    return { name: col.name, values: table.rows.map((r) => r[col.name] ?? null) };
  });
}
