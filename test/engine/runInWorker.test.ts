import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { CancelledError } from '../../engine/errors';
import { runBatch } from '../../engine/exec/runInWorker';
import { dictionaryOf, MAX_DICTIONARY, undictionary, type WorkerBatch } from '../../engine/exec/workerProtocol';
import { runCheck } from '../../engine/runCheck';
import { edit, repo } from '../e2e/featureRepo';
import { removeTempDirs } from '../helpers';

/** This process's worker processes (feature code runs in `node -e` children). */
function workerProcesses(): string[] {
  try {
    return execFileSync('pgrep', ['-a', '-P', String(process.pid)], { encoding: 'utf8' }).trim().split('\n').filter((l) => / -e /.test(l));
  } catch {
    return []; // pgrep exits 1 when there is no child
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 50 && workerProcesses().length; i++) await new Promise((r) => setTimeout(r, 100));
}

/**
 * The worker runner against real worker processes. A worker that replied and exited must never be
 * taken for one that died: the parent can see the exit before it has read the last replies.
 */
describe('runBatch (worker processes)', function () {
  this.timeout(120000);

  const batch = (jobs: number): WorkerBatch => ({
    code: 'exports.double = (row) => row.x * 2; exports.boom = () => { throw "bad"; };',
    requireFrom: tmpdir(),
    rowCount: 3,
    columns: [{ name: 'x', numbers: new Float64Array([1, 2, 3]), nulls: new Uint8Array([0, 1, 0]) }],
    jobs: Array.from({ length: jobs }, (_, i) => ({ exportKey: i % 2 ? 'boom' : 'double', kind: 'row' as const, extraRows: [], repeatRows: 0 })),
  });

  it('receives numeric columns whole on its data pipe, beside the other columns in its message', async () => {
    // 300k rows: each numeric column (2.7 MB with its null mask) is many times a pipe's buffer.
    const n = 300_000;
    const a = Float64Array.from({ length: n }, (_, i) => i * 0.5);
    const b = Float64Array.from({ length: n }, (_, i) => (i % 11) - 5);
    const bNulls = Uint8Array.from({ length: n }, (_, i) => (i % 13 === 0 ? 1 : 0));
    const s = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 'x' : 'y'));
    const [outcome] = await runBatch(
      {
        code: 'exports.f = (row) => row.a + (row.b === null ? 1000 : row.b * 2) + (row.s === "x" ? 0.25 : 0);',
        requireFrom: tmpdir(),
        rowCount: n,
        columns: [{ name: 'a', numbers: a, nulls: new Uint8Array(n) }, { name: 's', values: s }, { name: 'b', numbers: b, nulls: bNulls }],
        jobs: [{ exportKey: 'f', kind: 'row', extraRows: [], repeatRows: 0 }],
      },
      { timeoutMs: 60000, memoryMb: 512 },
    );
    assert.ok(outcome.ok, outcome.ok ? '' : outcome.message);
    assert.equal(outcome.values.length, n);
    let wrong = 0;
    for (let i = 0; i < n; i++) {
      const expected = i * 0.5 + (i % 13 === 0 ? 1000 : ((i % 11) - 5) * 2) + (i % 3 === 0 ? 0.25 : 0);
      if (outcome.values[i] !== expected) wrong++;
    }
    assert.equal(wrong, 0, 'every row saw its own values of a, b (null where masked) and s');
  });

  it('gives the worker every value of its other columns exactly: few strings, booleans, nulls and undefined by dictionary; many strings, dates and mixed numbers as they are', async () => {
    const n = 200_000;
    const few = Array.from({ length: n }, (_, i) => [null, 'a', true, 'b', false, undefined, 'é ✓', ''][i % 8]);
    const many = Array.from({ length: n }, (_, i) => `id-${i}`); // beyond MAX_DICTIONARY distinct values
    const dates = Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : new Date(86_400_000 * (i % 400))));
    const mixed = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? -0 : i % 3 === 1 ? 'x' : i));
    assert.ok(dictionaryOf(few) && !dictionaryOf(many) && !dictionaryOf(dates) && !dictionaryOf(mixed));
    assert.equal(dictionaryOf(few)!.dictionary.length, 8);
    assert.deepEqual(undictionary(dictionaryOf(few)!.dictionary, dictionaryOf(few)!.codes), few);
    assert.equal(dictionaryOf(Array.from({ length: MAX_DICTIONARY }, (_, i) => String(i)))!.dictionary.length, MAX_DICTIONARY);
    const show = (v: unknown) => (v === undefined ? 'undefined' : v instanceof Date ? `date ${v.getTime()}` : `${typeof v} ${Object.is(v, -0) ? '-0' : String(v)}`);
    const columns = [{ name: 'few', values: few }, { name: 'many', values: many }, { name: 'dates', values: dates }, { name: 'mixed', values: mixed }];
    const [outcome] = await runBatch(
      {
        code: `const d = ${show.toString()}; exports.f = (row) => [d(row.few), d(row.many), d(row.dates), d(row.mixed), Object.keys(row).join()].join('|');`,
        requireFrom: tmpdir(),
        rowCount: n,
        columns,
        jobs: [{ exportKey: 'f', kind: 'row', extraRows: [], repeatRows: 0 }],
      },
      { timeoutMs: 60000, memoryMb: 512 },
    );
    assert.ok(outcome.ok, outcome.ok ? '' : outcome.message);
    let wrong = 0;
    for (let i = 0; i < n; i++) {
      const expected = [show(few[i]), show(many[i]), show(dates[i]), show(mixed[i]), 'few,many,dates,mixed'].join('|');
      if (outcome.values[i] !== expected && wrong++ < 3) assert.equal(outcome.values[i], expected, `row ${i}`);
    }
    assert.equal(wrong, 0);
  });

  it('gets every reply of 120 short-lived workers, four at a time, while the event loop is busy', async () => {
    const failures: string[] = [];
    for (let round = 0; round < 30; round++) {
      const outcomes = await Promise.all(
        [1, 2, 3, 4].map((n) =>
          runBatch(batch(n), { timeoutMs: 20000, memoryMb: 256 }, (index, outcome) => {
            if (!outcome.ok) failures.push(`job ${index} of ${n}: ${outcome.message}`);
            else if (index % 2 === 0 && outcome.errorCount !== 0) failures.push(`job ${index} of ${n}: ${outcome.errorCount} row errors`);
            // A consumer that blocks the parent's event loop, so exit and message events queue up together.
            const until = Date.now() + 5;
            while (Date.now() < until);
          }).then(() => n),
        ),
      );
      assert.deepEqual(outcomes, [1, 2, 3, 4]);
    }
    assert.equal(failures.join('\n'), '');
    // Outcomes arrive through the callback; collect them in a second pass to check their content.
    for (let round = 0; round < 10; round++) {
      const results = await runBatch(batch(2), { timeoutMs: 20000, memoryMb: 256 });
      for (const r of results) if (!r.ok) failures.push(`${r.message}`);
      assert.equal(results.length, 2);
      assert.ok(results[0].ok, `first job failed: ${JSON.stringify(results[0])}`);
      if (results[0].ok) assert.deepEqual(Array.from(results[0].values as ArrayLike<unknown>), [2, 0, 6]);
      assert.ok(results[1].ok && results[1].errorCount === 3 && /non-Error value: "bad"/.test(results[1].errors[0].message), JSON.stringify(results[1]));
    }
    assert.equal(failures.join('\n'), '');
  });

  it('aborting a batch kills its worker at once: the job in progress is cancelled, later jobs get no outcome', async () => {
    const stop = new AbortController();
    const loop = { ...batch(1), code: 'exports.spin = () => { for (;;); }; exports.double = (row) => row.x * 2;' };
    loop.jobs = [{ exportKey: 'spin', kind: 'row', extraRows: [], repeatRows: 0 }, { exportKey: 'double', kind: 'row', extraRows: [], repeatRows: 0 }];
    setTimeout(() => stop.abort(), 300);
    // The budget is ten minutes: only the abort can end this within mocha's timeout.
    const outcomes = await runBatch(loop, { timeoutMs: 600_000, memoryMb: 256 }, undefined, stop.signal);
    assert.deepEqual(outcomes, [{ ok: false, reason: 'cancelled', message: 'the check was cancelled' }]);
    await settle();
    assert.deepEqual(workerProcesses(), []);
  });

  it('a cancelled check stops its workers and reports nothing, even while a feature loops', async () => {
    const root = repo('parquet', { timeoutMs: 600_000 });
    edit(root, 'return row.spend;', 'for (;;); return row.spend;');
    edit(root, 'return row.age;', 'return row.age + 1;');
    const token = { isCancellationRequested: false };
    setTimeout(() => (token.isCancellationRequested = true), 1500);
    await assert.rejects(runCheck({ cwd: root, diskCache: false }, token), CancelledError);
    await settle();
    assert.deepEqual(workerProcesses(), []);
  });

  after(removeTempDirs);
});
