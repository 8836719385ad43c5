/**
 * The Parquet ways into keyed sampling (engine/data/parquetKeys.ts): the `sampleBy` column hashed
 * as hyparquet decodes it must draw the same entities as the cells of any other reading path (a
 * folder of parts is read cell by cell), for numeric, 64-bit, nullable and text ids; and a file
 * that declares its order (`sorting_columns`) gives blocks from the row groups that hold them only,
 * the same rows as an undeclared copy, unless it contradicts its declaration — then the blocks come
 * from every row, and a note names the file. Row groups read are counted from the reads of the
 * process's file handles, mapped onto the column chunks of the file's footer.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parquetMetadata } from 'hyparquet';
import { ByteWriter, ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';
import { resolveSnapshot } from '../../engine/data/resolveSnapshot';
import { EntityHashes } from '../../engine/data/entitySample';
import { nativeFallbacks } from '../../engine/nativeFallbacks';
import type { CellValue, ReadOptions, Sampling, SnapshotTable } from '../../engine/data/table';
import { prng, shuffled } from '../helpers';
import { column, readUnder } from './readSampled';

type ColumnData = { name: string; type: string; data: ArrayLike<unknown>; nullable?: boolean }[];

let root: string;

/** Writes a Parquet file; `sortedBy` (leaf column indices) is declared in every row group's sorting_columns. */
function writeParquet(file: string, columnData: ColumnData, rowGroupSize: number, sortedBy?: number[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const writer = new ByteWriter();
  const schema = schemaFromColumnData({ columnData } as Parameters<typeof schemaFromColumnData>[0]);
  const pq = new ParquetWriter({ writer, schema });
  pq.write({ columnData: columnData.map(({ name, data }) => ({ name, data })), rowGroupSize } as Parameters<ParquetWriter['write']>[0]);
  if (sortedBy) for (const rg of pq.row_groups) rg.sorting_columns = sortedBy.map((column_idx) => ({ column_idx, descending: false, nulls_first: false }));
  pq.finish();
  fs.writeFileSync(file, Buffer.from(writer.getBuffer()));
}

function read(p: string, options: ReadOptions): Promise<SnapshotTable> {
  return readUnder(root, p, options);
}


/** Every `FileHandle.read` of the process while `run` runs: [position, bytes]. */
async function readsDuring<T>(run: () => Promise<T>): Promise<{ result: T; reads: [number, number][] }> {
  const probe = await fs.promises.open(__filename, 'r');
  const proto = Object.getPrototypeOf(probe) as { read: (...args: unknown[]) => Promise<{ bytesRead: number }> };
  await probe.close();
  const original = proto.read;
  const reads: [number, number][] = [];
  proto.read = async function (this: unknown, ...args: unknown[]) {
    const r = await original.apply(this, args);
    const a = args[0];
    const position = a !== null && typeof a === 'object' && !ArrayBuffer.isView(a) ? (a as { position?: number }).position : args[3];
    reads.push([Number(position ?? -1), r.bytesRead]);
    return r;
  };
  try {
    return { result: await run(), reads };
  } finally {
    proto.read = original;
  }
}

/**
 * Row groups whose column chunks the reads overlapped, per column: leaving out the short reads of
 * the magic bytes and LFS check and hyparquet's footer fetches (the reads that end at the file's end).
 */
function rowGroupsRead(file: string, reads: [number, number][]): Record<string, number[]> {
  const bytes = fs.readFileSync(file);
  const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const out: Record<string, Set<number>> = {};
  for (const [pos, len] of reads) {
    if (pos < 0 || len <= 64 || pos + len === bytes.length) continue;
    metadata.row_groups.forEach((rg, g) => {
      for (const c of rg.columns) {
        const m = c.meta_data!;
        const start = Number(m.dictionary_page_offset ?? m.data_page_offset);
        const end = start + Number(m.total_compressed_size);
        if (Math.min(pos + len, end) > Math.max(pos, start)) (out[m.path_in_schema.join('.')] ??= new Set()).add(g);
      }
    });
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort((a, b) => a - b)]));
}

interface Event {
  id: CellValue | bigint;
  ts: number;
  spend: number;
}

/** 300 entities (ids from `idOf`) with 1 to 9 events each, sorted by id then time. */
function events(idOf: (e: number) => CellValue | bigint): Event[] {
  const rand = prng(21);
  const out: Event[] = [];
  for (let e = 0; e < 300; e++) {
    const n = 1 + Math.floor(rand() * 9);
    for (let k = 0; k < n; k++) out.push({ id: idOf(e), ts: 1000 + k * 13 + e, spend: Math.round(rand() * 10000) / 100 });
  }
  return out;
}

function columnsOf(rows: Event[], idType: string): ColumnData {
  return [
    { name: 'id', type: idType, data: rows.map((r) => r.id), nullable: rows.some((r) => r.id === null) },
    { name: 'ts', type: 'INT32', data: rows.map((r) => r.ts), nullable: false },
    { name: 'spend', type: 'DOUBLE', data: rows.map((r) => r.spend), nullable: false },
  ];
}

const BY_ID: Sampling = { key: 'snapshots.events', orderBy: ['id', 'ts'], sampleBy: 'id' };

describe('keyed sampling of Parquet files: the key column as decoded, and the order a file declares', () => {
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-keyed-pq-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const kinds: { kind: string; type: string; idOf: (e: number) => CellValue | bigint }[] = [
    { kind: 'INT32 ids', type: 'INT32', idOf: (e) => 5000 + e * 7 },
    { kind: 'INT64 ids (bigints when decoded)', type: 'INT64', idOf: (e) => BigInt(2 ** 40 + e * 7) },
    { kind: 'DOUBLE ids', type: 'DOUBLE', idOf: (e) => e / 4 - 20 },
    { kind: 'text ids', type: 'STRING', idOf: (e) => `cust-${e % 17}-${e}` },
    { kind: 'nullable INT32 ids with nulls', type: 'INT32', idOf: (e) => (e % 50 === 3 ? null : 5000 + e) },
  ];
  for (const { kind, type, idOf } of kinds) {
    it(`${kind}: the same entities and rows from a sorted file, a shuffled file and a folder of parts (cells)`, async () => {
      const all = events(idOf);
      writeParquet(path.join(root, 'sorted.parquet'), columnsOf(all, type), 100);
      writeParquet(path.join(root, 'shuffled.parquet'), columnsOf(shuffled(all, 5), type), 64);
      const mixed = shuffled(all, 6);
      const third = Math.ceil(mixed.length / 3);
      for (let p = 0; p < 3; p++) writeParquet(path.join(root, `parts/p${p}.parquet`), columnsOf(mixed.slice(p * third, (p + 1) * third), type), 50);
      const cell = (id: CellValue | bigint) => (typeof id === 'bigint' ? Number(id) : id);
      const spendOf = new Map(all.map((e) => [`${String(cell(e.id))}@${e.ts}`, e.spend]));
      let expected: string[] | undefined;
      for (const p of ['sorted.parquet', 'shuffled.parquet', 'parts']) {
        const t = await read(p, { sampleRows: 200, seed: 9, columns: ['spend', 'id', 'ts'], sampling: BY_ID });
        assert.deepEqual(t.columns.map((c) => c.name), ['id', 'ts', 'spend'], p);
        const ids = column(t, 'id');
        const ts = column(t, 'ts');
        const keys = ids.map((id, i) => `${String(id)}@${ts[i]}`);
        // Whole entities, every row of each, in (id, ts) order; the other columns line up.
        const drawn = new Set(ids.map(String));
        assert.deepEqual(keys, all.filter((e) => drawn.has(String(cell(e.id)))).map((e) => `${String(cell(e.id))}@${e.ts}`).sort(compareKeys(all)), p);
        assert.deepEqual(column(t, 'spend'), keys.map((k) => spendOf.get(k)), p);
        assert.ok(keys.length <= 200 && keys.length >= 150, `${p}: ${keys.length} rows`);
        if (expected) assert.deepEqual(keys, expected, p);
        else expected = keys;
      }
    });
  }

  it('later reads of other columns of one resolved snapshot: the same rows in the same order (the order and the key column kept)', async () => {
    const all = events((e) => 5000 + e * 7);
    writeParquet(path.join(root, 'shuffled.parquet'), columnsOf(shuffled(all, 2), 'INT32'), 64);
    const resolved = await resolveSnapshot({ name: 's', path: 'shuffled.parquet', absPath: path.join(root, 'shuffled.parquet'), sampleRows: 120, seed: 3, sliceBy: [] }, root, 'shuffled.parquet', {});
    const options = (columns?: string[]): ReadOptions => ({ sampleRows: 120, seed: 3, ...(columns ? { columns } : {}), sampling: BY_ID });
    const whole = await resolved.read(options());
    assert.deepEqual(whole.columns.map((c) => c.name), ['id', 'ts', 'spend']);
    const spend = await resolved.read(options(['spend']));
    const ids = await resolved.read(options(['id']));
    const ts = await resolved.read(options(['ts', 'nope']));
    assert.deepEqual(spend.columns.map((c) => c.name), ['spend']);
    assert.deepEqual(ids.columns.map((c) => c.name), ['id']);
    assert.deepEqual(ts.columns.map((c) => c.name), ['ts']);
    for (const t of [spend, ids, ts]) assert.deepEqual(t.rowIndices, whole.rowIndices);
    assert.deepEqual(spend.values[0], column(whole, 'spend'));
    assert.deepEqual(ids.values[0], column(whole, 'id'));
    assert.deepEqual(ts.values[0], column(whole, 'ts'));
    // In (id, ts) order, whole entities.
    const keyed = column(whole, 'id').map((id, i) => [id as number, column(whole, 'ts')[i] as number]);
    for (let i = 1; i < keyed.length; i++) assert.ok(keyed[i - 1][0] < keyed[i][0] || (keyed[i - 1][0] === keyed[i][0] && keyed[i - 1][1] < keyed[i][1]), `row ${i}`);
  });

  it('1 and "1" are two entities, and the cut in hash order is the same whatever the row order', async () => {
    const values: CellValue[] = [];
    for (let i = 0; i < 40; i++) values.push(i % 2 ? 1 : '1', i % 3 ? null : 2);
    const rowsOf = async (vs: CellValue[], sampleRows: number) => {
      const h = new EntityHashes(4);
      h.add(vs);
      return h.choose(sampleRows, async (rows) => rows.map((r) => vs[r]));
    };
    // One entity's rows at most: 1 (20 rows), "1" (20 rows), null (26), 2 (14); 26 fits one of them only.
    const taken = await rowsOf(values, 26);
    const names = new Set(taken.map((r) => `${typeof values[r]}:${String(values[r])}`));
    assert.equal(names.size, 1, [...names].join(', '));
    // Every entity whole, whatever the order the rows come in.
    const order = shuffled(values.map((_, i) => i), 3);
    const again = (await rowsOf(order.map((i) => values[i]), 26)).map((r) => order[r]).sort((a, b) => a - b);
    assert.deepEqual(again, taken);
    assert.equal(taken.length, values.filter((v) => `${typeof v}:${String(v)}` === [...names][0]).length);
  });

  it('blocks of a file that declares the orderBy order come from the row groups holding them, the same rows as an undeclared copy', async () => {
    const n = 2000;
    const rows = Array.from({ length: n }, (_, i) => ({ id: 100 + Math.floor(i / 7), ts: 10 * i, spend: i % 13 }));
    const data: ColumnData = [
      { name: 'id', type: 'INT32', data: rows.map((r) => r.id), nullable: false },
      { name: 'ts', type: 'INT32', data: rows.map((r) => r.ts), nullable: false },
      { name: 'spend', type: 'DOUBLE', data: rows.map((r) => r.spend), nullable: false },
    ];
    writeParquet(path.join(root, 'declared.parquet'), data, 100, [0, 1]);
    writeParquet(path.join(root, 'plain.parquet'), data, 100);
    const sampling: Sampling = { key: 'snapshots.events', orderBy: ['id', 'ts'], sampleBlocks: { blocks: 3, rows: 50, warmupRows: 10 } };
    const options: ReadOptions = { sampleRows: 100, seed: 2, columns: ['id', 'ts', 'spend'], sampling };
    const declared = await readsDuring(() => read('declared.parquet', options));
    const plain = await readsDuring(() => read('plain.parquet', options));
    assert.deepEqual(declared.result.rowIndices, plain.result.rowIndices);
    assert.deepEqual(declared.result.values, plain.result.values);
    assert.equal(declared.result.rowIndices.length, 150);
    const holding = [...new Set(declared.result.rowIndices.map((r) => Math.floor(r / 100)))].sort((a, b) => a - b);
    assert.ok(holding.length >= 3 && holding.length <= 6, `blocks in row groups ${holding.join(',')}`);
    assert.deepEqual(rowGroupsRead(path.join(root, 'declared.parquet'), declared.reads), { id: holding, ts: holding, spend: holding });
    // Undeclared: the key columns of every row group.
    const plainRead = rowGroupsRead(path.join(root, 'plain.parquet'), plain.reads);
    assert.equal(plainRead.id.length, 20);
    assert.equal(plainRead.ts.length, 20);
    assert.deepEqual(plainRead.spend, holding);
  });

  it('row groups kept apart by the statistics of an integer orderBy column (no declared order): the key columns of the block row groups only, the rows of the full path', async () => {
    const n = 2000;
    const rand = prng(12);
    // Row group g holds ts from 1000g to 1000g + 990, shuffled within it, and a group column.
    const ts = Array.from({ length: n / 100 }, (_, g) => shuffled(Array.from({ length: 100 }, (_, k) => 1000 * g + 10 * k), g + 7)).flat();
    const data: ColumnData = [
      { name: 'ts', type: 'INT64', data: ts.map(BigInt), nullable: false },
      { name: 'price', type: 'DOUBLE', data: ts.map(() => Math.round(rand() * 100)), nullable: false },
    ];
    writeParquet(path.join(root, 'apart.parquet'), data, 100);
    // The same file in a folder: read cell by cell, every row ordered.
    writeParquet(path.join(root, 'folder/part-0.parquet'), data, 100);
    const sampling: Sampling = { key: 'snapshots.prices', orderBy: ['ts', 'price'], sampleBlocks: { blocks: 3, rows: 70, warmupRows: 5 } };
    const apart = await readsDuring(() => read('apart.parquet', { sampleRows: 10, seed: 6, sampling }));
    const full = await read('folder', { sampleRows: 10, seed: 6, sampling });
    assert.deepEqual(apart.result.rowIndices, full.rowIndices);
    assert.deepEqual(apart.result.values, full.values);
    const out = column(apart.result, 'ts') as number[];
    for (let b = 0; b < 3; b++) {
      const block = out.slice(b * 70, (b + 1) * 70);
      assert.deepEqual(block, block.map((_, i) => block[0] + 10 * i), `block ${b} is consecutive in ts order`);
    }
    const holding = [...new Set(apart.result.rowIndices.map((r) => Math.floor(r / 100)))].sort((a, b) => a - b);
    assert.ok(holding.length >= 3 && holding.length < 10, `blocks in row groups ${holding.join(',')}`);
    assert.deepEqual(rowGroupsRead(path.join(root, 'apart.parquet'), apart.reads), { ts: holding, price: holding });
  });

  it('a file that declares an order it does not have: blocks chosen without trusting it, the right rows, and a note naming the file', async () => {
    const n = 2000;
    const rand = prng(8);
    // Row group g holds ts from 1000g to 1000g + 999 shuffled: statistics in order, rows not.
    const inGroups = Array.from({ length: n / 100 }, (_, g) => shuffled(Array.from({ length: 100 }, (_, k) => 1000 * g + 10 * k), g + 1)).flat();
    // Fully shuffled: even the statistics say otherwise.
    const mixed = shuffled(Array.from({ length: n }, (_, i) => 10 * i), 4);
    const sampling: Sampling = { key: 'snapshots.prices', orderBy: ['ts'], sampleBlocks: { blocks: 4, rows: 40, warmupRows: 5 } };
    for (const [name, ts] of [['rows-unsorted.parquet', inGroups], ['stats-unsorted.parquet', mixed]] as const) {
      const data: ColumnData = [
        { name: 'ts', type: 'INT32', data: ts, nullable: false },
        { name: 'price', type: 'DOUBLE', data: ts.map(() => Math.round(rand() * 100)), nullable: false },
      ];
      writeParquet(path.join(root, name), data, 100, [0]);
      writeParquet(path.join(root, `plain-${name}`), data, 100);
      const t = await read(name, { sampleRows: 10, seed: 1, sampling });
      const expected = await read(`plain-${name}`, { sampleRows: 10, seed: 1, sampling });
      assert.deepEqual(t.rowIndices, expected.rowIndices, name);
      assert.deepEqual(t.values, expected.values, name);
      const out = column(t, 'ts') as number[];
      for (let b = 0; b < 4; b++) {
        const block = out.slice(b * 40, (b + 1) * 40);
        assert.deepEqual(block, block.map((_, i) => block[0] + 10 * i), `${name}: block ${b} is consecutive in ts order`);
      }
      const note = nativeFallbacks().find((line) => line.startsWith(`${name} declares it is sorted by ts, but `));
      assert.ok(note, `a note naming ${name}: ${nativeFallbacks().join(' / ')}`);
      assert.match(note, /snapshots\.prices\.sampleBlocks chosen without trusting that order/);
    }
    assert.match(nativeFallbacks().find((l) => l.startsWith('stats-unsorted.parquet'))!, /statistics of row group \d+ start before those of row group \d+ end/);
  });
});

/** Orders "id@ts" keys by the events' (id, ts) order. */
function compareKeys(all: Event[]): (a: string, b: string) => number {
  const rank = new Map<string, number>();
  const sorted = [...all].sort((x, y) => compareIds(x.id, y.id) || x.ts - y.ts);
  sorted.forEach((e, i) => rank.set(`${String(typeof e.id === 'bigint' ? Number(e.id) : e.id)}@${e.ts}`, i));
  return (a, b) => rank.get(a)! - rank.get(b)!;
}

function compareIds(a: CellValue | bigint, b: CellValue | bigint): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  const x = typeof a === 'bigint' ? Number(a) : a;
  const y = typeof b === 'bigint' ? Number(b) : b;
  return x! < y! ? -1 : x! > y! ? 1 : 0;
}
