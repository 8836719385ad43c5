/**
 * How many workers a check runs its features in, end to end with the built CLI: with the base
 * values cached, the target's features are dealt to two workers (the cores the two sides used),
 * in order, and the report is the one a run of both sides gives. The feature code itself tells
 * which process ran it: each feature appends its name and `process.pid` to a log once per worker.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { dealToLanes, lanesPerSide, workerBudget } from '../../engine/exec/workerLanes';
import { makeRepo, removeTempDirs, runJson, stableReport, tempDir, writeFiles, type Files } from '../helpers';
import { parquetBytes } from './snapshotFiles';

const NAMES = ['f1', 'f2', 'f3', 'f4', 'f5'];

function features(factor: string): string {
  return `import { appendFileSync } from 'node:fs';
const logged = new Set<string>();
function ran(name: string): void {
  if (logged.has(name) || !process.env.FG_TEST_PID_LOG) return;
  logged.add(name);
  appendFileSync(process.env.FG_TEST_PID_LOG, name + ' ' + process.pid + '\\n');
}
type Row = { x: number };
${NAMES.map((n, i) => `export function ${n}(row: Row): number { ran('${n}'); return ${factor} * row.x + ${i}; }`).join('\n')}
`;
}

function repo(): string {
  const rows = Array.from({ length: 300 }, (_, r) => {
    const x = (r * 37) % 101;
    return { x, ...Object.fromEntries(NAMES.map((n, i) => [`${n}_v`, x + i])) };
  });
  const config = {
    snapshots: { s: { path: 'data/s.parquet' } },
    features: Object.fromEntries(NAMES.map((n) => [n, { source: `src/f.ts#${n}`, snapshot: 's', column: `${n}_v` }])),
  };
  return makeRepo({ 'src/f.ts': features('1'), 'data/s.parquet': Buffer.from(parquetBytes(rows)), 'featureguard.json': JSON.stringify(config) } as Files);
}

/** Which process ran each feature (name → pid), from the log of one run. */
function ranIn(log: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readFileSync(log, 'utf8').trim().split('\n')) {
    const [name, pid] = line.split(' ');
    assert.ok(!out.has(name), `${name} ran twice in one run`);
    out.set(name, pid);
  }
  return out;
}

describe('worker lanes', function () {
  this.timeout(120000);
  after(removeTempDirs);

  it('lanes: an equal share of the budget per side, never more than the features; dealt in order', () => {
    assert.equal(lanesPerSide(2, 2, 50), 1);
    assert.equal(lanesPerSide(2, 1, 50), 2);
    assert.equal(lanesPerSide(2, 1, 1), 1);
    assert.equal(lanesPerSide(4, 2, 3), 2);
    assert.equal(lanesPerSide(3, 2, 10), 1);
    assert.ok(workerBudget(false, 2) >= 2);
    assert.equal(workerBudget(true, 1), 1);
    assert.deepEqual(dealToLanes([1, 2, 3, 4, 5], 2), [[1, 3, 5], [2, 4]]);
    assert.deepEqual(dealToLanes([1], 3), [[1]]);
    assert.deepEqual(dealToLanes([], 2), []);
  });

  it('with the base cached, the target runs in two workers and reports what both sides in one each report', () => {
    const root = repo();
    const log = join(tempDir('fg-lanes-'), 'pids.log');
    const env = { FG_TEST_PID_LOG: log, FEATUREGUARD_RESULTS_CACHE_MB: '64' };

    writeFiles(root, { 'src/f.ts': features('2') });
    const cold = runJson(root, ['check'], env);
    assert.deepEqual(cold.report.summary.cache, { baseHits: 0, targetHits: 0, misses: 10 });
    // Both sides ran, one worker each: every feature ran in each, so twice in the log.
    assert.equal(readFileSync(log, 'utf8').trim().split('\n').length, 10);
    assert.equal(new Set(readFileSync(log, 'utf8').trim().split('\n').map((l) => l.split(' ')[1])).size, 2);

    rmSync(log);
    writeFiles(root, { 'src/f.ts': features('3') });
    const warm = runJson(root, ['check'], env);
    assert.deepEqual(warm.report.summary.cache, { baseHits: 5, targetHits: 0, misses: 5 });
    const pids = ranIn(log);
    assert.deepEqual([...pids.keys()].sort(), NAMES);
    // Dealt in order: f1, f3, f5 in one worker, f2, f4 in the other.
    assert.equal(pids.get('f1'), pids.get('f3'));
    assert.equal(pids.get('f3'), pids.get('f5'));
    assert.equal(pids.get('f2'), pids.get('f4'));
    assert.notEqual(pids.get('f1'), pids.get('f2'));

    // The same edit with no cache: both sides run, one worker each; the same report.
    rmSync(log);
    const uncached = runJson(root, ['check', '--no-cache'], env);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    assert.equal(lines.length, 10);
    assert.equal(new Set(lines.map((l) => l.split(' ')[1])).size, 2);
    assert.deepEqual(stableReport(warm.report), stableReport(uncached.report));
    assert.equal(warm.code, uncached.code);
    for (const f of warm.report.features) assert.equal(f.change?.kind, 'affine', `${f.name}: ${JSON.stringify(f.change)}`);
  });
});
