/**
 * Partitioned datasets as snapshots (engine/data/datasetFiles.ts, hivePartitions.ts, deltaLog.ts,
 * readDataset.ts): folders and globs of Parquet parts written here with hyparquet-writer — Hive
 * partitions, a Spark-style layout with its bookkeeping files, schema evolution, a type conflict,
 * a Delta log with adds and removes — read through `resolveSnapshot` as the loader does.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { SnapshotConfig } from '../../engine/config/configTypes';
import { UserError } from '../../engine/errors';
import { parseConfig } from '../../engine/config/loadConfig';
import { globRegExp } from '../../engine/data/datasetFiles';
import { resolveSnapshot } from '../../engine/data/resolveSnapshot';
import { sampleIndices } from '../../engine/data/sample';
import type { CellValue, ReadOptions, SnapshotTable } from '../../engine/data/table';

const ALL: ReadOptions = { sampleRows: 0, seed: 0 };

type Columns = Record<string, { type: 'INT32' | 'DOUBLE' | 'STRING'; data: (number | string | null)[] }>;

function writeParquet(file: string, columns: Columns, rowGroupSize?: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const columnData = Object.entries(columns).map(([name, c]) => ({ name, type: c.type, data: c.data }));
  fs.writeFileSync(file, Buffer.from(parquetWriteBuffer({ columnData, ...(rowGroupSize ? { rowGroupSize } : {}) } as Parameters<typeof parquetWriteBuffer>[0])));
}

function ids(from: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => from + i);
}

let root: string;

function snapshot(p: string, sampleRows = 0, seed = 0): SnapshotConfig {
  return { name: 's', path: p, absPath: path.resolve(root, p), sampleRows, seed, sliceBy: [] };
}

async function read(p: string, options: ReadOptions = ALL): Promise<SnapshotTable> {
  const s = snapshot(p, options.sampleRows, options.seed);
  const resolved = await resolveSnapshot(s, root, p, {});
  return resolved.read(options);
}

function column(t: SnapshotTable, name: string): CellValue[] {
  const i = t.columns.findIndex((c) => c.name === name);
  assert.ok(i >= 0, `no column ${name} in ${t.columns.map((c) => c.name).join(', ')}`);
  return t.values[i];
}

async function assertUserError(promise: Promise<unknown>, expected: string): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof UserError, `expected a UserError, got ${String(caught)}`);
  assert.ok(!caught.message.includes('\n'), caught.message);
  assert.equal(caught.message, expected);
}

describe('partitioned datasets', () => {
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-datasets-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('reads Hive partition folders as columns: integers when every value is one, strings otherwise', async () => {
    writeParquet(path.join(root, 'data/customers/region=eu/day=1/part-0.parquet'), { id: { type: 'INT32', data: [0, 1] }, spend: { type: 'DOUBLE', data: [1.5, 2.5] } });
    writeParquet(path.join(root, 'data/customers/region=eu/day=2/part-0.parquet'), { id: { type: 'INT32', data: [2] }, spend: { type: 'DOUBLE', data: [3.5] } });
    writeParquet(path.join(root, 'data/customers/region=us%20east/day=10/part-0.parquet'), { id: { type: 'INT32', data: [3, 4] }, spend: { type: 'DOUBLE', data: [4.5, 5.5] } });
    writeParquet(path.join(root, 'data/customers/region=__HIVE_DEFAULT_PARTITION__/day=3/part-0.parquet'), { id: { type: 'INT32', data: [5] }, spend: { type: 'DOUBLE', data: [6.5] } });
    for (const p of ['data/customers', 'data/customers/', 'data/customers/**/*.parquet']) {
      const t = await read(p);
      assert.deepEqual(t.columns, [
        { name: 'id', type: 'integer' },
        { name: 'spend', type: 'number' },
        { name: 'region', type: 'string' },
        { name: 'day', type: 'integer' },
      ], p);
      assert.equal(t.totalRows, 6);
      // Files in path order: region=__HIVE…, region=eu/day=1, region=eu/day=2, region=us east.
      assert.deepEqual(column(t, 'id'), [5, 0, 1, 2, 3, 4]);
      assert.deepEqual(column(t, 'region'), [null, 'eu', 'eu', 'eu', 'us east', 'us east']);
      assert.deepEqual(column(t, 'day'), [3, 1, 1, 2, 10, 10]);
      assert.deepEqual(t.rowIndices, [0, 1, 2, 3, 4, 5]);
    }
    const eu = await read('data/customers/region=eu/*/*.parquet');
    assert.deepEqual(column(eu, 'id'), [0, 1, 2]);
    assert.deepEqual(column(eu, 'day'), [1, 1, 2]);
    const onlyDay = await read('data/customers', { ...ALL, columns: ['day'] });
    assert.deepEqual(onlyDay.columns, [{ name: 'day', type: 'integer' }]);
    assert.deepEqual(onlyDay.values[0], [3, 1, 1, 2, 10, 10]);
  });

  it('reads a Spark-style layout, ignoring _SUCCESS, .crc checksums, _common_metadata and _temporary', async () => {
    const dir = path.join(root, 'data/spark');
    const uuid = '7b3f2c1e-9a4d-4e8b-b2f1-0c5d6e7f8a9b';
    writeParquet(path.join(dir, `part-00000-${uuid}-c000.snappy.parquet`), { id: { type: 'INT32', data: [0, 1, 2] } });
    writeParquet(path.join(dir, `part-00001-${uuid}-c000.snappy.parquet`), { id: { type: 'INT32', data: [3, 4] } });
    fs.writeFileSync(path.join(dir, '_SUCCESS'), '');
    fs.writeFileSync(path.join(dir, `.part-00000-${uuid}-c000.snappy.parquet.crc`), 'crc');
    fs.writeFileSync(path.join(dir, `.part-00001-${uuid}-c000.snappy.parquet.crc`), 'crc');
    fs.writeFileSync(path.join(dir, '_common_metadata'), 'not parquet');
    fs.writeFileSync(path.join(dir, '_metadata'), 'not parquet');
    fs.mkdirSync(path.join(dir, '_temporary/0'), { recursive: true });
    fs.writeFileSync(path.join(dir, '_temporary/0/part-00002.parquet'), 'half written');
    const t = await read('data/spark');
    assert.deepEqual(column(t, 'id'), [0, 1, 2, 3, 4]);
    assert.deepEqual(t.fileColumns, ['id']);
  });

  it('reads a column added later as null in the older files, and integer with fractional as number', async () => {
    writeParquet(path.join(root, 'data/evolve/2024-01.parquet'), { id: { type: 'INT32', data: [0, 1] }, score: { type: 'INT32', data: [10, 20] } });
    writeParquet(path.join(root, 'data/evolve/2024-02.parquet'), { id: { type: 'INT32', data: [2, 3] }, score: { type: 'DOUBLE', data: [0.5, 1.5] }, tenure: { type: 'INT32', data: [7, 8] } });
    const t = await read('data/evolve');
    assert.deepEqual(t.columns, [
      { name: 'id', type: 'integer' },
      { name: 'score', type: 'number' },
      { name: 'tenure', type: 'integer' },
    ]);
    assert.deepEqual(column(t, 'score'), [10, 20, 0.5, 1.5]);
    assert.deepEqual(column(t, 'tenure'), [null, null, 7, 8]);
    const onlyNew = await read('data/evolve', { ...ALL, columns: ['tenure'] });
    assert.deepEqual(onlyNew.values[0], [null, null, 7, 8]);
  });

  it('names both files in one line when a column changes type', async () => {
    writeParquet(path.join(root, 'data/conflict/a.parquet'), { id: { type: 'INT32', data: [0] }, plan: { type: 'INT32', data: [1] } });
    writeParquet(path.join(root, 'data/conflict/b.parquet'), { id: { type: 'INT32', data: [1] }, plan: { type: 'STRING', data: ['gold'] } });
    await assertUserError(read('data/conflict'), 'data/conflict: column "plan" is integer in data/conflict/a.parquet but string in data/conflict/b.parquet');
  });

  it('reads the latest version of a Delta table from its log: adds, removes, typed partition values', async () => {
    const dir = path.join(root, 'data/delta');
    writeParquet(path.join(dir, 'country=fr/part-0.parquet'), { id: { type: 'INT32', data: [0, 1] } });
    writeParquet(path.join(dir, 'country=fr/part-1.parquet'), { id: { type: 'INT32', data: [2] } });
    writeParquet(path.join(dir, 'country=de/part-0.parquet'), { id: { type: 'INT32', data: [3, 4] } });
    writeParquet(path.join(dir, 'stale.parquet'), { id: { type: 'INT32', data: [99] } });
    const schemaString = JSON.stringify({ type: 'struct', fields: [{ name: 'id', type: 'integer' }, { name: 'country', type: 'string' }, { name: 'year', type: 'long' }] });
    const log = path.join(dir, '_delta_log');
    fs.mkdirSync(log);
    const lines = (...actions: object[]) => actions.map((a) => JSON.stringify(a)).join('\n') + '\n';
    fs.writeFileSync(path.join(log, '00000000000000000000.json'), lines(
      { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
      { metaData: { id: 't', format: { provider: 'parquet' }, schemaString, partitionColumns: ['country', 'year'], configuration: {} } },
      { add: { path: 'country=fr/part-0.parquet', partitionValues: { country: 'fr', year: '2024' }, size: 1, dataChange: true } },
      { add: { path: 'stale.parquet', partitionValues: { country: 'xx', year: null }, size: 1, dataChange: true } },
    ));
    fs.writeFileSync(path.join(log, '00000000000000000001.json'), lines(
      { remove: { path: 'stale.parquet', dataChange: true } },
      { add: { path: 'country%3Dfr/part-1.parquet', partitionValues: { country: 'fr', year: '2025' }, size: 1, dataChange: true } },
      { add: { path: 'country=de/part-0.parquet', partitionValues: { country: 'de', year: '2025' }, size: 1, dataChange: true } },
    ));
    const t = await read('data/delta');
    assert.deepEqual(t.columns, [
      { name: 'id', type: 'integer' },
      { name: 'country', type: 'string' },
      { name: 'year', type: 'integer' },
    ]);
    // Files in path order: country=de/part-0, country=fr/part-0, country=fr/part-1.
    assert.deepEqual(column(t, 'id'), [3, 4, 0, 1, 2]);
    assert.deepEqual(column(t, 'country'), ['de', 'de', 'fr', 'fr', 'fr']);
    assert.deepEqual(column(t, 'year'), [2025, 2025, 2024, 2024, 2025]);

    fs.writeFileSync(path.join(log, '00000000000000000002.json'), lines(
      { add: { path: 'country=de/part-0.parquet', partitionValues: { country: 'de', year: '2025' }, size: 1, dataChange: false, deletionVector: { storageType: 'u', pathOrInlineDv: 'ab^-aqEH.-t@S}K{vb[*k^', offset: 1, sizeInBytes: 36, cardinality: 2 } } },
    ));
    await assertUserError(read('data/delta'), 'snapshots.s.path: the Delta table "data/delta" has deletion vectors (version 2), which FeatureGuard does not read: purge them (REORG TABLE … APPLY (PURGE)) or point the snapshot at a table without them');
  });

  it('starts a Delta table from its newest checkpoint (Parquet, with add/remove structs and a partitionValues map)', async () => {
    const dir = path.join(root, 'data/checkpointed');
    writeParquet(path.join(dir, 'country=fr/a.parquet'), { id: { type: 'INT32', data: [0, 1] } });
    writeParquet(path.join(dir, 'country=de/b.parquet'), { id: { type: 'INT32', data: [2] } });
    writeParquet(path.join(dir, 'country=it/c.parquet'), { id: { type: 'INT32', data: [3] } });
    const log = path.join(dir, '_delta_log');
    fs.mkdirSync(log);
    // Commits 0 and 1 are superseded by the checkpoint at 1: garbage there proves they are not read.
    fs.writeFileSync(path.join(log, '00000000000000000000.json'), 'not json');
    fs.writeFileSync(path.join(log, '00000000000000000001.json'), 'not json');
    const text = (name: string, repetition_type = 'OPTIONAL') => ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type });
    const schema = [
      { name: 'root', num_children: 3 },
      { name: 'add', repetition_type: 'OPTIONAL', num_children: 2 },
      text('path'),
      { name: 'partitionValues', repetition_type: 'OPTIONAL', converted_type: 'MAP', num_children: 1 },
      { name: 'key_value', repetition_type: 'REPEATED', num_children: 2 },
      text('key', 'REQUIRED'),
      text('value'),
      { name: 'remove', repetition_type: 'OPTIONAL', num_children: 1 },
      text('path'),
      { name: 'metaData', repetition_type: 'OPTIONAL', num_children: 2 },
      text('schemaString'),
      { name: 'partitionColumns', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      text('element'),
    ];
    const schemaString = JSON.stringify({ type: 'struct', fields: [{ name: 'id', type: 'integer' }, { name: 'country', type: 'string' }] });
    const columnData = [
      { name: 'add', data: [{ path: 'country=fr/a.parquet', partitionValues: { country: 'fr' } }, { path: 'country=de/b.parquet', partitionValues: { country: 'de' } }, null, null] },
      { name: 'remove', data: [null, null, { path: 'country=xx/gone.parquet' }, null] },
      { name: 'metaData', data: [null, null, null, { schemaString, partitionColumns: ['country'] }] },
    ];
    fs.writeFileSync(path.join(log, '00000000000000000001.checkpoint.parquet'), Buffer.from(parquetWriteBuffer({ schema, columnData } as unknown as Parameters<typeof parquetWriteBuffer>[0])));
    fs.writeFileSync(path.join(log, '00000000000000000002.json'), [
      JSON.stringify({ remove: { path: 'country=fr/a.parquet' } }),
      JSON.stringify({ add: { path: 'country=it/c.parquet', partitionValues: { country: 'it' }, size: 1 } }),
    ].join('\n'));
    const t = await read('data/checkpointed');
    assert.deepEqual(t.columns, [{ name: 'id', type: 'integer' }, { name: 'country', type: 'string' }]);
    assert.deepEqual(column(t, 'id'), [2, 3]);
    assert.deepEqual(column(t, 'country'), ['de', 'it']);
  });

  it('says in one line, with the key, that an empty folder or a glob matching nothing has no data', async () => {
    fs.mkdirSync(path.join(root, 'data/empty'), { recursive: true });
    fs.writeFileSync(path.join(root, 'data/empty/_SUCCESS'), '');
    await assertUserError(read('data/empty'), 'snapshots.s.path: "data/empty" holds no Parquet files');
    writeParquet(path.join(root, 'data/t/a.parquet'), { id: { type: 'INT32', data: [0] } });
    fs.writeFileSync(path.join(root, 'data/t/notes.csv'), 'a\n1\n');
    await assertUserError(read('data/t/**/*.snappy.parquet'), 'snapshots.s.path: "data/t/**/*.snappy.parquet" matches no Parquet files');
    await assertUserError(read('data/t/*.csv'), 'snapshots.s.path: "data/t/*.csv" matches no Parquet files (only notes.csv: a folder or glob is read as a Parquet dataset)');
    await assertUserError(read('data/none/*.parquet'), 'snapshots.s.path: "data/none/*.parquet" matches no Parquet files (data/none is not a folder)');
  });

  it('samples uniformly over all rows of all files: the same seed gives the same rows whatever order the files were written in', async () => {
    const sizes = [700, 1300, 500, 2500];
    const write = (dir: string, order: number[]) => {
      let start = 0;
      const starts = sizes.map((n) => ((start += n), start - n));
      for (const i of order) writeParquet(path.join(root, dir, `k=${i}`, `part-${i}.parquet`), { id: { type: 'INT32', data: ids(starts[i], sizes[i]) }, v: { type: 'DOUBLE', data: ids(starts[i], sizes[i]).map((x) => x / 2) } }, 256);
    };
    write('data/forward', [0, 1, 2, 3]);
    write('data/backward', [3, 2, 1, 0]);
    const options = { sampleRows: 300, seed: 42 };
    const a = await read('data/forward', options);
    const b = await read('data/backward', options);
    const expected = sampleIndices(5000, 300, 42);
    assert.deepEqual(a.rowIndices, expected);
    assert.deepEqual(column(a, 'id'), expected);
    assert.deepEqual(column(a, 'v'), expected.map((x) => x / 2));
    assert.deepEqual(b.values, a.values);
    assert.deepEqual(b.rowIndices, a.rowIndices);
    // Every file contributes about its share of rows.
    const k = column(a, 'k') as number[];
    sizes.forEach((n, i) => {
      const share = k.filter((x) => x === i).length / 300;
      assert.ok(Math.abs(share - n / 5000) < 0.06, `file ${i}: ${share}`);
    });
  });

  it('accepts folders, globs and URLs as snapshot paths in the config; local ones resolved, URLs as written', () => {
    fs.mkdirSync(path.join(root, 'data/customers'), { recursive: true });
    const paths = { a: 'data/customers', b: 'data/customers/', c: 'data/customers/**/*.parquet', d: 'data/later/*.parquet', e: 's3://bucket/prefix/', f: 'https://example.invalid/c.parquet?sig=1', g: 'http://127.0.0.1:8000/c.parquet' };
    const snapshots = Object.fromEntries(Object.entries(paths).map(([k, p]) => [k, { path: p }]));
    const config = parseConfig(JSON.stringify({ snapshots }), path.join(root, 'featureguard.json'), root);
    assert.equal(config.snapshots.get('a')!.absPath, path.join(root, 'data/customers'));
    assert.equal(config.snapshots.get('c')!.absPath, path.join(root, 'data/customers/**/*.parquet'));
    assert.equal(config.snapshots.get('e')!.absPath, 's3://bucket/prefix/');
    assert.equal(config.snapshots.get('f')!.absPath, paths.f);
    assert.deepEqual(config.warnings, []);
  });

  it('matches globs as shells do', () => {
    const re = globRegExp('**/*.parquet');
    assert.ok(re.test('a.parquet'));
    assert.ok(re.test('x=1/y=2/a.parquet'));
    assert.ok(!re.test('a.parquet.crc'));
    assert.ok(globRegExp('part-{0,1}.parquet').test('part-1.parquet'));
    assert.ok(!globRegExp('part-{0,1}.parquet').test('part-2.parquet'));
    assert.ok(globRegExp('day=[0-9]/*.parquet').test('day=3/a.parquet'));
    assert.ok(!globRegExp('*.parquet').test('d/a.parquet'));
  });
});
