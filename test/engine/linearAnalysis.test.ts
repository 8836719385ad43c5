/**
 * Issue 14, "Linear in what it reads": a generated, untracked TypeScript file of N declarations
 * (`export const filler_N = N * 2;`) must cost time proportional to N. The bound is a growth
 * ratio measured in this run — time per declaration at the largest size over the smallest —
 * never an absolute wall time. Before the fix (a scan of the module's declarations per added
 * one) the ratio from 10k to 80k was about 5; linear is 1 and fixed costs make it less.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCheck } from '../../engine/runCheck';
import { runImpact } from '../../engine/runImpact';
import { renderText, MAX_CHANGES_SHOWN } from '../../engine/report/renderText';
import { CLI, makeRepo, removeTempDirs, runJson } from '../helpers';

const base = {
  'src/util.ts': 'export const CLIP_MAX = 50;\nexport function clip(x: number, hi = CLIP_MAX) { return Math.min(x, hi); }\n',
  'src/activity.ts': "import { clip } from './util';\nexport function recencyDays(row: { days: number }) { return clip(row.days); }\n",
  'data/customers.csv': 'days,recency_days\n10,10\n70,50\n',
  'featureguard.json': JSON.stringify({
    snapshots: { customers: { path: 'data/customers.csv' } },
    features: { recency_days: { source: 'src/activity.ts#recencyDays', snapshot: 'customers' } },
  }),
};

function generated(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`export const filler_${i} = ${i} * 2;`);
  return lines.join('\n') + '\n';
}

/** A repository at `base` with the generated file left untracked in the working tree. */
function repoWithGenerated(n: number): string {
  const root = makeRepo(base);
  writeFileSync(join(root, 'src/gen.ts'), generated(n));
  return root;
}

/** The best of `runs` timings of `impact` (no disk cache: every run parses the file). */
async function impactMs(root: string, runs: number): Promise<{ ms: number; changes: number }> {
  let best = Infinity;
  let changes = 0;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const report = await runImpact({ cwd: root, diskCache: false });
    best = Math.min(best, performance.now() - started);
    changes = report.changes.length;
  }
  return { ms: best, changes };
}

describe('linear analysis of a large generated file (issue 14)', function () {
  this.timeout(120_000);
  after(removeTempDirs);

  it('costs time proportional to the number of declarations (impact, 10k → 80k)', async () => {
    const sizes = [10_000, 20_000, 40_000, 80_000];
    // A warm-up: the first run loads the TypeScript compiler and compiles the hot paths.
    await impactMs(repoWithGenerated(2_000), 2);
    const perDecl: number[] = [];
    const lines: string[] = [];
    for (const n of sizes) {
      const { ms, changes } = await impactMs(repoWithGenerated(n), 2);
      assert.equal(changes, n, 'every generated declaration is an added symbol');
      perDecl.push(ms / n);
      lines.push(`${n}: ${ms.toFixed(0)} ms (${((ms / n) * 1000).toFixed(1)} µs/declaration)`);
    }
    const growth = perDecl[perDecl.length - 1] / perDecl[0];
    assert.ok(growth <= 2.5, `time per declaration grew ${growth.toFixed(2)}× from ${sizes[0]} to ${sizes[sizes.length - 1]}:\n${lines.join('\n')}`);
  });

  it('a check over 160k generated declarations completes and runs no data for the unaffected feature', async () => {
    const root = repoWithGenerated(160_000);
    const report = await runCheck({ cwd: root, diskCache: false });
    assert.equal(report.changes.length, 160_000);
    assert.equal(report.summary.featuresAffected, 0);
    assert.equal(report.summary.featuresChecked, 0);
  });

  it('the text report lists the first 50 of 160 changes and counts the rest; JSON keeps all', () => {
    const root = repoWithGenerated(160);
    const { report } = runJson(root, ['impact']);
    assert.equal(report.changes.length, 160);
    const text = renderText(report, { color: false, mode: 'impact' });
    const listed = text.split('\n').filter((l) => /^ {2}added {4}filler_\d+ /.test(l));
    assert.equal(listed.length, MAX_CHANGES_SHOWN);
    assert.match(listed[0], /filler_0 /);
    assert.match(listed[49], /filler_49 /);
    assert.match(text, /… and 110 more/);
    assert.doesNotMatch(text, /filler_50 /);
  });

  for (const [command, format] of [['impact', 'text'], ['impact', 'json'], ['check', 'text'], ['check', 'json']]) {
    it(`\`${command} --format ${format} | head -1\` ends quietly: no EPIPE, no stack, usual exit status`, async () => {
      // 20k changes: the output is far more than a pipe holds, so the CLI is still writing when
      // the reader is gone.
      const root = repoWithGenerated(20_000);
      const child = spawn(process.execPath, [CLI, command, '--format', format], { cwd: root, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      // Read one chunk, then close our end, as `head -1` does.
      const first = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString('utf8'))));
      child.stdout.destroy();
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      assert.ok(first.length > 0);
      assert.doesNotMatch(stderr, /EPIPE|\n\s+at |Error/, stderr);
      assert.equal(stderr, '');
      assert.equal(code, 0, 'no error finding: the usual exit status 0');
    });
  }
});
