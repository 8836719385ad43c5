/**
 * The results cache of one side's values (`.git/featureguard/results/`), end to end with the built
 * CLI: a repeated check runs neither side and reports the same; the base (HEAD) is computed once
 * per commit; a changed snapshot, a corrupt entry, `--no-cache` and the size bound behave.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRepo, removeTempDirs, runJson, stableReport, writeFiles, type Files } from '../helpers';
import { neverCancelled } from '../../engine/errors';
import { WorkspaceSession } from '../../engine/session/workspaceSession';
import { customer, edit, repo } from './featureRepo';
import { parquetBytes, type SnapshotRows } from './snapshotFiles';

const resultsDir = (root: string) => join(root, '.git', 'featureguard', 'results');
/** The side results (named by their key's hash; sampled columns are `s-…`, costs `costs.json`). */
const entries = (root: string) => (existsSync(resultsDir(root)) ? readdirSync(resultsDir(root)).filter((f) => /^[0-9a-f]{40}$/.test(f)) : []);

function check(root: string, args: string[] = [], env: Record<string, string> = {}) {
  const { code, report } = runJson(root, ['check', ...args], env);
  return { code, report, cache: report.summary.cache };
}

describe('results cache (end to end)', function () {
  this.timeout(120000);
  after(removeTempDirs);

  it('a repeated check runs neither side and reports the same; the base is computed once per commit', () => {
    const root = repo();
    edit(root, 'return row.spend;', 'return (row.spend - 100) / 50;');
    const first = check(root);
    assert.equal(first.code, 1);
    assert.deepEqual(first.cache, { baseHits: 0, targetHits: 0, misses: 2 });
    assert.equal(entries(root).length, 2);

    const second = check(root);
    assert.deepEqual(second.cache, { baseHits: 1, targetHits: 1, misses: 0 });
    assert.equal(second.code, first.code);
    assert.deepEqual(stableReport(second.report), stableReport(first.report));
    assert.equal(second.report.features[0].verdict, 'changed');
    assert.equal(second.report.features[0].change.kind, 'affine');

    // Another edit of the target: the base (HEAD) is read back, only the target runs.
    edit(root, 'return (row.spend - 100) / 50;', 'return row.spend * 3;');
    const third = check(root);
    assert.deepEqual(third.cache, { baseHits: 1, targetHits: 0, misses: 1 });
    assert.equal(third.report.features[0].change.kind, 'affine');
    assert.ok(Math.abs(third.report.features[0].change.slope - 3) < 1e-9);

    // Committed: the new HEAD's values are those the last run computed as its target, and the
    // target goes back to the first edit, whose values the cache has too.
    git(root, 'commit', '-qam', 'spend * 3');
    edit(root, 'return row.spend * 3;', 'return (row.spend - 100) / 50;');
    assert.deepEqual(check(root).cache, { baseHits: 1, targetHits: 1, misses: 0 });

    // HEAD moves to code never run: the new base is computed once.
    edit(root, 'return (row.spend - 100) / 50;', 'return row.spend * 5;');
    git(root, 'commit', '-qam', 'spend * 5');
    edit(root, 'return row.spend * 5;', 'return (row.spend - 100) / 50;');
    const fourth = check(root);
    assert.deepEqual(fourth.cache, { baseHits: 0, targetHits: 1, misses: 1 });
    const fifth = check(root);
    assert.deepEqual(fifth.cache, { baseHits: 1, targetHits: 1, misses: 0 });
    assert.deepEqual(stableReport(fifth.report), stableReport(fourth.report));
  });

  it('an edit that makes the target read one more column leaves the base cached', () => {
    const root = repo();
    edit(root, 'return row.spend;', 'return row.spend * 2;');
    assert.deepEqual(check(root).cache, { baseHits: 0, targetHits: 0, misses: 2 });
    // age_years is named nowhere in the base's modules: only the target reads it.
    edit(root, 'return row.spend * 2;', 'return row.spend * 2 + (row as any).age_years;');
    const { report, cache } = check(root);
    assert.deepEqual(cache, { baseHits: 1, targetHits: 0, misses: 1 });
    assert.equal(report.features[0].verdict, 'changed');
  });

  it('a snapshot rewritten with the same size invalidates, with a new mtime and with the same one', () => {
    const root = repo('csv');
    edit(root, 'return row.spend;', 'return row.spend + 1;');
    assert.deepEqual(check(root).cache, { baseHits: 0, targetHits: 0, misses: 2 });
    assert.deepEqual(check(root).cache, { baseHits: 1, targetHits: 1, misses: 0 });
    const path = join(root, 'data', 'c.csv');
    const original = readFileSync(path, 'utf8');
    const { mtime } = statSync(path);
    // One digit of one value changed: same size, different content.
    const lines = original.split('\n');
    // The last digit of the line: never a leading zero.
    const j = lines[5].search(/\d(?=\D*$)/);
    lines[5] = lines[5].slice(0, j) + String((Number(lines[5][j]) + 1) % 10) + lines[5].slice(j + 1);
    const changed = lines.join('\n');
    assert.equal(changed.length, original.length);
    assert.notEqual(changed, original);

    writeFileSync(path, changed);
    utimesSync(path, mtime, mtime);
    assert.deepEqual(check(root).cache, { baseHits: 0, targetHits: 0, misses: 2 }, 'same size, same mtime, other content');

    writeFileSync(path, original);
    const later = new Date(mtime.getTime() + 5000);
    utimesSync(path, later, later);
    assert.deepEqual(check(root).cache, { baseHits: 0, targetHits: 0, misses: 2 }, 'same content, another mtime');
    assert.deepEqual(check(root).cache, { baseHits: 1, targetHits: 1, misses: 0 });
  });

  it('a corrupt or foreign entry is ignored and replaced', () => {
    const root = repo();
    edit(root, "return row.plan === 'pro' ? 'high' : 'low';", "return row.plan === 'pro' ? 'HIGH' : 'low';");
    const first = check(root);
    assert.deepEqual(first.cache, { baseHits: 0, targetHits: 0, misses: 2 });
    const [a, b] = entries(root);
    const good = readFileSync(join(resultsDir(root), a));
    writeFileSync(join(resultsDir(root), a), 'not a cache entry');
    // A whole entry of the right format, but for another key (copied over): foreign.
    writeFileSync(join(resultsDir(root), b), good);
    const second = check(root);
    assert.deepEqual(second.cache, { baseHits: 0, targetHits: 0, misses: 2 });
    assert.deepEqual(stableReport(second.report), stableReport(first.report));
    for (const f of entries(root)) assert.equal(readFileSync(join(resultsDir(root), f)).toString('latin1', 0, 4), 'FGR1');
    assert.deepEqual(check(root).cache, { baseHits: 1, targetHits: 1, misses: 0 });
    // Truncated: the right header, values missing.
    writeFileSync(join(resultsDir(root), a), readFileSync(join(resultsDir(root), a)).subarray(0, 200));
    assert.equal(check(root).cache.misses, 1);
    // Cut inside its values (a JSON list): the header is whole, so the look-up finds it; reading
    // it when the feature is checked fails, and that side runs on its own — a miss, same report.
    const whole = readFileSync(join(resultsDir(root), a));
    writeFileSync(join(resultsDir(root), a), whole.subarray(0, whole.length - 3));
    const third = check(root);
    assert.equal(third.cache.misses, 1);
    assert.equal(third.cache.baseHits + third.cache.targetHits, 1);
    assert.deepEqual(stableReport(third.report), stableReport(first.report));
    assert.deepEqual(check(root).cache, { baseHits: 1, targetHits: 1, misses: 0 }, 'written again whole');
  });

  it('--no-cache writes nothing under .git/featureguard/results and reports no cache', () => {
    const root = repo();
    edit(root, 'return row.spend;', 'return row.spend * 2;');
    const { report } = check(root, ['--no-cache']);
    assert.equal(report.features[0].verdict, 'changed');
    assert.equal(report.summary.cache, undefined);
    assert.equal(existsSync(resultsDir(root)), false);
    check(root);
    assert.equal(entries(root).length, 2);
    // Nor reads it.
    assert.equal(check(root, ['--no-cache']).cache, undefined);
  });

  it('stays within its bound, least recently used out', () => {
    const root = repo();
    // 800 numbers are about 7.3 KB an entry: room for two.
    const env = { FEATUREGUARD_RESULTS_CACHE_MB: String(16 / 1024) };
    const bytes = () => entries(root).reduce((s, f) => s + statSync(join(resultsDir(root), f)).size, 0);
    for (const [from, to] of [
      ['return row.spend;', 'return row.spend * 2;'],
      ['return row.spend * 2;', 'return row.spend * 3;'],
      ['return row.spend * 3;', 'return row.spend * 4;'],
    ]) {
      edit(root, from, to);
      check(root, [], env);
      assert.ok(bytes() <= 16 * 1024, `${bytes()} bytes`);
      assert.equal(entries(root).length, 2);
    }
    // The base, read by every run, and the last target stayed.
    assert.deepEqual(check(root, [], env).cache, { baseHits: 1, targetHits: 1, misses: 0 });
    // A bound of 0 is no disk cache: what is there is neither read nor pruned nor added to.
    const before = entries(root).sort();
    assert.deepEqual(check(root, [], { FEATUREGUARD_RESULTS_CACHE_MB: '0' }).cache, { baseHits: 0, targetHits: 0, misses: 2 });
    assert.deepEqual(entries(root).sort(), before);
  });

  it('the warm-up stops at the bound instead of evicting what it warmed, and does not try again for the same code', async () => {
    const root = repo();
    // ~7.3 KB an entry, 24 KB bound: a pass stops before a fourth would pass it.
    const saved = process.env.FEATUREGUARD_RESULTS_CACHE_MB;
    process.env.FEATUREGUARD_RESULTS_CACHE_MB = String(24 / 1024);
    const session = await WorkspaceSession.open({ cwd: root });
    try {
      const first = await session.warmBase(neverCancelled);
      assert.equal(first.total, 5);
      assert.ok(first.overBound >= 1 && first.computed >= 1, JSON.stringify(first));
      assert.equal(first.done + first.overBound, first.total, JSON.stringify(first));
      assert.equal(first.computed, first.done);
      // What it warmed is all still there: nothing evicted by its own later writes.
      assert.equal(entries(root).length, first.computed);
      const again = await session.warmBase(neverCancelled);
      assert.equal(again.computed, 0, JSON.stringify(again));
    } finally {
      session.dispose();
      if (saved === undefined) delete process.env.FEATUREGUARD_RESULTS_CACHE_MB;
      else process.env.FEATUREGUARD_RESULTS_CACHE_MB = saved;
    }
    // With the default bound a new session warms the rest (the first ones found cached).
    const roomy = await WorkspaceSession.open({ cwd: root });
    try {
      const all = await roomy.warmBase(neverCancelled);
      assert.deepEqual({ done: all.done, overBound: all.overBound }, { done: 5, overBound: 0 }, JSON.stringify(all));
      assert.ok(all.cached >= 1, JSON.stringify(all));
    } finally {
      roomy.dispose();
    }
  });

  it('the editor session: the base comes from the CLI’s entries, an edit runs only the target, a repeat runs nothing', async () => {
    const root = repo();
    edit(root, 'return row.spend;', 'return row.spend * 2;');
    assert.deepEqual(check(root).cache, { baseHits: 0, targetHits: 0, misses: 2 });
    writeFiles(root, { 'src/features/customer.ts': customer });
    const session = await WorkspaceSession.open({ cwd: root });
    try {
      const file = 'src/features/customer.ts';
      session.setBuffer(file, customer.replace('return row.spend;', 'return row.spend * 3;'));
      const first = await session.check(neverCancelled, {});
      assert.deepEqual(first.report.summary.cache, { baseHits: 1, targetHits: 0, misses: 1 });
      assert.equal(first.report.features[0].verdict, 'changed');
      // The CLI's target is the buffer again: read back from disk.
      session.setBuffer(file, customer.replace('return row.spend;', 'return row.spend * 2;'));
      assert.deepEqual((await session.check(neverCancelled, {})).report.summary.cache, { baseHits: 1, targetHits: 1, misses: 0 });
      session.setBuffer(file, customer.replace('return row.spend;', 'return row.spend * 4;'));
      assert.deepEqual((await session.check(neverCancelled, {})).report.summary.cache, { baseHits: 1, targetHits: 0, misses: 1 });
      const again = await session.check(neverCancelled, {});
      assert.deepEqual(again.report.summary.cache, { baseHits: 1, targetHits: 1, misses: 0 });
      assert.equal(again.report.summary.timings?.execute ?? 0, 0);
    } finally {
      session.dispose();
    }
  });

  it('a Python feature hits on the second run', () => {
    const data: SnapshotRows = [];
    for (let i = 0; i < 300; i++) data.push({ spend: (i * 37) % 200, spend_usd: (i * 37) % 200 });
    const root = makeRepo({
      'features.py': 'def spend_usd(row):\n    return row["spend"]\n',
      'data/c.parquet': Buffer.from(parquetBytes(data)),
      'featureguard.json': JSON.stringify({ snapshots: { c: { path: 'data/c.parquet', sampleRows: 200, seed: 1 } }, features: { spend_usd: { source: 'features.py#spend_usd', snapshot: 'c', column: 'spend_usd' } } }),
    } as Files);
    writeFiles(root, { 'features.py': 'def spend_usd(row):\n    return row["spend"] + 1\n' });
    const env = { FEATUREGUARD_PYTHON: '/usr/bin/python3' };
    const first = check(root, [], env);
    assert.deepEqual(first.cache, { baseHits: 0, targetHits: 0, misses: 2 });
    assert.equal(first.report.features[0].verdict, 'changed');
    const second = check(root, [], env);
    assert.deepEqual(second.cache, { baseHits: 1, targetHits: 1, misses: 0 });
    assert.deepEqual(stableReport(second.report), stableReport(first.report));
  });
});
