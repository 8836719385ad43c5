/**
 * Only the modules the analysis can need are parsed: those the features' files, the changed files
 * and the files tagged `@feature` reach through imports. A module nothing reaches is read once to
 * look for a tag, remembered as untagged by content, and not read again. Reaching a module later —
 * an import added in the working tree, in an editor buffer, or a tag's file — must give the
 * report a run with no cache gives.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { neverCancelled } from '../../engine/errors';
import { runCheck } from '../../engine/runCheck';
import { runImpact } from '../../engine/runImpact';
import type { Report } from '../../engine/report/reportTypes';
import { WorkspaceSession } from '../../engine/session/workspaceSession';
import { git, makeRepo, removeTempDirs } from '../helpers';

const files = {
  'featureguard.json': JSON.stringify({ features: { spend: { source: 'src/feat.ts#spend' } } }),
  'src/feat.ts': `import { RATE } from './lib/rate';\nexport function spend(row: { x: number }) { return row.x * RATE; }\n`,
  'src/lib/rate.ts': `export const RATE = 2;\n`,
  'src/tagged.ts': `import { BONUS } from './lib/bonus';\n/** @feature bonus */\nexport function bonus(row: { x: number }) { return row.x + BONUS; }\n`,
  'src/lib/bonus.ts': `export const BONUS = 3;\n`,
  'src/app/ui.ts': `export const TITLE = 'app';\nexport function render() { return TITLE; }\n`,
  'src/app/store.ts': `import { TITLE } from './ui';\nexport const STORE = TITLE + '!';\n`,
  'src/other/limits.ts': `export const LIMIT = 10;\n`,
};

interface CacheEntries {
  summaries: Set<string>;
  untagged: Set<string>;
}

/** Which blobs the summary cache holds a summary of, and which it remembers as untagged. */
function cacheEntries(root: string): CacheEntries {
  const data = JSON.parse(readFileSync(join(root, '.git/featureguard/summaries.json'), 'utf8')) as { entries: Record<string, unknown> };
  const out: CacheEntries = { summaries: new Set(), untagged: new Set() };
  for (const key of Object.keys(data.entries)) {
    const hash = key.slice(key.lastIndexOf(':') + 1);
    (key.includes(':untagged:') ? out.untagged : out.summaries).add(hash);
  }
  return out;
}

const blob = (root: string, path: string) => git(root, 'hash-object', join(root, path)).trim();

function comparable(r: Report) {
  return { features: r.features.map((f) => ({ name: f.name, via: f.via, verdict: f.verdict })), changes: r.changes, findings: r.findings };
}

/** Runs impact with the cache as it is, then with no cache, and requires the same report. */
async function impactBothWays(root: string): Promise<ReturnType<typeof comparable>> {
  const warm = comparable(await runImpact({ cwd: root }));
  const saved = readFileSync(join(root, '.git/featureguard/summaries.json'));
  rmSync(join(root, '.git/featureguard'), { recursive: true, force: true });
  const cold = comparable(await runImpact({ cwd: root }));
  assert.deepEqual(warm, cold, 'the same report with and without the cache');
  writeFileSync(join(root, '.git/featureguard/summaries.json'), saved);
  return warm;
}

describe('impact: summarizing what features reach', () => {
  after(removeTempDirs);

  it('parses the modules features, tags and changes reach, and remembers the rest as untagged', async () => {
    const root = makeRepo(files);
    await runImpact({ cwd: root });
    const entries = cacheEntries(root);
    for (const p of ['src/feat.ts', 'src/lib/rate.ts', 'src/tagged.ts', 'src/lib/bonus.ts']) assert.ok(entries.summaries.has(blob(root, p)), `${p} summarized`);
    for (const p of ['src/app/ui.ts', 'src/app/store.ts', 'src/other/limits.ts']) {
      assert.ok(!entries.summaries.has(blob(root, p)), `${p} not summarized`);
      assert.ok(entries.untagged.has(blob(root, p)), `${p} remembered as untagged`);
    }
    // An edit of a module nothing reaches is listed, and reaches no feature.
    writeFileSync(join(root, 'src/app/store.ts'), files['src/app/store.ts'].replace("'!'", "'?'"));
    const r = await impactBothWays(root);
    assert.deepEqual(r.features, []);
    assert.deepEqual(r.changes.map((c) => `${c.file}#${c.symbol}:${c.kind}`), ['src/app/store.ts#STORE:modified']);
  });

  it('follows an import added in the working tree to a module no feature reached before', async () => {
    const root = makeRepo(files);
    await runImpact({ cwd: root });
    writeFileSync(join(root, 'src/feat.ts'), `import { RATE } from './lib/rate';\nimport { LIMIT } from './other/limits';\nexport function spend(row: { x: number }) { return Math.min(row.x * RATE, LIMIT); }\n`);
    const first = await impactBothWays(root);
    assert.deepEqual(first.features.map((f) => f.name), ['spend']);
    // Then the newly reached module is edited too: the feature is reached through it.
    writeFileSync(join(root, 'src/other/limits.ts'), `export const LIMIT = 11;\n`);
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'limit');
    await runImpact({ cwd: root });
    writeFileSync(join(root, 'src/other/limits.ts'), `export const LIMIT = 12;\n`);
    const second = await impactBothWays(root);
    assert.deepEqual(second.features, [{ name: 'spend', via: ['src/other/limits.ts#LIMIT'], verdict: 'not-checked' }]);
  });

  it('reads the columns of a module an edit newly imports: the check runs the code as the working tree has it', async () => {
    const root = makeRepo({
      'featureguard.json': JSON.stringify({ snapshots: { s: { path: 'data/s.csv' } }, features: { spend: { source: 'src/feat.ts#spend', snapshot: 's' } } }),
      'data/s.csv': 'x,limit\n1,5\n7,5\n3,2\n9,20\n',
      'src/feat.ts': files['src/feat.ts'],
      'src/lib/rate.ts': files['src/lib/rate.ts'],
      'src/other/limits.ts': `export function cap(row: { x: number; limit: number }) { return Math.min(row.x, row.limit); }\n`,
    });
    await runImpact({ cwd: root });
    writeFileSync(join(root, 'src/feat.ts'), `import { RATE } from './lib/rate';\nimport { cap } from './other/limits';\nexport function spend(row: any) { return cap(row) * RATE; }\n`);
    const report = await runCheck({ cwd: root });
    const spend = report.features.find((f) => f.name === 'spend');
    // min(x, limit) differs from x on 2 of the 4 rows; without \`limit\` read, every row would be NaN.
    assert.equal(spend?.metrics?.mismatchRate, 0.5);
    assert.equal(spend?.metrics?.nullRateAfter, 0);
  });

  it('finds a tag added to a file no feature reached, and the tagged feature’s edits, with the cache warm', async () => {
    const root = makeRepo(files);
    await runImpact({ cwd: root });
    writeFileSync(join(root, 'src/app/ui.ts'), `/** @feature title_len */\nexport function titleLen(row: { x: number }) { return row.x + TITLE.length; }\nexport const TITLE = 'app';\nexport function render() { return TITLE; }\n`);
    const tagged = await impactBothWays(root);
    assert.deepEqual(tagged.features.map((f) => [f.name, f.verdict]), [['title_len', 'new']]);
    // A tagged feature found from its cached summary: an edit of what it imports reaches it.
    writeFileSync(join(root, 'src/app/ui.ts'), files['src/app/ui.ts']);
    writeFileSync(join(root, 'src/lib/bonus.ts'), `export const BONUS = 4;\n`);
    const bonus = await impactBothWays(root);
    assert.deepEqual(bonus.features, [{ name: 'bonus', via: ['src/lib/bonus.ts#BONUS'], verdict: 'not-checked' }]);
  });

  it('follows an import typed in an editor buffer, as a fresh session does', async () => {
    const root = makeRepo(files);
    const session = await WorkspaceSession.open({ cwd: root });
    const before = await session.impact(neverCancelled);
    assert.deepEqual(before.report.features, []);
    const edited = `import { RATE } from './lib/rate';\nimport { STORE } from './app/store';\nexport function spend(row: { x: number }) { return row.x * RATE + STORE.length; }\n`;
    session.setBuffer('src/feat.ts', edited);
    const incremental = comparable((await session.impact(neverCancelled)).report);
    const fresh = await WorkspaceSession.open({ cwd: root });
    fresh.setBuffer('src/feat.ts', edited);
    assert.deepEqual(incremental, comparable((await fresh.impact(neverCancelled)).report));
    assert.deepEqual(incremental.features.map((f) => f.name), ['spend']);
    // And a buffer edit of the module reached only through the edited buffer reaches the feature.
    session.setBuffer('src/app/ui.ts', files['src/app/ui.ts'].replace("'app'", "'App'"));
    const through = (await session.impact(neverCancelled)).report;
    const spend = through.features.find((f) => f.name === 'spend');
    assert.ok(spend, 'spend affected');
    assert.deepEqual(through.changes.map((c) => `${c.file}#${c.symbol}:${c.kind}`).sort(), ['src/app/ui.ts#TITLE:modified', 'src/feat.ts#spend:modified']);
  });
});
