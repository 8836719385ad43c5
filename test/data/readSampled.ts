/** Reading a snapshot file under a test's folder the way a check does, and picking a column of the result. */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { resolveSnapshot } from '../../engine/data/resolveSnapshot';
import type { CellValue, ReadOptions, SnapshotTable } from '../../engine/data/table';

/** `p` (relative to `root`) resolved as snapshot `s` and read with `options`. */
export async function readUnder(root: string, p: string, options: ReadOptions): Promise<SnapshotTable> {
  const resolved = await resolveSnapshot({ name: 's', path: p, absPath: path.resolve(root, p), sampleRows: options.sampleRows, seed: options.seed, sliceBy: [] }, root, p, {});
  return resolved.read(options);
}

export function column(t: SnapshotTable, name: string): CellValue[] {
  const i = t.columns.findIndex((c) => c.name === name);
  assert.ok(i >= 0, `no column ${name}`);
  return t.values[i];
}
