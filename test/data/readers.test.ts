/**
 * Tests of the snapshot readers (engine/data): real Parquet, Arrow IPC (file and stream) and CSV
 * files written to a temporary directory, read back through `readSnapshot`, and compared value by
 * value; deterministic sampling; column selection; and the one-line `UserError` for each way a
 * snapshot file can be unusable.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import {
  CompressionType,
  Dictionary,
  Float64,
  Int32,
  Table,
  TimestampMillisecond,
  Utf8,
  compressionRegistry,
  tableFromArrays,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import { parquetWriteBuffer, schemaFromColumnData, type ColumnSource } from 'hyparquet-writer';
import { UserError } from '../../engine/errors';
import { decodeLz4Frame } from '../../engine/data/arrowCodecs';
import { readSnapshot } from '../../engine/data/readSnapshot';
import { sampleIndices } from '../../engine/data/sample';
import type { ReadOptions, Row } from '../../engine/data/table';

const ALL: ReadOptions = { sampleRows: 0, seed: 0 };

/** The integers 0 .. n-1: row ids for generated snapshots. */
function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Asserts that `promise` rejects with a one-line `UserError` whose message matches `expected`. */
async function assertUserError(promise: Promise<unknown>, expected: string | RegExp): Promise<UserError> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught !== undefined, 'expected the read to fail');
  assert.ok(caught instanceof UserError, `expected a UserError, got ${String(caught)}`);
  assert.ok(!caught.message.includes('\n'), `message should be one line: ${caught.message}`);
  if (typeof expected === 'string') assert.equal(caught.message, expected);
  else assert.match(caught.message, expected);
  return caught;
}

/** Writes a Parquet file with hyparquet-writer. */
function writeParquet(file: string, options: Parameters<typeof parquetWriteBuffer>[0]): void {
  fs.writeFileSync(file, Buffer.from(parquetWriteBuffer(options)));
}

const gzip = (input: Uint8Array) => new Uint8Array(zlib.gzipSync(input));
const brotli = (input: Uint8Array) => new Uint8Array(zlib.brotliCompressSync(input));

/**
 * A minimal greedy LZ4 compressor producing standard LZ4 frames of independent 64 KiB blocks, so
 * the tests can write LZ4-compressed Arrow IPC (as pyarrow's Feather writer does by default)
 * without a native dependency. Compression only has to be valid, not good.
 */
function lz4FrameEncode(input: Uint8Array): Uint8Array {
  const out: number[] = [0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x00];
  for (let start = 0; start < input.length; start += 65536) {
    const block = input.subarray(start, Math.min(start + 65536, input.length));
    const compressed = lz4BlockEncode(block);
    const raw = compressed.length >= block.length;
    const body = raw ? Array.from(block) : compressed;
    const size = (body.length | (raw ? 0x80000000 : 0)) >>> 0;
    out.push(size & 255, (size >>> 8) & 255, (size >>> 16) & 255, size >>> 24, ...body);
  }
  out.push(0, 0, 0, 0);
  return Uint8Array.from(out);
}

function lz4BlockEncode(src: Uint8Array): number[] {
  const out: number[] = [];
  const lastPositions = new Map<number, number>();
  const pushLength = (n: number) => {
    while (n >= 255) {
      out.push(255);
      n -= 255;
    }
    out.push(n);
  };
  const emit = (literalsStart: number, literalsEnd: number, offset: number, matchLength: number) => {
    const literals = literalsEnd - literalsStart;
    const matchCode = matchLength - 4;
    out.push((Math.min(literals, 15) << 4) | (offset ? Math.min(matchCode, 15) : 0));
    if (literals >= 15) pushLength(literals - 15);
    for (let k = literalsStart; k < literalsEnd; k++) out.push(src[k]);
    if (!offset) return;
    out.push(offset & 255, offset >>> 8);
    if (matchCode >= 15) pushLength(matchCode - 15);
  };
  let anchor = 0;
  let i = 0;
  // The LZ4 format wants the last match to start at least 12 bytes before the block's end.
  while (i + 12 < src.length) {
    const key = src[i] | (src[i + 1] << 8) | (src[i + 2] << 16) | (src[i + 3] << 24);
    const candidate = lastPositions.get(key);
    lastPositions.set(key, i);
    if (candidate !== undefined && i - candidate < 65536) {
      let length = 4;
      while (i + length < src.length - 5 && src[candidate + length] === src[i + length]) length++;
      emit(anchor, i, i - candidate, length);
      i += length;
      anchor = i;
    } else {
      i++;
    }
  }
  emit(anchor, src.length, 0, 0);
  return out;
}

/** A 206,900-byte text compressed by the `lz4` command (-B4 -BD: 64 KiB linked blocks). */
const LZ4_CLI_LINKED_BLOCKS = [
  'BCJNGERAXq4CAABgcm93IDA7BgARMQYAETIGABEzBgARNAYAETUGABE2BgARNwYAETgGABE5BgATMT0AAj4AEjE/ABIxQAAS',
  'MUEAEjFCABIxQwASMUQAEjFFABIxRgASMkYAEjJGABIyRgASMkYAEjJGABIyRgASMkYAEjJGABIyRgASMkYAEjNGABIzRgAS',
  'M0YAEjNGABIzRgASM0YAEjNGABIzRgASM0YAEjNGABI0RgASNEYAEjRGABI0RgASNEYAEjRGABI0RgASNEYAEjRGABI0RgAS',
  'NUYAEjVGABI1RgASNUYAEjVGABI1RgASNUYAEjVGABI1RgASNUYAEjZGABI2RgASNkYAEjZGABI2RgASNkYAEjZGABI2RgAS',
  'NkYAEjZGABI3RgASN0YAEjdGABI3RgASN0YAEjdGABI3RgASN0YAEjdGABI3RgASOEYAEjhGABI4RgASOEYAEjhGABI4RgAS',
  'OEYAEjhGABI4RgASOEYAEjlGABI5RgASOUYAEjlGABI5RgASOUYAEjlGAAIwAAIvAAIuAAItAAIsAAIrAAIqAANvAAGXAgJt',
  'AA+dAv//////////////////////////////////////////////////////////////////////////////////////////',
  '////////////////////////////////////////////////////////////////////////////////////////////////',
  '////////////////////////////////////////////////////////////////////////////////////////////////',
  '////////////////////////////////////////////////////////CVA5MjtybwoBAAAPff3/////////////////////',
  '////////////////////////////////////////////////////////////////////////////////////////////////',
  '////////////////////////////////////////////////////////////////////////////////////////////////',
  '////////////////////////////////////////////////////////////////////////////////////////////////',
  '////////////////////////////////6FA7cm93IIcCAACSODk7cm93IDkwBwASMQcAEjIHABIzBwASNAcAEjUHABE2BwAC',
  'MAACLwACLgACLQACLAACKwACKgARNzAAETgGAAJtABMxPQACPgASMT8AEjFAABIxQQASMUIAEjFDABIxRAASMUUAEjFGABIy',
  'RgASMkYAEjJGABIyRgASMkYAEjJGABIyRgASMkYAEjJGABIyRgASM0YAEjNGABIzRgASM0YAEjNGABIzRgASM0YAEjNGABIz',
  'RgASM0YAEjRGABI0RgASNEYAEjRGABI0RgASNEYAEjRGABI0RgASNEYAEjRGABI1RgASNUYAEjVGABI1RgASNUYAEjVGABI1',
  'RgASNUYAEjVGABI1RgASNkYAEjZGABI2RgASNkYAEjZGABI2RgASNkYAEjZGABI2RgASNkYAEjdGABI3RgASN0YAEjdGABI3',
  'RgASN0YAEjdGABI3RgASN0YAEjdGABI4RgASOEYAEjhGABI4RgASOEYAEjhGABI4RgASOEYAEjhGAA+dAv//////////////',
  '////////////////////////////////////////////////////////////////////////////////////////////////',
  '////////////////////////////////////////////////////////////////////////////////////////////////',
  '////////////////////////////////////////////////////////////////////////////////////////////////',
  '////////////////////////////////////SVBvdyA4NTIAAAAPff3/////////////////////////////////////////',
  '////////////RFB3IDI2OwAAAABer91i',
].join('');

/** The same text as the command above was given: `row <i % 97>;` for i below 30000. */
const LZ4_CLI_LINKED_TEXT = range(30000).map((i) => `row ${i % 97};`).join('');

describe('snapshot readers', () => {
  let dir: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'featureguard-readers-'));
  });

  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const file = (name: string) => path.join(dir, name);

  describe('sampleIndices', () => {
    it('returns every row when sampleRows is 0 or at least the row count', () => {
      assert.deepEqual(sampleIndices(5, 0, 1), [0, 1, 2, 3, 4]);
      assert.deepEqual(sampleIndices(5, 5, 1), [0, 1, 2, 3, 4]);
      assert.deepEqual(sampleIndices(5, 99, 1), [0, 1, 2, 3, 4]);
      assert.deepEqual(sampleIndices(0, 10, 1), []);
    });

    it('is deterministic for a seed and differs between seeds', () => {
      const a = sampleIndices(10_000, 100, 7);
      const b = sampleIndices(10_000, 100, 7);
      const c = sampleIndices(10_000, 100, 8);
      assert.deepEqual(a, b);
      assert.notDeepEqual(a, c);
      assert.equal(a.length, 100);
    });

    it('gives ascending, unique, in-range indices', () => {
      const s = sampleIndices(1000, 400, 3);
      assert.equal(s.length, 400);
      for (let i = 1; i < s.length; i++) assert.ok(s[i] > s[i - 1], `not ascending at ${i}`);
      assert.ok(s[0] >= 0 && s[s.length - 1] < 1000);
    });

    it('samples 100k of 1M rows quickly and without bias toward either end', () => {
      const started = Date.now();
      const s = sampleIndices(1_000_000, 100_000, 42);
      const elapsed = Date.now() - started;
      assert.equal(s.length, 100_000);
      assert.equal(new Set(s).size, 100_000);
      assert.ok(elapsed < 1000, `took ${elapsed} ms`);
      const mean = s.reduce((sum, v) => sum + v, 0) / s.length;
      assert.ok(Math.abs(mean - 500_000) < 10_000, `mean ${mean}`);
      const firstHalf = s.filter((v) => v < 500_000).length;
      assert.ok(Math.abs(firstHalf - 50_000) < 1_500, `first half ${firstHalf}`);
    });

    it('treats large seeds that differ only above 2^32 as different', () => {
      assert.notDeepEqual(sampleIndices(10_000, 50, 1), sampleIndices(10_000, 50, 1 + 2 ** 32));
    });
  });

  describe('Parquet', () => {
    it('reads every type, nulls included, from a GZIP-compressed file', async () => {
      const p = file('types.parquet');
      writeParquet(p, {
        codec: 'GZIP',
        compressors: { GZIP: gzip },
        columnData: [
          { name: 'i32', data: [1, null, -3], type: 'INT32' },
          { name: 'i64', data: [10n, null, 9007199254740993n], type: 'INT64' },
          { name: 'dbl', data: [1.5, null, NaN], type: 'DOUBLE' },
          { name: 'str', data: ['a', null, 'héllo, "world"'], type: 'STRING' },
          { name: 'flag', data: [true, null, false], type: 'BOOLEAN' },
          { name: 'ts', data: [new Date(1000), null, new Date(1_700_000_000_000)], type: 'TIMESTAMP' },
        ],
      });
      const table = await readSnapshot(p, ALL, 'data/types.parquet');
      assert.equal(table.path, 'data/types.parquet');
      assert.equal(table.totalRows, 3);
      assert.deepEqual(table.rowIndices, [0, 1, 2]);
      assert.deepEqual(table.columns, [
        { name: 'i32', type: 'integer' },
        { name: 'i64', type: 'integer' },
        { name: 'dbl', type: 'number' },
        { name: 'str', type: 'string' },
        { name: 'flag', type: 'boolean' },
        { name: 'ts', type: 'date' },
      ]);
      const expected: Row[] = [
        { i32: 1, i64: 10, dbl: 1.5, str: 'a', flag: true, ts: new Date(1000) },
        { i32: null, i64: null, dbl: null, str: null, flag: null, ts: null },
        // 2^53 + 1 is not a double; it arrives as the nearest one (SPEC §1: "as numbers when exact").
        { i32: -3, i64: Number(9007199254740993n), dbl: NaN, str: 'héllo, "world"', flag: false, ts: new Date(1_700_000_000_000) },
      ];
      assert.deepStrictEqual(table.rows, expected);
      assert.equal(typeof table.rows[2].i64, 'number');
    });

    it('reads DATE columns and Brotli-compressed required columns', async () => {
      const p = file('dates.parquet');
      const columnData: ColumnSource[] = [
        { name: 'day', data: [new Date(86_400_000 * 2), null, new Date(0)] },
        { name: 'n', data: [1, 2, 3] },
      ];
      writeParquet(p, {
        codec: 'BROTLI',
        compressors: { BROTLI: brotli },
        columnData,
        schema: schemaFromColumnData({
          columnData,
          schemaOverrides: { day: { name: 'day', type: 'INT32', converted_type: 'DATE', repetition_type: 'OPTIONAL' } },
        }),
      });
      const table = await readSnapshot(p, ALL);
      assert.deepEqual(table.columns, [
        { name: 'day', type: 'date' },
        { name: 'n', type: 'integer' },
      ]);
      assert.deepStrictEqual(table.rows, [
        { day: new Date(86_400_000 * 2), n: 1 },
        { day: null, n: 2 },
        { day: new Date(0), n: 3 },
      ]);
    });

    it('samples deterministically across row groups, keeping each row intact', async () => {
      const p = file('groups.parquet');
      const ids = range(1000);
      writeParquet(p, {
        rowGroupSize: 128,
        codec: 'GZIP',
        compressors: { GZIP: gzip },
        columnData: [
          { name: 'id', data: ids, type: 'INT32' },
          { name: 'half', data: ids.map((i) => i / 2), type: 'DOUBLE' },
          { name: 'label', data: ids.map((i) => (i % 10 === 0 ? null : `r${i}`)), type: 'STRING' },
        ],
      });
      const a = await readSnapshot(p, { sampleRows: 50, seed: 3 });
      const b = await readSnapshot(p, { sampleRows: 50, seed: 3 });
      const c = await readSnapshot(p, { sampleRows: 50, seed: 4 });
      assert.equal(a.totalRows, 1000);
      assert.deepEqual(a.rowIndices, sampleIndices(1000, 50, 3));
      assert.deepStrictEqual(a.rows, b.rows);
      assert.notDeepEqual(a.rowIndices, c.rowIndices);
      a.rows.forEach((row, k) => {
        const i = a.rowIndices[k];
        assert.deepStrictEqual(row, { id: i, half: i / 2, label: i % 10 === 0 ? null : `r${i}` });
      });
    });

    it('reads only the requested columns, in file order, ignoring unknown names', async () => {
      const p = file('select.parquet');
      writeParquet(p, {
        columnData: [
          { name: 'a', data: [1, 2], type: 'INT32' },
          { name: 'b', data: ['x', 'y'], type: 'STRING' },
          { name: 'c', data: [true, false], type: 'BOOLEAN' },
        ],
      });
      const table = await readSnapshot(p, { sampleRows: 0, seed: 0, columns: ['c', 'a', 'nope'] });
      assert.deepEqual(table.columns, [
        { name: 'a', type: 'integer' },
        { name: 'c', type: 'boolean' },
      ]);
      assert.deepStrictEqual(table.rows, [
        { a: 1, c: true },
        { a: 2, c: false },
      ]);
      const none = await readSnapshot(p, { sampleRows: 0, seed: 0, columns: [] });
      assert.deepEqual(none.columns, []);
      assert.equal(none.totalRows, 2);
      assert.deepStrictEqual(none.rows, [{}, {}]);
    });
  });

  describe('Arrow IPC', () => {
    /** A table whose columns all hold a null in row 1. */
    function nullableTable(): Table {
      return new Table({
        i: vectorFromArray([1, null, 3], new Int32()),
        f: vectorFromArray([1.5, null, -2], new Float64()),
        s: vectorFromArray(['x', null, 'y'], new Dictionary(new Utf8(), new Int32())),
        t: vectorFromArray([new Date(1000), null, new Date(3000)], new TimestampMillisecond()),
      });
    }

    const nullableRows: Row[] = [
      { i: 1, f: 1.5, s: 'x', t: new Date(1000) },
      { i: null, f: null, s: null, t: null },
      { i: 3, f: -2, s: 'y', t: new Date(3000) },
    ];

    it('reads the file format, with nulls as null rather than 0', async () => {
      const p = file('nulls.arrow');
      fs.writeFileSync(p, tableToIPC(nullableTable(), 'file'));
      const table = await readSnapshot(p, ALL);
      assert.deepEqual(table.columns, [
        { name: 'i', type: 'integer' },
        { name: 'f', type: 'number' },
        { name: 's', type: 'string' },
        { name: 't', type: 'date' },
      ]);
      assert.deepStrictEqual(table.rows, nullableRows);
    });

    it('reads the stream format under .feather and .ipc', async () => {
      for (const name of ['nulls.feather', 'nulls.ipc']) {
        const p = file(name);
        fs.writeFileSync(p, tableToIPC(nullableTable(), 'stream'));
        const table = await readSnapshot(p, ALL);
        assert.equal(table.totalRows, 3);
        assert.deepStrictEqual(table.rows, nullableRows, name);
      }
    });

    it('converts Int64 to numbers, keeps booleans and plain strings', async () => {
      const p = file('plain.arrow');
      const t = tableFromArrays({
        big: BigInt64Array.from([1n, -2n, 9007199254740993n]),
        f32: Float32Array.from([0.5, 1, 2]),
        s: ['a', 'b', 'c'],
      });
      fs.writeFileSync(p, tableToIPC(t, 'file'));
      const table = await readSnapshot(p, ALL);
      assert.deepEqual(
        table.columns.map((c) => c.type),
        ['integer', 'number', 'string'],
      );
      assert.deepStrictEqual(table.rows, [
        { big: 1, f32: 0.5, s: 'a' },
        { big: -2, f32: 1, s: 'b' },
        { big: Number(9007199254740993n), f32: 2, s: 'c' },
      ]);
    });

    it('samples across record batches and selects columns', async () => {
      // Plain Utf8 rather than tableFromArrays' dictionaries: the file format forbids replacing a
      // dictionary between batches.
      const batch = (from: number) =>
        new Table({
          id: vectorFromArray(Int32Array.from(range(100).map((i) => from + i))),
          sq: vectorFromArray(Float64Array.from(range(100).map((i) => (from + i) ** 2))),
          name: vectorFromArray(range(100).map((i) => `n${from + i}`), new Utf8()),
        });
      const whole = batch(0).concat(batch(100), batch(200));
      assert.equal(whole.batches.length, 3);
      const p = file('batches.arrow');
      fs.writeFileSync(p, tableToIPC(whole, 'file'));
      const table = await readSnapshot(p, { sampleRows: 30, seed: 11, columns: ['sq', 'id'] });
      assert.equal(table.totalRows, 300);
      assert.deepEqual(table.rowIndices, sampleIndices(300, 30, 11));
      assert.deepEqual(table.columns, [
        { name: 'id', type: 'integer' },
        { name: 'sq', type: 'number' },
      ]);
      table.rows.forEach((row, k) => {
        const i = table.rowIndices[k];
        assert.deepStrictEqual(row, { id: i, sq: i * i });
      });
    });

    it('reads LZ4-frame compressed batches (the pyarrow Feather default)', async () => {
      const original = compressionRegistry.get(CompressionType.LZ4_FRAME);
      compressionRegistry.set(CompressionType.LZ4_FRAME, { encode: lz4FrameEncode });
      let bytes: Uint8Array;
      try {
        const t = tableFromArrays({
          id: Int32Array.from(range(5000)),
          label: range(5000).map((i) => `label-${i % 7}`),
        });
        bytes = tableToIPC(t, 'file', CompressionType.LZ4_FRAME);
      } finally {
        // Leave the registry as found: an encoder-only codec cannot read.
        compressionRegistry.set(CompressionType.LZ4_FRAME, original ?? {});
      }
      const p = file('lz4.feather');
      fs.writeFileSync(p, bytes);
      const table = await readSnapshot(p, { sampleRows: 40, seed: 5 });
      assert.equal(table.totalRows, 5000);
      table.rows.forEach((row, k) => {
        const i = table.rowIndices[k];
        assert.deepStrictEqual(row, { id: i, label: `label-${i % 7}` });
      });
    });
  });

  describe('LZ4 frame decoder', () => {
    it('decodes frames written by the lz4 command', () => {
      const small = 'BCJNGGRApy0AAADfZmVhdHVyZWd1YXJkIA0ABj8hIGEBABW/IDAxMjM0NTY3ODkLAAJQOSBlbmQAAAAAkcHkyA==';
      const withSize = 'BCJNGHxAdgAAAAAAAAB5LQAAAN9mZWF0dXJlZ3VhcmQgDQAGPyEgYQEAFb8gMDEyMzQ1Njc4OQsAAlA5IGVuZH7bJFEAAAAAkcHkyA==';
      const text = 'featureguard featureguard featureguard! ' + 'a'.repeat(41) + ' 0123456789 0123456789 0123456789 end';
      for (const b64 of [small, withSize]) {
        assert.equal(Buffer.from(decodeLz4Frame(Buffer.from(b64, 'base64'))).toString('latin1'), text);
      }
    });

    it('decodes linked multi-block frames', () => {
      const decoded = decodeLz4Frame(Buffer.from(LZ4_CLI_LINKED_BLOCKS, 'base64'));
      assert.equal(decoded.length, LZ4_CLI_LINKED_TEXT.length);
      assert.equal(Buffer.from(decoded).toString('latin1'), LZ4_CLI_LINKED_TEXT);
    });

    it('round-trips the test encoder, including stored blocks', () => {
      const input = Buffer.from(range(70_000).map((i) => String.fromCharCode(32 + ((i * 7919) % 90))).join(''), 'latin1');
      assert.deepEqual(Buffer.from(decodeLz4Frame(lz4FrameEncode(input))), input);
    });

    it('rejects data that is not an LZ4 frame', () => {
      assert.throws(() => decodeLz4Frame(Buffer.from('not lz4 at all')), /magic/);
    });
  });

  describe('CSV', () => {
    it('parses quotes, escaped quotes, CRLF, embedded newlines, blank lines and a BOM', async () => {
      const p = file('people.csv');
      fs.writeFileSync(
        p,
        '\ufeff,id,name,score,flag,when,mixed,empty\r\n' +
          '0,1,"Smith, John",1.5,true,2024-01-02,1,\r\n' +
          '1,2,"say ""hi""",NaN,False,2024-01-03T10:00:00,x,\r\n' +
          '2,3,"multi\nline",-Infinity,TRUE,2024-01-04 12:30:00Z,2.5,\r\n' +
          '\r\n' +
          '3,,"",inf,,2024-01-05T00:00:00+01:00,,\r\n',
      );
      const table = await readSnapshot(p, ALL);
      assert.equal(table.totalRows, 4);
      assert.deepEqual(table.columns, [
        { name: 'Unnamed: 0', type: 'integer' },
        { name: 'id', type: 'integer' },
        { name: 'name', type: 'string' },
        { name: 'score', type: 'number' },
        { name: 'flag', type: 'boolean' },
        { name: 'when', type: 'date' },
        { name: 'mixed', type: 'string' },
        { name: 'empty', type: 'unknown' },
      ]);
      assert.deepStrictEqual(table.rows, [
        { 'Unnamed: 0': 0, id: 1, name: 'Smith, John', score: 1.5, flag: true, when: new Date('2024-01-02T00:00:00Z'), mixed: '1', empty: null },
        { 'Unnamed: 0': 1, id: 2, name: 'say "hi"', score: NaN, flag: false, when: new Date('2024-01-03T10:00:00Z'), mixed: 'x', empty: null },
        { 'Unnamed: 0': 2, id: 3, name: 'multi\nline', score: -Infinity, flag: true, when: new Date('2024-01-04T12:30:00Z'), mixed: '2.5', empty: null },
        { 'Unnamed: 0': 3, id: null, name: null, score: Infinity, flag: null, when: new Date('2024-01-04T23:00:00Z'), mixed: null, empty: null },
      ]);
    });

    it('keeps text types when values are mixed, and reads a file without a final newline', async () => {
      const p = file('mixed.csv');
      fs.writeFileSync(p, 'n,d,q,dup,dup\n1,2024-01-01,5" screen,a,b\n2.5,soon,plain,c,d');
      const table = await readSnapshot(p, ALL);
      assert.deepEqual(table.columns, [
        { name: 'n', type: 'number' },
        { name: 'd', type: 'string' },
        { name: 'q', type: 'string' },
        { name: 'dup', type: 'string' },
        { name: 'dup.1', type: 'string' },
      ]);
      assert.deepStrictEqual(table.rows, [
        { n: 1, d: '2024-01-01', q: '5" screen', dup: 'a', 'dup.1': 'b' },
        { n: 2.5, d: 'soon', q: 'plain', dup: 'c', 'dup.1': 'd' },
      ]);
    });

    it('samples deterministically and selects columns', async () => {
      const p = file('many.csv');
      fs.writeFileSync(p, 'id,v,w\n' + range(300).map((i) => `${i},${i * 3},"w${i}"`).join('\n') + '\n');
      const a = await readSnapshot(p, { sampleRows: 25, seed: 9, columns: ['v', 'id'] });
      const b = await readSnapshot(p, { sampleRows: 25, seed: 9, columns: ['v', 'id'] });
      assert.equal(a.totalRows, 300);
      assert.deepEqual(a.rowIndices, sampleIndices(300, 25, 9));
      assert.deepStrictEqual(a.rows, b.rows);
      assert.deepEqual(a.columns, [
        { name: 'id', type: 'integer' },
        { name: 'v', type: 'integer' },
      ]);
      a.rows.forEach((row, k) => assert.deepStrictEqual(row, { id: a.rowIndices[k], v: a.rowIndices[k] * 3 }));
    });

    it('fills missing trailing fields with null and rejects extra ones', async () => {
      const short = file('short.csv');
      fs.writeFileSync(short, 'a,b,c\n1,2\n');
      assert.deepStrictEqual((await readSnapshot(short, ALL)).rows, [{ a: 1, b: 2, c: null }]);
      const long = file('long.csv');
      fs.writeFileSync(long, 'a,b\n1,2\n1,2,3\n');
      await assertUserError(readSnapshot(long, ALL, 'data/long.csv'), 'data/long.csv is not a readable CSV file: row 2 has 3 fields but the header has 2');
    });

    it('reports a quote that is never closed', async () => {
      const p = file('open.csv');
      // The multi-line quoted field before it must count toward the line number.
      fs.writeFileSync(p, 'a,b\n"x\ny",2\n3,"unclosed\n4,5\n');
      await assertUserError(readSnapshot(p, ALL, 'data/open.csv'), 'data/open.csv is not a readable CSV file: a quoted field opened on line 4 is never closed');
    });
  });

  describe('errors', () => {
    it('names a missing file', async () => {
      await assertUserError(readSnapshot(file('missing.parquet'), ALL, 'data/x.parquet'), 'snapshot file not found: data/x.parquet');
    });

    it('recognizes a Git LFS pointer in place of the data', async () => {
      const pointer = 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n';
      for (const name of ['lfs.parquet', 'lfs.arrow', 'lfs.csv']) {
        fs.writeFileSync(file(name), pointer);
        await assertUserError(
          readSnapshot(file(name), ALL, `data/${name}`),
          `data/${name} is a Git LFS pointer, not the snapshot data: run \`git lfs pull\` to download it`,
        );
      }
    });

    it('reports a truncated Parquet file', async () => {
      const bytes = Buffer.from(parquetWriteBuffer({ columnData: [{ name: 'a', data: range(100), type: 'INT32' }] }));
      const p = file('truncated.parquet');
      fs.writeFileSync(p, bytes.subarray(0, Math.floor(bytes.length / 2)));
      await assertUserError(
        readSnapshot(p, ALL, 'data/x.parquet'),
        'data/x.parquet is not a readable Parquet file: it does not end with the Parquet magic bytes PAR1 (the file is truncated or was not fully written)',
      );
    });

    it('wraps the library error for a Parquet file with a corrupt footer', async () => {
      const bytes = Buffer.from(parquetWriteBuffer({ columnData: [{ name: 'a', data: range(100), type: 'INT32' }] }));
      const metadataLength = bytes.readUInt32LE(bytes.length - 8);
      bytes.fill(0xff, bytes.length - 8 - metadataLength, bytes.length - 8);
      const p = file('corrupt.parquet');
      fs.writeFileSync(p, bytes);
      await assertUserError(readSnapshot(p, ALL, 'data/x.parquet'), /^data\/x\.parquet is not a readable Parquet file: \S/);
    });

    it('reports a non-Parquet file with a .parquet name', async () => {
      const p = file('text.parquet');
      fs.writeFileSync(p, 'id,value\n1,2\n3,4\n');
      await assertUserError(readSnapshot(p, ALL, 'data/x.parquet'), 'data/x.parquet is not a readable Parquet file: it does not start with the Parquet magic bytes PAR1');
    });

    it('reports an Arrow file with the wrong magic bytes', async () => {
      const p = file('wrong.arrow');
      fs.writeFileSync(p, 'this is certainly not Arrow data, it is text');
      await assertUserError(
        readSnapshot(p, ALL, 'data/x.arrow'),
        'data/x.arrow is not a readable Arrow IPC file: it starts with neither the Arrow file magic ARROW1 nor an Arrow stream message',
      );
    });

    it('reports truncated Arrow files and streams', async () => {
      const t = tableFromArrays({ id: Int32Array.from(range(1000)), name: range(1000).map((i) => `n${i}`) });
      const asFile = tableToIPC(t, 'file');
      const p = file('truncated.arrow');
      fs.writeFileSync(p, asFile.subarray(0, Math.floor(asFile.length * 0.6)));
      await assertUserError(
        readSnapshot(p, ALL, 'data/x.arrow'),
        'data/x.arrow is not a readable Arrow IPC file: it does not end with the Arrow magic bytes ARROW1 (the file is truncated or was not fully written)',
      );
      const asStream = tableToIPC(t, 'stream');
      const s = file('truncated-stream.arrow');
      fs.writeFileSync(s, asStream.subarray(0, Math.floor(asStream.length * 0.6)));
      await assertUserError(readSnapshot(s, ALL, 'data/s.arrow'), /^data\/s\.arrow is not a readable Arrow IPC file: \S/);
    });

    it('rejects an unknown extension, naming the file', async () => {
      const p = file('data.json');
      fs.writeFileSync(p, '[]');
      await assertUserError(
        readSnapshot(p, ALL, 'data/x.json'),
        'data/x.json: unsupported snapshot format ".json"; use .parquet, .arrow, .feather, .ipc or .csv',
      );
    });

    it('rejects a directory', async () => {
      const p = file('spark.parquet');
      fs.mkdirSync(p);
      await assertUserError(readSnapshot(p, ALL, 'data/spark.parquet'), /^data\/spark\.parquet is a directory, not a snapshot file/);
    });

    it('rejects files without columns', async () => {
      const pq = file('empty.parquet');
      writeParquet(pq, { columnData: [] });
      await assertUserError(readSnapshot(pq, ALL, 'data/e.parquet'), 'data/e.parquet has no columns');
      const arrow = file('empty.arrow');
      fs.writeFileSync(arrow, tableToIPC(new Table(), 'file'));
      await assertUserError(readSnapshot(arrow, ALL, 'data/e.arrow'), 'data/e.arrow has no columns');
      const csv = file('empty.csv');
      fs.writeFileSync(csv, '\n\n');
      await assertUserError(readSnapshot(csv, ALL, 'data/e.csv'), 'data/e.csv has no columns');
    });

    it('reports an empty Parquet file', async () => {
      const p = file('zero.parquet');
      fs.writeFileSync(p, '');
      await assertUserError(readSnapshot(p, ALL, 'data/z.parquet'), 'data/z.parquet is not a readable Parquet file: the file is empty');
    });
  });
});
