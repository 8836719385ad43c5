/**
 * The moments a data check offers its caller to collect garbage (`DataOptions.collect`, which the
 * language server uses): once the snapshots are read, then after each feature — in a check and in
 * the warm-up of base values alike (a check also before each feature's statistics), and never in a check that reuses every result (nothing read).
 */
import { strict as assert } from 'node:assert';
import { neverCancelled } from '../../engine/errors';
import { WorkspaceSession } from '../../engine/session/workspaceSession';
import { customer, repo } from '../e2e/featureRepo';
import { removeTempDirs } from '../helpers';

describe('data checks: moments to collect garbage', function () {
  this.timeout(120000);
  after(removeTempDirs);

  it('after the read, then after each feature checked or warmed, and before each checked feature\'s statistics', async () => {
    const root = repo();
    const session = await WorkspaceSession.open({ cwd: root });
    const moments: string[] = [];
    session.collect = (after) => moments.push(after);
    try {
      const warmed = await session.warmBase(neverCancelled);
      assert.ok(warmed.total >= 1 && warmed.computed === warmed.total, JSON.stringify(warmed));
      // A warm-up reads no stored column and computes no statistics.
      assert.deepEqual(moments, ['read', ...Array(warmed.total).fill('feature')]);

      moments.length = 0;
      session.setBuffer('src/features/customer.ts', customer.replace('return row.spend;', 'return row.spend * 2;'));
      const { report } = await session.check(neverCancelled, {});
      const checked = report.summary.featuresChecked;
      assert.ok(checked >= 1);
      // The stored columns, read once the workers have their inputs, end at some point after the read.
      assert.deepEqual(moments.filter((m) => m !== 'stored'), ['read', ...Array.from({ length: checked }, () => ['values', 'feature']).flat()]);
      assert.ok(moments.filter((m) => m === 'stored').length <= 1 && moments.indexOf('stored') !== 0, moments.join(', '));
    } finally {
      session.dispose();
    }
  });
});
