/**
 * Bad-input corpus, snapshots and config paths: each case gets a clear outcome — a verdict, a
 * finding, or exit 2 with one line naming the file — never a crash.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTempDirs, runCli, runJson, writeFiles } from '../helpers';
import { config, edit, repo, rows as sampleRows } from '../e2e/featureRepo';
import { csvText, parquetBytes } from '../e2e/snapshotFiles';

const story = (root: string) => edit(root, 'return row.spend;', 'return (row.spend - 100) / 50;');

describe('corpus: snapshots and config paths', function () {
  this.timeout(60000);
  after(removeTempDirs);

  it('a snapshot with zero rows: features are checked on nothing and reported, not crashed', () => {
    const root = repo('csv');
    writeFiles(root, { 'data/c.csv': 'days,spend,plan,tickets,age,recency,spend_f,tier,tickets_f,age_years\n' });
    story(root);
    const r = runJson(root, ['check']);
    assert.equal(r.code, 0);
    assert.equal(r.report.features[0].metrics.rows, 0);
    assert.equal(r.report.summary.rowsSampled, 0);
  });

  it('a stored column missing from the snapshot makes the feature new (no history to break)', () => {
    const root = repo();
    const rows = sampleRows().map(({ spend_f: _dropped, ...rest }) => rest);
    writeFiles(root, { 'data/c.parquet': Buffer.from(parquetBytes(rows)) });
    story(root);
    const r = runJson(root, ['check']);
    assert.equal(r.report.features[0].verdict, 'new');
    assert.equal(r.code, 0);
  });

  it('NaN and ±Infinity in a CSV are numbers, and comparisons handle them', () => {
    const root = repo('csv');
    const text = readFileSync(join(root, 'data/c.csv'), 'utf8').split('\n');
    text[1] = text[1].replace(/^(\d+),([\d.]+),/, '$1,NaN,');
    text[2] = text[2].replace(/^(\d+),([\d.]+),/, '$1,Infinity,');
    writeFiles(root, { 'data/c.csv': text.join('\n') });
    story(root);
    const r = runJson(root, ['check']);
    assert.equal(r.report.features[0].verdict, 'changed');
  });

  it('a non-UTF-8 CSV is read or refused with its name, never a crash', () => {
    const root = repo('csv');
    writeFiles(root, { 'data/c.csv': Buffer.concat([Buffer.from(csvText([{ days: 1, spend: 2, plan: 'caf', tickets: 0, age: 30, recency: 1, spend_f: 2, tier: 'low', tickets_f: 0, age_years: 30 }])), Buffer.from([0xff, 0xfe, 0xe9, 0x0a])]) });
    story(root);
    const r = runCli(root, ['check']);
    assert.ok(r.code === 0 || r.code === 1 || (r.code === 2 && /data\/c\.csv/.test(r.stderr)), r.stderr);
    assert.doesNotMatch(r.stderr, /internal error/);
  });

  it('refuses snapshot and source paths that leave the repository', () => {
    const root = repo();
    const cfg = config('../../outside.parquet');
    writeFiles(root, { 'featureguard.json': JSON.stringify(cfg) });
    const r = runCli(root, ['check']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /snapshots\.c\.path "\.\.\/\.\.\/outside\.parquet" is outside the repository/);
    const cfg2 = { ...config('data/c.parquet'), features: { f: { source: '../elsewhere.ts#f', snapshot: 'c' } } };
    writeFiles(root, { 'featureguard.json': JSON.stringify(cfg2) });
    assert.match(runCli(root, ['check']).stderr, /features\.f\.source "\.\.\/elsewhere\.ts#f" is outside the repository/);
  });
});
