/**
 * Samples that keep neighbours (engine/data/keyedSample.ts, SPEC §1): whole entities (`sampleBy`),
 * runs of consecutive rows (`sampleBlocks`) and the `orderBy` order, read through
 * `resolveSnapshot` as the loader does from real Parquet files and partitioned folders written
 * here. The same seed must give the same rows in the same order whatever the file's row order and
 * however the dataset is split into parts.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { ResultsCache } from '../../engine/cache/resultsCache';
import { readSampled } from '../../engine/cache/sampleCache';
import { UserError } from '../../engine/errors';
import { resolveSnapshot } from '../../engine/data/resolveSnapshot';
import type { ReadOptions, Sampling, SnapshotTable } from '../../engine/data/table';
import { prng, shuffled } from '../helpers';
import { column, readUnder } from './readSampled';

interface Event {
  customer: string;
  ts: number;
  spend: number;
}

let root: string;

function writeEvents(file: string, events: Event[], rowGroupSize?: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const columnData = [
    { name: 'customer', type: 'STRING', data: events.map((e) => e.customer) },
    { name: 'ts', type: 'INT32', data: events.map((e) => e.ts) },
    { name: 'spend', type: 'DOUBLE', data: events.map((e) => e.spend) },
  ];
  fs.writeFileSync(file, Buffer.from(parquetWriteBuffer({ columnData, ...(rowGroupSize ? { rowGroupSize } : {}) } as Parameters<typeof parquetWriteBuffer>[0])));
}

/** 80 customers with 1 to 12 events each, sorted by customer and time. */
function events(): Event[] {
  const rand = prng(3);
  const out: Event[] = [];
  for (let c = 0; c < 80; c++) {
    const n = 1 + Math.floor(rand() * 12);
    for (let k = 0; k < n; k++) out.push({ customer: `c${String(c).padStart(2, '0')}`, ts: 1000 + k * 7 + c, spend: Math.round(rand() * 1000) / 10 });
  }
  return out;
}


function read(p: string, options: ReadOptions): Promise<SnapshotTable> {
  return readUnder(root, p, options);
}


/** The sample as "customer@ts" in the order it reaches the functions. */
function keys(t: SnapshotTable): string[] {
  const customers = column(t, 'customer');
  const ts = column(t, 'ts');
  return customers.map((c, i) => `${c}@${ts[i]}`);
}

async function rejects(promise: Promise<unknown>, expected: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof UserError, String(err));
    assert.equal(err.message, expected);
    return true;
  });
}

const BY_CUSTOMER: Sampling = { key: 'snapshots.events', orderBy: ['customer', 'ts'], sampleBy: 'customer' };

describe('sampling that keeps neighbours (orderBy, sampleBy, sampleBlocks)', () => {
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-keyed-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('sampleBy draws whole entities up to sampleRows, every row of each, sorted by orderBy', async () => {
    const all = events();
    writeEvents(path.join(root, 'sorted.parquet'), all, 50);
    const t = await read('sorted.parquet', { sampleRows: 120, seed: 7, sampling: BY_CUSTOMER });
    const sampled = keys(t);
    const customers = new Set(column(t, 'customer') as string[]);
    assert.ok(sampled.length <= 120 && sampled.length >= 90, `${sampled.length} rows`);
    assert.ok(customers.size >= 10 && customers.size < 80, `${customers.size} customers`);
    // Every row of each drawn customer, and nothing else.
    assert.deepEqual(sampled, all.filter((e) => customers.has(e.customer)).map((e) => `${e.customer}@${e.ts}`));
    // The spend column came along for exactly those rows.
    assert.deepEqual(column(t, 'spend'), all.filter((e) => customers.has(e.customer)).map((e) => e.spend));
    // Another seed draws other customers.
    const other = new Set(column(await read('sorted.parquet', { sampleRows: 120, seed: 8, sampling: BY_CUSTOMER }), 'customer') as string[]);
    assert.notDeepEqual([...other].sort(), [...customers].sort());
  });

  it('the same seed gives the same entities in the same order whatever the file order or the partitioning', async () => {
    const all = events();
    writeEvents(path.join(root, 'sorted.parquet'), all, 64);
    const mixed = shuffled(all, 11);
    writeEvents(path.join(root, 'shuffled.parquet'), mixed, 37);
    // A folder of three parts of another shuffle, and one split by customer.
    const mixed2 = shuffled(all, 12);
    const third = Math.ceil(mixed2.length / 3);
    for (let p = 0; p < 3; p++) writeEvents(path.join(root, `parts/part-${p}.parquet`), mixed2.slice(p * third, (p + 1) * third));
    writeEvents(path.join(root, 'bycustomer/part-a.parquet'), all.filter((e) => e.customer >= 'c40'));
    writeEvents(path.join(root, 'bycustomer/part-b.parquet'), all.filter((e) => e.customer < 'c40'));
    const expected = keys(await read('sorted.parquet', { sampleRows: 150, seed: 5, sampling: BY_CUSTOMER }));
    for (const p of ['shuffled.parquet', 'parts', 'bycustomer']) {
      const t = await read(p, { sampleRows: 150, seed: 5, sampling: BY_CUSTOMER });
      assert.deepEqual(keys(t), expected, p);
      // Other columns line up with the reordered rows.
      const bySample = new Map(all.map((e) => [`${e.customer}@${e.ts}`, e.spend]));
      assert.deepEqual(column(t, 'spend'), keys(t).map((k) => bySample.get(k)), p);
    }
  });

  it('orderBy alone sorts the usual sample (never the file), stably', async () => {
    const all = events();
    writeEvents(path.join(root, 'shuffled.parquet'), shuffled(all, 4));
    const plain = await read('shuffled.parquet', { sampleRows: 60, seed: 2 });
    const ordered = await read('shuffled.parquet', { sampleRows: 60, seed: 2, sampling: { key: 'snapshots.events', orderBy: ['ts'] } });
    assert.deepEqual([...keys(ordered)].sort(), [...keys(plain)].sort());
    const ts = column(ordered, 'ts') as number[];
    assert.deepEqual(ts, [...ts].sort((a, b) => a - b));
    // rowIndices name the file rows in sample order.
    const fileTs = column(await read('shuffled.parquet', { sampleRows: 0, seed: 0 }), 'ts');
    assert.deepEqual(ordered.rowIndices.map((r) => fileTs[r]), ts);
  });

  it('sampleBlocks draws runs of consecutive rows in orderBy order, the same whatever the file order or split', async () => {
    const series = Array.from({ length: 1000 }, (_, i) => ({ customer: 'x', ts: 5000 + i, spend: i % 17 }));
    writeEvents(path.join(root, 'series.parquet'), series, 100);
    const mixed = shuffled(series, 9);
    for (let p = 0; p < 4; p++) writeEvents(path.join(root, `series-parts/p${p}.parquet`), mixed.slice(p * 250, (p + 1) * 250));
    const sampling: Sampling = { key: 'snapshots.prices', orderBy: ['ts'], sampleBlocks: { blocks: 5, rows: 40, warmupRows: 10 } };
    const t = await read('series.parquet', { sampleRows: 10, seed: 3, sampling });
    const ts = column(t, 'ts') as number[];
    assert.equal(ts.length, 200);
    const starts = new Set<number>();
    for (let b = 0; b < 5; b++) {
      const block = ts.slice(b * 40, (b + 1) * 40);
      assert.deepEqual(block, block.map((_, i) => block[0] + i), `block ${b} is consecutive`);
      starts.add(block[0]);
    }
    assert.equal(starts.size, 5);
    assert.deepEqual(column(await read('series-parts', { sampleRows: 10, seed: 3, sampling }), 'ts'), ts);
    assert.notDeepEqual(column(await read('series.parquet', { sampleRows: 10, seed: 4, sampling }), 'ts'), ts);
  });

  it('the disk cache of sampled columns keeps samples of other sampling keys apart', async () => {
    const all = events();
    writeEvents(path.join(root, 'events.parquet'), shuffled(all, 6));
    const cache = new ResultsCache();
    cache.setDir(path.join(root, 'cache'));
    const resolved = await resolveSnapshot({ name: 's', path: 'events.parquet', absPath: path.join(root, 'events.parquet'), sampleRows: 100, seed: 1, sliceBy: [] }, root, 'events.parquet', {});
    const plain = keys(await readSampled(resolved, { sampleRows: 100, seed: 1 }, 'events.parquet', cache));
    const byCustomer = keys(await readSampled(resolved, { sampleRows: 100, seed: 1, sampling: BY_CUSTOMER }, 'events.parquet', cache));
    const blocks: Sampling = { ...BY_CUSTOMER, sampleBy: undefined, sampleBlocks: { blocks: 2, rows: 30, warmupRows: 0 } };
    const byBlocks = keys(await readSampled(resolved, { sampleRows: 100, seed: 1, sampling: blocks }, 'events.parquet', cache));
    assert.notDeepEqual(byCustomer, plain);
    assert.equal(byBlocks.length, 60);
    // Read back from the cache (a new cache over the same files), each is what a fresh read gives.
    const again = new ResultsCache();
    again.setDir(path.join(root, 'cache'));
    assert.deepEqual(keys(await readSampled(resolved, { sampleRows: 100, seed: 1, sampling: BY_CUSTOMER }, 'events.parquet', again)), byCustomer);
    assert.deepEqual(keys(await readSampled(resolved, { sampleRows: 100, seed: 1, sampling: blocks }, 'events.parquet', again)), byBlocks);
    assert.deepEqual(keys(await readSampled(resolved, { sampleRows: 100, seed: 1 }, 'events.parquet', again)), plain);
  });

  it('an unknown key column and blocks larger than the snapshot are one-line errors naming the key and the file', async () => {
    writeEvents(path.join(root, 'events.parquet'), events());
    await rejects(read('events.parquet', { sampleRows: 10, seed: 0, sampling: { key: 'snapshots.events', orderBy: ['customer', 'time'] } }), 'snapshots.events.orderBy[1]: "time" is not a column of events.parquet (its columns: customer, ts, spend)');
    await rejects(read('events.parquet', { sampleRows: 10, seed: 0, sampling: { key: 'snapshots.events', orderBy: [], sampleBy: 'client' } }), 'snapshots.events.sampleBy: "client" is not a column of events.parquet (its columns: customer, ts, spend)');
    const n = events().length;
    await rejects(read('events.parquet', { sampleRows: 10, seed: 0, sampling: { key: 'snapshots.events', orderBy: ['ts'], sampleBlocks: { blocks: 8, rows: 100, warmupRows: 0 } } }), `snapshots.events.sampleBlocks: 8 blocks of 100 rows need 800 rows; events.parquet has ${n}`);
  });
});
