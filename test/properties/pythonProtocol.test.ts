/**
 * Property: values cross the binary protocol to the Python worker and back exactly. Random columns
 * (safe integers, doubles with -0 and subnormals, Unicode strings, booleans, millisecond
 * timestamps, nulls anywhere) go to Debian's python3 as typed buffers; a row feature returns each
 * column's value unchanged; what comes back must be the same values, bit for bit (NaN is the one
 * exception by design: pandas' missing value, it comes back as null).
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { encodeColumns } from '../../engine/exec/python/pythonWire';
import { runPythonBatch } from '../../engine/exec/python/runPython';
import type { CellValue, ColumnType } from '../../engine/data/table';

const PYTHON = '/usr/bin/python3';

type Column = { name: string; type: ColumnType; values: CellValue[] };

const withNulls = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 5, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(null) });

function columnsOf(n: number): fc.Arbitrary<Column[]> {
  return fc.tuple(
    fc.array(withNulls(fc.maxSafeInteger()), { minLength: n, maxLength: n }),
    fc.array(withNulls(fc.double({ noNaN: true })), { minLength: n, maxLength: n }),
    fc.array(withNulls(fc.string({ unit: 'grapheme', maxLength: 12 })), { minLength: n, maxLength: n }),
    fc.array(withNulls(fc.boolean()), { minLength: n, maxLength: n }),
    fc.array(withNulls(fc.integer({ min: -5e12, max: 5e12 }).map((ms) => new Date(ms))), { minLength: n, maxLength: n }),
  ).map(([ints, doubles, strings, bools, dates]) => [
    { name: 'i', type: 'integer', values: ints },
    { name: 'd', type: 'number', values: doubles },
    { name: 's', type: 'string', values: strings },
    { name: 'b', type: 'boolean', values: bools },
    { name: 't', type: 'date', values: dates },
  ]);
}

const echo = `def echo_i(row):\n    return row["i"]\n\n\ndef echo_d(row):\n    return row["d"]\n\n\ndef echo_s(row):\n    return row["s"]\n\n\ndef echo_b(row):\n    return row["b"]\n\n\ndef echo_t(row):\n    return row["t"]\n`;

describe('properties: the Python protocol', function () {
  this.timeout(180000);

  it('every value round-trips to Python and back exactly (integers, doubles, strings, booleans, timestamps, nulls)', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 40 }).chain((n) => fc.tuple(fc.constant(n), columnsOf(n))), async ([n, columns]) => {
        runs++;
        const { headers, buffers } = encodeColumns(columns, n);
        const names = ['i', 'd', 's', 'b', 't'];
        const outcomes = await runPythonBatch(
          {
            interpreter: PYTHON,
            modules: { echo: { path: '/virtual/echo.py', source: echo, package: false } },
            rowCount: n,
            columnHeaders: headers,
            columnBuffers: buffers,
            jobs: names.map((c) => ({ name: c, module: 'echo', function: `echo_${c}`, kind: 'row', output: c, examples: [], repeatRows: 0 })),
          },
          { timeoutMs: 20000, memoryMb: 1024 },
        );
        for (const [k, c] of names.entries()) {
          const o = outcomes[k];
          assert.ok(o && o.ok, `column ${c}: ${JSON.stringify(o)}`);
          assert.equal(o.errorCount, 0, JSON.stringify(o.errors));
          const sent = columns[k].values;
          for (let i = 0; i < n; i++) {
            const back = o.values[i];
            const v = sent[i];
            if (v instanceof Date) assert.ok(back instanceof Date && back.getTime() === v.getTime(), `${c}[${i}]: sent ${v.toISOString()} got ${String(back)}`);
            else assert.ok(Object.is(back, v), `${c}[${i}]: sent ${JSON.stringify(v)} (${Object.is(v, -0) ? '-0' : typeof v}) got ${JSON.stringify(back)}`);
          }
        }
      }),
      { numRuns: 40 },
    );
    assert.equal(runs, 40);
  });
});
