/**
 * The working tree's changed files are read at once; the report must not depend on which read
 * finishes first. Before the fix, the overlay kept the files in the order their reads finished, so
 * with many changed files the findings (a file that does not parse) came in another order from run
 * to run — seen once in ~9 runs of 70 edited files under load. Here every edited file fails to
 * parse, so any reordering shows as findings out of git's order.
 */
import { strict as assert } from 'node:assert';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeRepo, removeTempDirs, runJson } from '../helpers';

const EDITED = 70;

describe('changed files in git order', function () {
  this.timeout(120_000);
  after(removeTempDirs);

  it('findings of many edited files come in git’s order, the same on every run', () => {
    const files: Record<string, string> = {
      'data/s.csv': 'x,f\n1,2\n',
      'featureguard.json': JSON.stringify({ snapshots: { s: { path: 'data/s.csv' } }, features: { f: { source: 'src/m1.ts#f1', snapshot: 's' } } }),
    };
    for (let i = 0; i < EDITED + 30; i++) files[`src/m${i}.ts`] = `export const RATE_${i} = ${i} * 0.5;\nexport function f${i}(row: { x: number }) { return row.x * RATE_${i}; }\n`;
    const root = makeRepo(files);
    const edited = Array.from({ length: EDITED }, (_, i) => `src/m${i}.ts`);
    for (const path of edited) writeFileSync(join(root, path), files[path].replace(' * 0.5;', ' * 0.75;') + 'export const broken = (;\n');
    const runs = [0, 1, 2].map(() => {
      rmSync(join(root, '.git/featureguard'), { recursive: true, force: true });
      const { report } = runJson(root, ['impact']);
      return report;
    });
    const parseFailures = (report: { findings: { location?: { file: string }; message: string }[] }) =>
      report.findings.filter((f) => / does not parse/.test(f.message)).map((f) => f.location!.file);
    // git's order: paths sorted by their bytes.
    const gitOrder = [...edited].sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
    for (const report of runs) assert.deepEqual(parseFailures(report), gitOrder);
    const stable = runs.map((r) => JSON.stringify({ ...r, summary: { ...r.summary, durationMs: 0, timings: {} } }));
    assert.equal(stable[1], stable[0]);
    assert.equal(stable[2], stable[0]);
    assert.deepEqual(runs[0].features.map((f: { name: string }) => f.name), ['f'], 'the edit of RATE_1 reaches f');
  });
});
