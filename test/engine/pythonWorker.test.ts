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

  it('every wire type reaches Python exactly: safe integers to ±2^53, -0, NaN, nulls, ASCII and other text, lone surrogates, booleans, timestamps, all-null columns', async () => {
    const ints = [-(2 ** 53 - 1), -1, 0, 2 ** 53 - 1, 2 ** 32, -(2 ** 32), 123456789012, null];
    const cols: Column[] = [
      { name: 'i', type: 'integer', values: ints },
      { name: 'f', type: 'number', values: [1.5, -0, Number.NaN, null, 1e308, -2.5e-308, 3, 0.1] },
      { name: 'big', type: 'integer', values: [2 ** 53, 1, 2, 3, 4, 5, 6, 7] },
      { name: 'a', type: 'string', values: ['north', '', null, 'x', 'south', 'y', 'z', 'w'] },
      { name: 'u', type: 'string', values: ['Zürich', '\ud83d', '\ude00x', null, '日本', 'a', 'é', ''] },
      { name: 'b', type: 'boolean', values: [true, false, null, true, false, true, false, true] },
      { name: 't', type: 'date', values: [new Date(0), new Date(Date.UTC(2024, 1, 29, 12)), null, new Date(-86400000), new Date(1), new Date(2), new Date(3), new Date(4)] },
      { name: 'none', type: 'number', values: [null, null, null, null, null, null, null, null] },
      { name: 'snone', type: 'string', values: [null, null, null, null, null, null, null, null] },
    ];
    const source = [
      'import math',
      'def show(row):',
      '    out = []',
      '    for k in ["i", "f", "big", "a", "u", "b", "t", "none", "snone"]:',
      '        v = row[k]',
      '        if isinstance(v, float):',
      '            v = "nan" if math.isnan(v) else repr(v)',
      '        elif hasattr(v, "isoformat"):',
      '            v = v.isoformat()',
      '        out.append(type(row[k]).__name__ + ":" + str(v))',
      '    return " ".join(out)',
    ].join('\n');
    const [o] = await run(source, cols, [{ function: 'show' }]);
    assert.deepEqual(valuesOf(o), [
      'int:-9007199254740991 float:1.5 float:9007199254740992.0 str:north str:Zürich bool:True datetime:1970-01-01T00:00:00+00:00 NoneType:None NoneType:None',
      'int:-1 float:-0.0 float:1.0 str: str:\ufffd bool:False datetime:2024-02-29T12:00:00+00:00 NoneType:None NoneType:None',
      'int:0 float:nan float:2.0 NoneType:None str:\ufffdx NoneType:None NoneType:None NoneType:None NoneType:None',
      'int:9007199254740991 NoneType:None float:3.0 str:x NoneType:None bool:True datetime:1969-12-31T00:00:00+00:00 NoneType:None NoneType:None',
      'int:4294967296 float:1e+308 float:4.0 str:south str:日本 bool:False datetime:1970-01-01T00:00:00.001000+00:00 NoneType:None NoneType:None',
      'int:-4294967296 float:-2.5e-308 float:5.0 str:y str:a bool:True datetime:1970-01-01T00:00:00.002000+00:00 NoneType:None NoneType:None',
      'int:123456789012 float:3.0 float:6.0 str:z str:é bool:False datetime:1970-01-01T00:00:00.003000+00:00 NoneType:None NoneType:None',
      'NoneType:None float:0.1 float:7.0 str:w str: bool:True datetime:1970-01-01T00:00:00.004000+00:00 NoneType:None NoneType:None',
    ]);
  });

  it('a string column of few distinct values (sent as a dictionary) reaches row and series features as the same strings, nulls included', async () => {
    const k = ['Zürich', null, 'Zürich', '\ud83d', 'a', 'a', '\ud83d', 'Zürich', '', 'a'];
    const source = [
      'import pandas as pd',
      'def row_k(row):\n    return "None" if row["k"] is None else type(row["k"]).__name__ + ":" + row["k"]',
      'def series_k(df: pd.DataFrame) -> pd.Series:\n    return df["k"].fillna("-") + "/" + str(df["k"].dtype)',
    ].join('\n\n');
    assert.equal(encodeColumns([{ name: 'k', type: 'string', values: k }], k.length).headers[0].type, 'cat');
    const out = await run(source, [{ name: 'k', type: 'string', values: k }], [{ function: 'row_k' }, { function: 'series_k', kind: 'series' }]);
    assert.deepEqual(valuesOf(out[0]), k.map((v) => (v === null ? 'None' : `str:${v === '\ud83d' ? '\ufffd' : v}`)));
    assert.deepEqual(valuesOf(out[1]), k.map((v) => `${v === null ? '-' : v === '\ud83d' ? '\ufffd' : v}/object`));
    // The same strings without repetition travel one by one, and arrive the same.
    const distinct = ['Zürich', null, '\ud83d', 'a', '', 'b'];
    assert.equal(encodeColumns([{ name: 'k', type: 'string', values: distinct }], distinct.length).headers[0].type, 'str');
    const [plain] = await run(source, [{ name: 'k', type: 'string', values: distinct }], [{ function: 'row_k' }]);
    assert.deepEqual(valuesOf(plain), distinct.map((v) => (v === null ? 'None' : `str:${v === '\ud83d' ? '\ufffd' : v}`)));
  });

  it('a job with its columns gets rows and frames of those only (as when checked alone); one without gets them all', async () => {
    const source = [
      'import pandas as pd',
      'def keys(row):\n    return ",".join(row)',
      'def frame_keys(df: pd.DataFrame) -> pd.Series:\n    return pd.Series([",".join(df.columns)] * len(df))',
      'def reads_other(row):\n    return row["t"]',
    ].join('\n\n');
    const out = await run(source, columns(), [
      { function: 'keys', columns: ['s', 'x', 'nope'] },
      { function: 'keys' },
      { function: 'frame_keys', kind: 'series', columns: ['n', 'x'] },
      { function: 'reads_other', columns: ['x'] },
    ]);
    assert.deepEqual(valuesOf(out[0]), ['x,s', 'x,s', 'x,s', 'x,s']);
    assert.deepEqual(valuesOf(out[1]), ['x,n,k,s,t', 'x,n,k,s,t', 'x,n,k,s,t', 'x,n,k,s,t']);
    assert.deepEqual(valuesOf(out[2]), ['x,n', 'x,n', 'x,n', 'x,n']);
    assert.ok(out[3].ok && out[3].errorCount === 4 && out[3].missingColumns?.includes('t'), JSON.stringify(out[3]));
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
