/**
 * The Python worker (engine/exec/python/featureguard_worker.py) fed by the engine's own encoder, in
 * Debian's python3 (3.11, numpy and pandas): every column type reaches every form with its values
 * and nulls, and what comes back is what the feature returned.
 */
import { strict as assert } from 'node:assert';
import type { CellValue, ColumnType } from '../../engine/data/table';
import type { RunOutcome } from '../../engine/exec/runInWorker';
import { encodeColumns } from '../../engine/exec/python/pythonWire';
import { runPythonBatch, type PythonJob } from '../../engine/exec/python/runPython';

const PYTHON = '/usr/bin/python3';

type Column = { name: string; type: ColumnType; values: CellValue[] };

async function run(source: string, columns: Column[], jobs: Partial<PythonJob>[]): Promise<RunOutcome[]> {
  const rowCount = columns[0].values.length;
  const { headers, buffers } = encodeColumns(columns, rowCount);
  return runPythonBatch(
    {
      interpreter: PYTHON,
      modules: { feats: { path: '/repo/feats.py', source, package: false } },
      rowCount,
      columnHeaders: headers,
      columnBuffers: buffers,
      jobs: jobs.map((j) => ({ name: j.function!, module: 'feats', function: j.function!, kind: 'row', output: j.function!, examples: [], repeatRows: rowCount, ...j })),
    },
    { timeoutMs: 60000, memoryMb: 512 },
  );
}

const valuesOf = (o: RunOutcome): unknown[] => {
  assert.ok(o.ok, o.ok ? '' : o.message);
  return o.values;
};

describe('the Python worker (python3, numpy, pandas)', function () {
  this.timeout(120000);

  it('a column of mixed values (sent as JSON) reaches row features with its nulls', async () => {
    const source = 'def kind(row):\n    v = row["m"]\n    return "none" if v is None else type(v).__name__\n';
    const [o] = await run(source, [{ name: 'm', type: 'unknown', values: [1, 'a', null, true] }], [{ function: 'kind' }]);
    assert.deepEqual(valuesOf(o), ['int', 'str', 'none', 'bool']);
  });

  const columns = (): Column[] => [
    { name: 'x', type: 'number', values: [1.5, null, -2, 0.25] },
    { name: 'n', type: 'integer', values: [3, 4, null, 6] },
    { name: 'k', type: 'integer', values: [7, 8, 9, 2 ** 40] },
    { name: 's', type: 'string', values: ['a', null, 'ünï', ''] },
    { name: 't', type: 'string', values: ['ab', 'c', null, 'de'] },
  ];

  it('row features: floats, NaN as null, numpy and int values, strings with and without non-ASCII characters', async () => {
    const source = [
      'import math',
      'import numpy as np',
      'def plain(row):\n    return row["x"] * 2',
      'def nan(row):\n    return math.nan if row["x"] is None else row["x"]',
      'def numpy(row):\n    return np.float64(row["k"]) / 2',
      'def whole(row):\n    return row["k"] + 1',
      'def text(row):\n    return (row["s"] or "-") + (row["t"] or "_")',
      'def fails(row):\n    return 1.0 / row["x"] if row["x"] != -2 else row["nope"]',
    ].join('\n\n');
    const out = await run(source, columns(), ['plain', 'nan', 'numpy', 'whole', 'text', 'fails'].map((f) => ({ function: f })));
    assert.deepEqual(valuesOf(out[0]), [3, undefined, -4, 0.5]); // the None row raised TypeError
    assert.equal(out[0].ok && out[0].errorCount, 1);
    assert.deepEqual(valuesOf(out[1]), [1.5, null, -2, 0.25]);
    assert.deepEqual(valuesOf(out[2]), [3.5, 4, 4.5, 2 ** 39]);
    assert.deepEqual(valuesOf(out[3]), [8, 9, 10, 2 ** 40 + 1]);
    assert.deepEqual(valuesOf(out[4]), ['aab', '-c', 'ünï_', '-de']);
    assert.deepEqual(valuesOf(out[5]), [1 / 1.5, undefined, undefined, 4]);
    assert.ok(out[5].ok && out[5].missingColumns?.includes('nope'));
  });

  it('series features: float, integer and boolean results, NaN as null, a Series indexed otherwise taken by position, a wrong length failing every row; the frame as built from the columns', async () => {
    const source = [
      'import numpy as np',
      'import pandas as pd',
      'def floats(df: pd.DataFrame) -> pd.Series:\n    return df["x"] * 2',
      'def ints(df: pd.DataFrame) -> pd.Series:\n    return df["k"] + 1',
      'def array(df: pd.DataFrame) -> pd.Series:\n    return np.arange(len(df), dtype=np.int32)',
      'def flags(df: pd.DataFrame) -> pd.Series:\n    return df["x"] > 0',
      'def shuffled(df: pd.DataFrame) -> pd.Series:\n    return pd.Series([10.0, 20.0, 30.0, 40.0], index=[3, 2, 1, 0])',
      'def short(df: pd.DataFrame) -> pd.Series:\n    return df["x"].iloc[:2]',
      'def dtypes(df: pd.DataFrame) -> pd.Series:\n    return pd.Series([str(df[c].dtype) for c in ["x", "n", "k", "s"]])',
      'def texts(df: pd.DataFrame) -> pd.Series:\n    return df["s"].fillna("-") + df["t"].fillna("_")',
      'def mutates(df: pd.DataFrame) -> pd.Series:\n    df["x"] = 0.0\n    return df["x"]',
      'def after(df: pd.DataFrame) -> pd.Series:\n    return df["x"]',
    ].join('\n\n');
    const names = ['floats', 'ints', 'array', 'flags', 'shuffled', 'short', 'dtypes', 'texts', 'mutates', 'after'];
    const out = await run(source, columns(), names.map((f) => ({ function: f, kind: 'series' })));
    assert.deepEqual(valuesOf(out[0]), [3, null, -4, 0.5]);
    assert.deepEqual(valuesOf(out[1]), [8, 9, 10, 2 ** 40 + 1]);
    assert.deepEqual(valuesOf(out[2]), [0, 1, 2, 3]);
    assert.deepEqual(valuesOf(out[3]), [true, false, false, true]);
    assert.deepEqual(valuesOf(out[4]), [10, 20, 30, 40]);
    assert.deepEqual(valuesOf(out[5]), [undefined, undefined, undefined, undefined]);
    assert.ok(out[5].ok && out[5].errors[0].message.includes('returned 2 values for 4 rows'));
    assert.deepEqual(valuesOf(out[6]), ['float64', 'float64', 'int64', 'object']);
    assert.deepEqual(valuesOf(out[7]), ['aab', '-c', 'ünï_', 'de']);
    assert.deepEqual(valuesOf(out[8]), [0, 0, 0, 0]);
    // Every feature gets the columns as they are, whatever the one before did to its frame.
    assert.deepEqual(valuesOf(out[9]), [1.5, null, -2, 0.25]);
    for (const o of out) assert.ok(o.ok && o.nondeterministic === 0);
  });
});
