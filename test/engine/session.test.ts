/**
 * The editor session reuses graphs between keystrokes (only edited modules are relinked). Every
 * step of an edit sequence must give exactly what a fresh analysis of the same buffers gives.
 */
import { strict as assert } from 'node:assert';
import { neverCancelled } from '../../engine/errors';
import { graphCounters } from '../../engine/graph/symbolGraph';
import { WorkspaceSession } from '../../engine/session/workspaceSession';
import { makeRepo, removeTempDirs } from '../helpers';

const files = {
  'src/util.ts': `export const CAP = 50;\nexport const K = 2;\nexport function clip(x: number, hi = CAP) { return Math.min(x, hi); }\nexport function scale(x: number) { return x * K; }\n`,
  'src/barrel.ts': `export { clip } from './util';\nexport * from './util';\n`,
  'src/a.ts': `import { clip } from './barrel';\nexport function a(r: { d: number }) { return clip(r.d); }\n`,
  'src/b.ts': `import * as u from './util';\nexport function b(r: { d: number }) { return u.scale(r.d); }\n`,
  'featureguard.json': JSON.stringify({ features: { a: { source: 'src/a.ts#a' }, b: { source: 'src/b.ts#b' } } }),
};

/** Buffers to lay over the repository, one step after another (undefined closes a buffer). */
const steps: Record<string, string | undefined>[] = [
  { 'src/util.ts': files['src/util.ts'].replace('CAP = 50', 'CAP = 51') },
  { 'src/util.ts': files['src/util.ts'].replace('x * K', 'x * K + 1') },
  { 'src/util.ts': files['src/util.ts'] },
  { 'src/a.ts': files['src/a.ts'].replace("import { clip } from './barrel';", "import { scale as clip } from './barrel';") },
  { 'src/barrel.ts': `export { scale as clip } from './util';\nexport * from './util';\n` },
  { 'src/new.ts': 'export const N = 1;\n', 'src/b.ts': `import * as u from './util';\nimport { N } from './new';\nexport function b(r: { d: number }) { return u.scale(r.d) + N; }\n` },
  { 'src/b.ts': undefined, 'src/new.ts': undefined },
  { 'src/util.ts': files['src/util.ts'].replace('export function scale', 'function scale') },
  { 'src/util.ts': undefined, 'src/a.ts': undefined, 'src/barrel.ts': undefined },
];

/** The features each step affects, worked out by hand. */
const expected = [['a'], ['b'], [], ['a'], ['a'], ['a', 'b'], ['a'], ['a', 'b'], []];

function summary(r: Awaited<ReturnType<WorkspaceSession['impact']>>) {
  return {
    features: r.report.features.map((f) => ({ name: f.name, via: f.via, verdict: f.verdict, findings: f.findings.map((x) => x.check) })),
    changes: r.report.changes,
  };
}

describe('editor session: incremental impact', () => {
  after(removeTempDirs);

  it('gives the same result as a fresh analysis after every edit', async () => {
    const root = makeRepo(files);
    const session = await WorkspaceSession.open({ cwd: root });
    const buffers = new Map<string, string>();
    for (const [i, step] of steps.entries()) {
      for (const [path, text] of Object.entries(step)) {
        if (text === undefined) buffers.delete(path);
        else buffers.set(path, text);
        session.setBuffer(path, text);
      }
      const incremental = summary(await session.impact(neverCancelled));
      const fresh = await WorkspaceSession.open({ cwd: root });
      for (const [path, text] of buffers) fresh.setBuffer(path, text);
      assert.deepEqual(incremental, summary(await fresh.impact(neverCancelled)), `step ${i + 1}`);
      assert.deepEqual(incremental.features.map((f) => f.name).sort(), expected[i], `features affected at step ${i + 1}`);
    }
  });
});

describe('editor session: a keystroke costs the edit, not the workspace', () => {
  after(removeTempDirs);

  /** `families` independent modules, each with a constant, a helper and a feature reading it. */
  function workspace(families: number): Record<string, string> {
    const files: Record<string, string> = {};
    const features: Record<string, { source: string }> = {};
    for (let i = 0; i < families; i++) {
      files[`src/lib_${i}.ts`] = `export const K${i} = 1;\nexport const UNUSED${i} = 2;\nexport function scale${i}(x: number) { return x * K${i}; }\n`;
      files[`src/feat_${i}.ts`] = `import { scale${i} } from './lib_${i}';\nexport function f${i}(r: { x: number }) { return scale${i}(r.x); }\n`;
      features[`f${i}`] = { source: `src/feat_${i}.ts#f${i}` };
    }
    files['featureguard.json'] = JSON.stringify({ features });
    return files;
  }

  /** Graph operations of each of three keystrokes in `src/lib_0.ts`, after a start-up run and one warm-up keystroke. */
  async function keystrokeCounts(families: number) {
    const files = workspace(families);
    const session = await WorkspaceSession.open({ cwd: makeRepo(files) });
    assert.equal((await session.impact(neverCancelled)).report.features.length, 0);
    const counts: (typeof graphCounters)[] = [];
    for (const value of [2, 3, 4, 5]) {
      session.setBuffer('src/lib_0.ts', files['src/lib_0.ts'].replace('K0 = 1', `K0 = ${value}`));
      graphCounters.nodesStored = graphCounters.nodesLinked = graphCounters.nodesWalked = 0;
      const result = await session.impact(neverCancelled);
      assert.deepEqual(result.report.features.map((f) => f.name), ['f0']);
      if (value > 2) counts.push({ ...graphCounters });
    }
    return counts;
  }

  it('links, stores and walks the same number of nodes per keystroke in 10 and in 200 modules', async () => {
    const small = await keystrokeCounts(5);
    const large = await keystrokeCounts(100);
    assert.deepEqual(large, small);
    // The edited module is relinked: its three declarations, no others.
    assert.equal(small[0].nodesLinked, 3);
    assert.ok(small[0].nodesStored <= 3, `stored ${small[0].nodesStored} nodes`);
  });
});
