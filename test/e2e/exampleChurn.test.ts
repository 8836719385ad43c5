/**
 * examples/churn's story end to end, model included (SPEC §10): `npm run demo`'s script catches
 * the edit and shows churn_model_v3's line, and the JSON report of the same check holds the model's
 * run — its predictions flip and its AUC and accuracy drop on the snapshot's `churned` label — with
 * `model.prediction-shift` and `model.metric-drop` errors on the features it reads.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, exampleRepo, git, removeTempDirs, runCli, runJson } from '../helpers';

describe('examples/churn: the story and churn_model_v3', function () {
  this.timeout(60000);
  after(removeTempDirs);

  it('npm run demo (scripts/demo.mjs) catches the story and ends with the model line', () => {
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'demo.mjs')], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    const models = r.stdout.slice(r.stdout.indexOf('\nModels\n'));
    assert.match(models, /^\nModels\n {2}churn_model_v3: \d+% of predictions flip, AUC 0\.\d+ → 0\.\d+ \(4,000 rows\) {2}reads spend_usd, spend_per_session\n/, r.stdout);
    assert.match(r.stdout, /consumers: churn_model_v3 \(model\), ltv_model\n/, 'ltv_model is a name only: no model runs for it');
    assert.match(r.stdout, /== Caught: .*churn_model_v3.*\(exit code 1\)/);
  });

  it('the JSON report: the model runs on 4,000 rows, flips a large share of predictions and loses AUC and accuracy', () => {
    const root = exampleRepo('churn', true);
    git(root, 'apply', 'story.patch');
    const { code, report } = runJson(root, ['check']);
    assert.equal(code, 1);
    assert.equal(report.models.length, 1, 'ltv_model has no models entry: only churn_model_v3 runs');
    const [m] = report.models;
    assert.equal(m.name, 'churn_model_v3');
    assert.equal(m.path, 'models/churn_model_v3.onnx');
    assert.equal(m.error, undefined);
    assert.equal(m.task, 'classifier');
    assert.deepEqual(m.features, ['spend_usd', 'spend_per_session']);
    assert.equal(m.rows, 4000);
    assert.ok(m.flipRate > 0.3, `flipRate ${m.flipRate}`);
    assert.equal(m.metric.name, 'auc');
    assert.ok(m.metric.before > 0.8, `AUC before ${m.metric.before}`);
    assert.ok(m.metric.after < 0.7, `AUC after ${m.metric.after}`);
    assert.equal(m.metric.rows, 4000);
    const accuracy = m.metrics.find((x: any) => x.name === 'accuracy');
    assert.ok(accuracy.after < accuracy.before - 0.2, JSON.stringify(accuracy));
    assert.match(m.summary, /^churn_model_v3: \d+% of predictions flip, AUC 0\.\d+ → 0\.\d+ \(4,000 rows\)$/);

    for (const name of ['spend_usd', 'spend_per_session']) {
      const feature = report.features.find((f: any) => f.name === name);
      const shift = feature.findings.filter((f: any) => f.check === 'model.prediction-shift');
      assert.equal(shift.length, 1, `${name}: ${JSON.stringify(feature.findings)}`);
      assert.equal(shift[0].severity, 'error');
      assert.match(shift[0].message, /^this edit flips churn_model_v3's prediction on \d+% of sampled rows \(\d+ of 4000\); AUC 0\.\d+ → 0\.\d+$/);
      assert.equal(shift[0].location.file, 'src/features/customer.ts');
      const drop = feature.findings.filter((f: any) => f.check === 'model.metric-drop');
      assert.equal(drop.length, 1, `${name}: ${JSON.stringify(feature.findings)}`);
      assert.equal(drop[0].severity, 'error');
      assert.match(drop[0].message, /^churn_model_v3 gets worse on 4000 labelled rows: AUC [0-9.]+ → [0-9.]+ \([0-9]+% worse\), accuracy [0-9.]+ → [0-9.]+ \([0-9]+% worse\)$/);
      assert.ok(!feature.findings.some((f: any) => f.check === 'model.input'));
    }
  });

  it('the code as deployed (no edit): nothing affected, no model runs', () => {
    const root = exampleRepo('churn');
    const r = runCli(root, ['check']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout, /churn_model_v3:/);
  });
});
