/**
 * A cold run summarizes its modules on two threads (engine/lang/typescript/parallelSummaries.ts).
 * The worker thread's summaries must be the ones the calling thread makes, a worker that fails
 * must cost nothing but time, and a cold `featureguard impact` must report what one thread does.
 */
import { strict as assert } from 'node:assert';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lastBatch, PARALLEL_FROM, summarizeMany } from '../../engine/lang/typescript/parallelSummaries';
import { summarizeModule } from '../../engine/lang/typescript/summarizeModule';
import { makeRepo, removeTempDirs, runJson } from '../helpers';

/** Modules that use what the summary records: imports, exports, classes, types, templates, syntax errors. */
function modules(n: number): { path: string; text: string }[] {
  return Array.from({ length: n }, (_, i) => ({
    path: i % 7 === 0 ? `src/m${i}.tsx` : `src/m${i}.ts`,
    text: [
      `import { helper${i} } from './h${i}';`,
      `import * as ns from './ns';`,
      `export const RATE_${i} = ${i} * 0.5; // rate`,
      `export function f${i}(row: { x: number }) { return \`\${row.x}\` + helper${i}(RATE_${i}) + ns.k; }`,
      `export class C${i} { m() { return f${i}({ x: ${i} }); } }`,
      `export interface T${i} { a: number }`,
      i % 11 === 0 ? `export const broken${i} = (;` : `export default f${i};`,
    ].join('\n'),
  }));
}

describe('summaries on two threads', function () {
  this.timeout(120_000);
  after(removeTempDirs);

  it('the worker thread summarizes every module exactly as the calling thread does', async () => {
    const items = modules(PARALLEL_FROM + 36);
    const got = await summarizeMany(items, { callerWorks: false });
    assert.equal(lastBatch.byWorker, items.length, 'the worker summarized every module');
    assert.deepEqual(got, items.map((x) => summarizeModule(x.path, x.text)));
  });

  it('a worker that fails leaves nothing out: the calling thread summarizes what it did not return', async () => {
    const items = modules(PARALLEL_FROM + 4);
    const got = await summarizeMany(items, { callerWorks: false, workerCompilerPath: join(__dirname, 'no-such-compiler.js') });
    assert.equal(lastBatch.byWorker, 0);
    assert.deepEqual(got, items.map((x) => summarizeModule(x.path, x.text)));
  });

  it('a cold impact run gives the same report on one thread and on two', () => {
    const files: Record<string, string> = {
      'data/s.csv': 'x,f\n1,2\n',
      'featureguard.json': JSON.stringify({ snapshots: { s: { path: 'data/s.csv' } }, features: { f: { source: 'src/m1.ts#f1', snapshot: 's' } } }),
    };
    for (const m of modules(PARALLEL_FROM * 2)) files[m.path] = m.text;
    const root = makeRepo(files);
    // Uncommitted edits: one reaching the feature, one not, one new syntax error.
    writeFileSync(join(root, 'src/m1.ts'), files['src/m1.ts'].replace('RATE_1 = 1 * 0.5', 'RATE_1 = 1 * 0.75'));
    writeFileSync(join(root, 'src/m2.ts'), files['src/m2.ts'].replace('RATE_2 = 2 * 0.5', 'RATE_2 = 2 * 0.25'));
    writeFileSync(join(root, 'src/m3.ts'), files['src/m3.ts'] + '\nexport const oops = ;\n');
    const reports = ['1', '2'].map((threads) => {
      rmSync(join(root, '.git/featureguard'), { recursive: true, force: true });
      const { report } = runJson(root, ['impact'], { FEATUREGUARD_PARSE_THREADS: threads });
      delete report.summary.durationMs;
      delete report.summary.timings;
      return report;
    });
    assert.deepEqual(reports[1], reports[0]);
    assert.deepEqual(reports[0].features.map((f: { name: string }) => f.name), ['f'], 'the edit of RATE_1 reaches f');
    assert.ok(reports[0].changes.length >= 3, 'the three edits are listed');
  });

  it('a working tree with many edited files (the overlay batch) gives the same report on one thread and on two', () => {
    const files: Record<string, string> = {
      'data/s.csv': 'x,f\n1,2\n',
      'featureguard.json': JSON.stringify({ snapshots: { s: { path: 'data/s.csv' } }, features: { f: { source: 'src/m1.ts#f1', snapshot: 's' } } }),
    };
    const all = modules(PARALLEL_FROM * 2);
    for (const m of all) files[m.path] = m.text;
    const root = makeRepo(files);
    // PARALLEL_FROM + 6 files edited: with no cache, the committed tree and then the overlay are each parsed as one batch.
    for (const m of all.slice(0, PARALLEL_FROM + 6)) writeFileSync(join(root, m.path), m.text.replace(/ \* 0\.5;/, ' * 0.625;'));
    const reports = ['1', '2'].map((threads) => {
      rmSync(join(root, '.git/featureguard'), { recursive: true, force: true });
      const { report } = runJson(root, ['impact'], { FEATUREGUARD_PARSE_THREADS: threads });
      delete report.summary.durationMs;
      delete report.summary.timings;
      return report;
    });
    assert.deepEqual(reports[1], reports[0]);
    assert.deepEqual(reports[0].features.map((f: { name: string }) => f.name), ['f']);
    assert.equal(new Set(reports[0].changes.map((c: { file: string }) => c.file)).size, PARALLEL_FROM + 6, 'every edited file is listed');
  });
});
