/**
 * Number columns are kept as raw doubles (eight bytes a value, nothing for the garbage collector
 * to trace), whatever was read before them: V8 remembers per allocation site the most general kind
 * of element any array made there held, so a string or null column read first used to turn every
 * later number column into an array of heap objects. Checked with V8's own `%HasDoubleElements`.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { doubles } from '../../engine/data/cellValue';
import { readSnapshot } from '../../engine/data/readSnapshot';

v8.setFlagsFromString('--allow-natives-syntax');
const hasDoubleElements = new Function('a', 'return %HasDoubleElements(a);') as (a: unknown) => boolean;

describe('number columns as raw doubles', () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-elements-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads number columns after string and null columns as double arrays, values unchanged', async () => {
    const n = 5000;
    const file = path.join(dir, 'mixed.parquet');
    const x = Array.from({ length: n }, (_, i) => i * 0.5);
    const y = Array.from({ length: n }, (_, i) => -i / 3);
    fs.writeFileSync(file, Buffer.from(parquetWriteBuffer({
      columnData: [
        { name: 'seg', data: Array.from({ length: n }, (_, i) => ['a', 'b', 'c'][i % 3]), type: 'STRING' },
        { name: 'gappy', data: Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : i * 1.5)), type: 'DOUBLE' },
        { name: 'x', data: x, type: 'DOUBLE' },
        { name: 'y', data: y, type: 'DOUBLE' },
      ],
    })));
    for (let round = 0; round < 3; round++) {
      const t = await readSnapshot(file, { sampleRows: 0, seed: 0 });
      const col = (name: string) => t.values[t.columns.findIndex((c) => c.name === name)];
      assert.equal(hasDoubleElements(col('seg')), false);
      assert.equal(col('gappy')[0], null);
      assert.equal(hasDoubleElements(col('x')), true, 'x is a double array');
      assert.equal(hasDoubleElements(col('y')), true, 'y is a double array');
      assert.deepEqual(col('x'), x);
      assert.deepEqual(col('y'), y);
    }
  });

  it('copies numbers into a double array of their length: none, one, many, with -0, NaN and infinities', () => {
    assert.deepEqual(doubles(new Float64Array(0)), []);
    const one = doubles(Float64Array.of(7));
    // The kind first: optimized code that has compared arrays of other kinds (assert's, after the
    // other test files) may move a double array it reads to the general kind.
    assert.equal(hasDoubleElements(one), true);
    assert.deepEqual(one, [7]);
    const special = Float64Array.from({ length: 100_003 }, (_, i) => [-0, Number.NaN, Infinity, -Infinity, 3][i % 5] * (i % 5 === 4 ? i : 1));
    const out = doubles(special);
    assert.equal(out.length, special.length);
    assert.equal(hasDoubleElements(out), true);
    for (let i = 0; i < special.length; i++) assert.ok(Object.is(out[i], special[i]), `index ${i}`);
    assert.deepEqual(doubles([1, 2, 3]), [1, 2, 3]);
  });
});
