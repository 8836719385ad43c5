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
});
