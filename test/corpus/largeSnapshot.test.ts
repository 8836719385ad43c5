/**
 * Bad-input corpus: a 10M-row snapshot sampled to 10k rows. Memory must be bounded by the sample,
 * not the file: the CLI runs with a 200 MB heap, which reading every row would exceed.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import { makeRepo, removeTempDirs, runCli, runJson, writeFiles } from '../helpers';

describe('corpus: a 10M-row snapshot', function () {
  this.timeout(180000);
  after(removeTempDirs);

  it('is sampled within a 200 MB heap, and the edit is checked', () => {
    const root = makeRepo({
      'src/f.ts': 'export function twice(row: { a: number }) { return row.a * 2; }\n',
      'featureguard.json': JSON.stringify({ snapshots: { big: { path: 'data/big.parquet', sampleRows: 10000, seed: 1 } }, features: { twice: { source: 'src/f.ts#twice', snapshot: 'big' } } }),
    });
    writeFiles(root, { 'data/.keep': '' });
    const n = 10_000_000;
    const a = new Int32Array(n);
    const stored = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      a[i] = (i * 7919) % 1000;
      stored[i] = a[i] * 2;
    }
    parquetWriteFile({ filename: join(root, 'data', 'big.parquet'), columnData: [{ name: 'a', data: a, type: 'INT32' }, { name: 'twice', data: stored, type: 'INT32' }], rowGroupSize: 1_000_000 } as Parameters<typeof parquetWriteFile>[0]);
    writeFiles(root, { 'src/f.ts': 'export function twice(row: { a: number }) { return row.a * 2 + 1; }\n' });
    const bounded = runCli(root, ['check', '--format', 'json'], { NODE_OPTIONS: '--max-old-space-size=200' });
    assert.equal(bounded.code, 1, bounded.stderr);
    const report = JSON.parse(bounded.stdout);
    assert.equal(report.summary.rowsSampled, 10000);
    assert.equal(report.features[0].verdict, 'changed');
    assert.equal(report.features[0].change.kind, 'affine');
    assert.equal(runJson(root, ['check']).report.features[0].metrics.rows, 10000);
  });
});
