/**
 * The columns each module names, kept between checks (engine/cache/columnScanCache.ts): the class
 * on a real file, then real `featureguard check` runs on the e2e feature repository, where the file
 * decides which columns the workers get.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ColumnScanCache } from '../../engine/cache/columnScanCache';
import { git, removeTempDirs, runJson, tempDir } from '../helpers';
import { edit, repo } from '../e2e/featureRepo';

const NO_RESULTS = { FEATUREGUARD_RESULTS_CACHE_MB: '0' };

describe('column scan cache', function () {
  this.timeout(120000);
  after(removeTempDirs);

  it('keys by language, content hash and the column names; kept on disk; a corrupt or foreign file is empty', () => {
    const file = join(tempDir('fg-columns-'), 'featureguard', 'columns.json');
    const a = new ColumnScanCache(file);
    const cols = ['x', 'y'];
    const ts = a.key('src/a.ts', 'h1', cols)!;
    assert.notEqual(ts, a.key('src/a.py', 'h1', cols), 'the Python scanner is another key');
    assert.notEqual(ts, a.key('src/a.ts', 'h2', cols), 'other content');
    assert.notEqual(ts, a.key('src/a.ts', 'h1', ['x', 'z']), 'other column names, as many');
    assert.equal(ts, a.key('src/b.ts', 'h1', ['x', 'y']), 'the same content elsewhere');
    assert.equal(a.key('src/a.ts', undefined, cols), undefined, 'no content hash: no key');
    assert.equal(a.get(ts), undefined);
    a.set(ts, new Set(['x']));
    const any = a.key('src/c.ts', 'h3', cols)!;
    a.set(any, null);
    a.save();
    const b = new ColumnScanCache(file);
    assert.deepEqual([...b.get(ts)!], ['x']);
    assert.equal(b.get(any), null, 'a module that may read any column stays so');
    assert.equal(b.has(a.key('src/a.ts', 'h2', cols)!), false);
    for (const text of ['{"format":1,"entries":', JSON.stringify({ format: 999, entries: { [ts]: ['y'] } }), JSON.stringify({ format: 1, entries: { [ts]: [1, 2] } })]) {
      writeFileSync(file, text);
      assert.equal(new ColumnScanCache(file).get(ts), undefined, text.slice(0, 30));
    }
  });

  it('a check writes the scans of its closures; the next check reads them instead of the modules, and an edited module is scanned again', () => {
    const root = repo();
    edit(root, 'return row.spend;', 'return row.spend * 2;');
    const first = runJson(root, ['check', '--format', 'json'], NO_RESULTS);
    const spend = (r: any) => r.features.find((f: any) => f.name === 'spend');
    assert.equal(spend(first.report).verdict, 'changed');
    assert.equal(spend(first.report).change?.kind, 'affine');
    const file = join(root, '.git', 'featureguard', 'columns.json');
    assert.ok(existsSync(file), 'columns.json written');
    const customerHash = git(root, 'hash-object', 'src/features/customer.ts').trim();
    const entries = JSON.parse(readFileSync(file, 'utf8')).entries as Record<string, string[] | null>;
    const own = Object.entries(entries).filter(([k]) => k.startsWith(`ts:${customerHash}:`));
    assert.equal(own.length, 1, 'one entry for the edited module');
    // Every column named as a word: the inputs, and the stored columns named like the functions.
    assert.deepEqual([...own[0][1]!].sort(), ['age', 'days', 'plan', 'recency', 'spend', 'tickets', 'tier']);

    // The file decides: modules said to name no column get rows without columns (both sides share
    // one sample, so every module is said so).
    writeFileSync(file, JSON.stringify({ format: 1, entries: Object.fromEntries(Object.keys(entries).map((k) => [k, []])) }));
    const poisoned = runJson(root, ['check', '--format', 'json'], NO_RESULTS);
    assert.notEqual(JSON.stringify(spend(poisoned.report).change), JSON.stringify(spend(first.report).change), 'the scan came from columns.json');

    // An edit is new content: scanned again, so the new column is read.
    edit(root, 'return row.spend * 2;', 'return row.spend * 2 + row.age * 0;');
    const edited = runJson(root, ['check', '--format', 'json'], NO_RESULTS);
    assert.equal(spend(edited.report).change?.kind, 'affine');
    assert.deepEqual(spend(edited.report).change, spend(first.report).change);
  });
});
