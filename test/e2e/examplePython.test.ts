/**
 * examples/churn-py's claim, checked: its snapshot's stored columns are what its committed Python
 * code computes (scripts/verifyExamplePython.mjs runs every feature on every row, in Debian's
 * python3 with pandas, and the row features again in `python3` from PATH). And the story's patch
 * applies and reaches the two features it should.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, exampleRepo, git, removeTempDirs, runJson } from '../helpers';

describe('examples/churn-py', function () {
  this.timeout(60000);
  after(removeTempDirs);

  it('reproduces every stored column of its snapshot with the committed Python code', () => {
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'verifyExamplePython.mjs')], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /all 8 features \(and 1 other form\) reproduce their stored columns exactly/);
  });

  it('its story.patch reaches spend_usd and spend_per_session, through monthly_spend', () => {
    const root = exampleRepo('churn-py', true);
    git(root, 'apply', 'story.patch');
    const { code, report } = runJson(root, ['impact']);
    assert.equal(code, 0);
    assert.deepEqual(report.features.map((f: any) => [f.name, f.kind, f.via]), [
      ['spend_usd', 'row', []],
      ['spend_per_session', 'row', ['src/churn_features/customer.py#monthly_spend']],
    ]);
    assert.deepEqual(report.changes.map((c: any) => `${c.symbol}:${c.kind}`), ['SPEND_MEAN:added', 'SPEND_STD:added', 'monthly_spend:modified']);
  });

  it('its story flips churn_model_v3 as the TypeScript one does: the Python features feed the model by name', () => {
    const root = exampleRepo('churn-py', true);
    git(root, 'apply', 'story.patch');
    const { code, report } = runJson(root, ['check'], { FEATUREGUARD_PYTHON: '/usr/bin/python3' });
    assert.equal(code, 1);
    assert.equal(report.models.length, 1, JSON.stringify(report.models));
    const m = report.models[0];
    assert.deepEqual([m.name, m.features, m.rows, m.task], ['churn_model_v3', ['spend_usd', 'spend_per_session'], 4000, 'classifier']);
    assert.ok(m.flipRate > 0.3 && m.metric.name === 'auc' && m.metric.after < m.metric.before - 0.1, JSON.stringify(m));
    assert.ok(!report.warnings?.some((w: string) => w.includes('churn_model_v3')), JSON.stringify(report.warnings));
    for (const name of ['spend_usd', 'spend_per_session']) {
      const f = report.features.find((x: any) => x.name === name);
      assert.deepEqual(f.models, ['churn_model_v3']);
      assert.ok(f.findings.some((x: any) => x.check === 'model.prediction-shift' && x.severity === 'error'), JSON.stringify(f.findings));
    }
  });
});
