/**
 * Writes real snapshot files for end-to-end tests: Parquet with hyparquet-writer, Arrow IPC with
 * apache-arrow, CSV by hand. Column types are inferred from the values (null allowed anywhere).
 */
import { Bool, Float64, Int32, Table, Utf8, tableToIPC, vectorFromArray, type Vector } from 'apache-arrow';
import { parquetWriteBuffer } from 'hyparquet-writer';

export type SnapshotRows = Record<string, number | string | boolean | null>[];

type Kind = 'INT32' | 'DOUBLE' | 'STRING' | 'BOOLEAN';

function kindOf(rows: SnapshotRows, name: string): Kind {
  let kind: Kind = 'INT32';
  for (const r of rows) {
    const v = r[name];
    if (v === null || v === undefined) continue;
    if (typeof v === 'string') return 'STRING';
    if (typeof v === 'boolean') return 'BOOLEAN';
    if (!Number.isInteger(v)) kind = 'DOUBLE';
  }
  return kind;
}

export function parquetBytes(rows: SnapshotRows): Uint8Array {
  const names = Object.keys(rows[0]);
  const columnData = names.map((name) => ({ name, type: kindOf(rows, name), data: rows.map((r) => r[name] ?? null) }));
  return new Uint8Array(parquetWriteBuffer({ columnData } as Parameters<typeof parquetWriteBuffer>[0]));
}

export function arrowBytes(rows: SnapshotRows, format: 'file' | 'stream' = 'file'): Uint8Array {
  const names = Object.keys(rows[0]);
  const types = { INT32: new Int32(), DOUBLE: new Float64(), STRING: new Utf8(), BOOLEAN: new Bool() };
  const columns: Record<string, Vector> = {};
  for (const name of names) columns[name] = vectorFromArray(rows.map((r) => r[name] ?? null) as never[], types[kindOf(rows, name)] as never) as Vector;
  return tableToIPC(new Table(columns), format);
}

export function csvText(rows: SnapshotRows): string {
  const names = Object.keys(rows[0]);
  const cell = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'string' && /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v));
  return [names.join(','), ...rows.map((r) => names.map((n) => cell(r[n])).join(','))].join('\n') + '\n';
}

export { prng } from '../helpers';
