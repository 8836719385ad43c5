/**
 * Sampled snapshot columns kept between runs (engine/cache/sampleCache.ts): a real Parquet file read
 * through a real results cache directory; the snapshot's reader is wrapped only to count what it is
 * asked to read.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { ResultsCache } from '../../engine/cache/resultsCache';
import { readSampled } from '../../engine/cache/sampleCache';
import { forgetDerivedViews, sortedFiniteNumbers } from '../../engine/checks/values';
import { doubles } from '../../engine/data/cellValue';
import { readSnapshot } from '../../engine/data/readSnapshot';
import type { ResolvedSnapshot } from '../../engine/data/resolveSnapshot';
import type { ReadOptions } from '../../engine/data/table';

describe('sampled columns cache', () => {
  let dir: string;
  let file: string;
  const n = 3000;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fg-samples-'));
    file = join(dir, 's.parquet');
    writeFileSync(file, Buffer.from(parquetWriteBuffer({
      columnData: [
        { name: 'x', data: Array.from({ length: n }, (_, i) => i / 7), type: 'DOUBLE' },
        { name: 'seg', data: Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : `s${i % 3}`)), type: 'STRING' },
        { name: 'k', data: Array.from({ length: n }, (_, i) => (i % 11 === 0 ? null : i)), type: 'INT32' },
        { name: 'at', data: Array.from({ length: n }, (_, i) => new Date(Date.UTC(2026, 0, 1) + i * 1000)), type: 'TIMESTAMP' },
      ],
    })));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The file as a resolved snapshot whose reads are logged. */
  function counted(identity: string) {
    const reads: (string[] | undefined)[] = [];
    const resolved: ResolvedSnapshot = { identity, read: (o: ReadOptions) => (reads.push(o.columns), readSnapshot(file, o)) };
    return { resolved, reads };
  }
  const options = (columns?: string[]): ReadOptions => ({ sampleRows: 1000, seed: 4, ...(columns ? { columns } : {}) });
  const byName = (t: { columns: { name: string }[]; values: unknown[][] }) => Object.fromEntries(t.columns.map((c, k) => [c.name, t.values[k]]));

  it('reads a column from the snapshot once; afterwards from the cache, with the same values, types and rows', async () => {
    const cacheDir = join(dir, 'r1');
    const cache = new ResultsCache();
    cache.setDir(cacheDir);
    const direct = await readSnapshot(file, options(['x', 'seg', 'k']));
    const first = counted('id-1');
    const a = await readSampled(first.resolved, options(['x', 'seg']), 's.parquet', cache);
    assert.deepEqual(first.reads, [['x', 'seg']]);

    const second = counted('id-1');
    const b = await readSampled(second.resolved, options(['seg', 'x']), 's.parquet', cache);
    assert.deepEqual(second.reads, [], 'nothing read from the snapshot');
    assert.deepEqual(byName(b), byName(a));
    assert.deepEqual(b.columns.map((c) => [c.name, c.type]).sort(), [['seg', 'string'], ['x', 'number']]);
    assert.deepEqual(b.rowIndices, direct.rowIndices);
    assert.equal(b.totalRows, n);
    assert.deepEqual(b.fileColumns, ['x', 'seg', 'k', 'at']);

    // Only what the cache lacks is read; nulls come back as nulls.
    const third = counted('id-1');
    const c = await readSampled(third.resolved, options(['x', 'k', 'nope']), 's.parquet', cache);
    assert.deepEqual(third.reads, [['k']]);
    assert.deepEqual(byName(c).k, byName(direct).k);
    assert.ok((byName(c).k as unknown[]).includes(null));
  });

  it('a new identity or sample reads again; dates are never kept; a corrupt entry is read again', async () => {
    const cacheDir = join(dir, 'r2');
    const cache = new ResultsCache();
    cache.setDir(cacheDir);
    await readSampled(counted('id-2').resolved, options(['x', 'at']), 's.parquet', cache);
    const again = counted('id-2');
    const t = await readSampled(again.resolved, options(['x', 'at']), 's.parquet', cache);
    assert.deepEqual(again.reads, [['at']], 'a date column has no file form: read each time');
    assert.ok(byName(t).at.every((v) => v instanceof Date));

    const other = counted('id-2-touched');
    await readSampled(other.resolved, options(['x']), 's.parquet', cache);
    assert.deepEqual(other.reads, [['x']]);
    const seed = counted('id-2');
    await readSampled(seed.resolved, { ...options(['x']), seed: 5 }, 's.parquet', cache);
    assert.deepEqual(seed.reads, [['x']]);

    for (const f of readdirSync(cacheDir)) writeFileSync(join(cacheDir, f), 'garbage');
    const corrupt = counted('id-2');
    const fresh = await readSampled(corrupt.resolved, options(['x']), 's.parquet', cache);
    assert.equal(corrupt.reads.length, 1);
    assert.deepEqual(byName(fresh).x, byName(await readSnapshot(file, options(['x']))).x);
  });

  it("keeps a numeric column's sorted finite values once sorted, and reads them back instead of sorting again", async () => {
    const cacheDir = join(dir, 'r4');
    const cache = new ResultsCache();
    cache.setDir(cacheDir);
    const files = () => new Set(readdirSync(cacheDir));
    const first = byName(await readSampled(counted('id-4').resolved, options(['x', 'k', 'seg']), 's.parquet', cache));
    const before = files();
    const sorted = sortedFiniteNumbers(first.x);
    assert.deepEqual([...sorted], [...(first.x as number[])].sort((a, b) => a - b));
    const added = [...files()].filter((f) => !before.has(f));
    assert.equal(added.length, 1, 'one entry: the sorted values of x');
    assert.ok(added[0].startsWith('s-'));
    assert.equal(cache.getStoredNumbers(added[0])?.length, sorted.length);
    sortedFiniteNumbers(byName(await readSampled(counted('id-4').resolved, options(['seg']), 's.parquet', cache)).seg);
    assert.deepEqual(files(), new Set([...before, ...added]), 'nothing kept for a string column');

    // Read back, not sorted again: an entry replaced by other ascending values of the same count is what comes back.
    const other = Float64Array.from(sorted, (v) => v + 1000);
    cache.setStored(added[0], doubles(other));
    forgetDerivedViews();
    const again = byName(await readSampled(counted('id-4').resolved, options(['x']), 's.parquet', cache));
    assert.deepEqual([...sortedFiniteNumbers(again.x)], [...other]);

    // One of another count, or not ascending, is not this column's: sorted again and kept again.
    for (const wrong of [sorted.subarray(1), Float64Array.from(sorted).reverse()]) {
      cache.setStored(added[0], doubles(wrong));
      forgetDerivedViews();
      const x = byName(await readSampled(counted('id-4').resolved, options(['x']), 's.parquet', cache)).x;
      assert.deepEqual([...sortedFiniteNumbers(x)], [...sorted]);
      assert.deepEqual([...cache.getStoredNumbers(added[0])!], [...sorted]);
    }
    // A column with nulls keeps its finite values only.
    const k = byName(await readSampled(counted('id-4').resolved, options(['k']), 's.parquet', cache)).k as (number | null)[];
    assert.deepEqual([...sortedFiniteNumbers(k)], k.filter((v): v is number => v !== null).sort((a, b) => a - b));
  });

  it('without a cache (--no-cache) reads every time', async () => {
    const c = counted('id-3');
    await readSampled(c.resolved, options(['x']), 's.parquet', undefined);
    await readSampled(c.resolved, options(['x']), 's.parquet', undefined);
    assert.equal(c.reads.length, 2);
  });
});
