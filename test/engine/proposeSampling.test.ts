/**
 * The `history.unreproduced` quick fix's proposal (engine/fixes/proposeSampling.ts): group and
 * sort columns found statically in TypeScript and pandas code, and the config edit that sets them
 * on the snapshot with the config's comments kept (and loads as a valid config).
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { applyEdits } from 'jsonc-parser';
import { parseConfig } from '../../engine/config/loadConfig';
import { groupAndSortColumns, proposeSampling, samplingEdits } from '../../engine/fixes/proposeSampling';
import type { TextEdit } from '../../engine/fixes/textEdit';
import { removeTempDirs, tempDir, writeFiles } from '../helpers';

const COLUMNS = ['customer_id', 'ts', 'spend', 'spend3'];

function offset(text: string, p: { line: number; column: number }): number {
  const lines = text.split('\n');
  let o = 0;
  for (let i = 0; i < p.line - 1; i++) o += lines[i].length + 1;
  return o + p.column - 1;
}

function apply(text: string, edits: TextEdit[]): string {
  return applyEdits(text, edits.map((e) => ({ offset: offset(text, e.start), length: offset(text, e.end) - offset(text, e.start), content: e.newText })));
}

describe('proposeSampling: the quick fix of history.unreproduced', () => {
  after(removeTempDirs);

  it('finds the group column of a TypeScript batch function that compares rows[j].customer_id with rows[i].customer_id, and a time-like order', () => {
    const code = `export function spend3(rows: Ev[]) {
  return rows.map((_, i) => {
    let sum = 0, n = 0;
    for (let j = i; j >= 0 && j > i - 3 && rows[j].customer_id === rows[i].customer_id; j--) { sum += rows[j].spend; n++; }
    return sum / n;
  });
}`;
    assert.deepEqual(groupAndSortColumns(code), { group: ['customer_id'], sort: [] });
    assert.deepEqual(proposeSampling(code, COLUMNS), { sampleBy: 'customer_id', orderBy: ['customer_id', 'ts'] });
    // A sort comparator names the order.
    const sorted = `${code}\nconst byTime = (a: Ev, b: Ev) => a.ts - b.ts;`;
    assert.deepEqual(groupAndSortColumns(sorted).sort, ['ts']);
  });

  it('finds pandas groupby and sort_values columns; only columns of the snapshot are proposed', () => {
    const code = `def spend3(df):
    df = df.sort_values(["customer_id", "ts"])
    return df.groupby("customer_id")["spend"].rolling(3).mean()
def other(df):
    return df.groupby(by=["region"]).spend.shift(1)`;
    assert.deepEqual(groupAndSortColumns(code), { group: ['customer_id', 'region'], sort: ['customer_id', 'ts'] });
    assert.deepEqual(proposeSampling(code, COLUMNS), { sampleBy: 'customer_id', orderBy: ['customer_id', 'ts'] });
    // One long series: an order and no entity.
    assert.deepEqual(proposeSampling('def ma(df):\n    return df.rolling("7d", on="ts")["price"].mean()', ['ts', 'price']), { orderBy: ['ts'] });
    // Nothing to go on: no proposal.
    assert.equal(proposeSampling('export function f(row) { return row.spend * 2; }', COLUMNS), undefined);
  });

  it('writes sampleBy and orderBy into the snapshot, keeping comments; the result loads', () => {
    const root = tempDir();
    writeFiles(root, { 'data/events.parquet': 'x' });
    const config = `{
  // the event store
  "snapshots": {
    "events": { "path": "data/events.parquet", "sampleRows": 2000 } // sampled
  },
  "features": { "spend3": { "source": "src/f.ts#spend3", "snapshot": "events", "kind": "batch" } }
}
`;
    const path = join(root, 'featureguard.json');
    const edits = samplingEdits(path, config, 'events', { sampleBy: 'customer_id', orderBy: ['customer_id', 'ts'] });
    assert.equal(edits.length, 1);
    const after = apply(config, edits);
    assert.ok(after.includes('// the event store') && after.includes('// sampled'), after);
    const loaded = parseConfig(after, path, root).snapshots.get('events')!;
    assert.deepEqual([loaded.sampleBy, loaded.orderBy, loaded.sampleRows], ['customer_id', ['customer_id', 'ts'], 2000]);
    // Already configured: nothing to edit.
    assert.deepEqual(samplingEdits(path, after, 'events', { sampleBy: 'customer_id', orderBy: ['customer_id', 'ts'] }), []);
  });
});
