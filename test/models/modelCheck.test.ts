/**
 * Models end to end (SPEC §10): `featureguard check` on temp git repositories holding a Parquet
 * snapshot and real ONNX models (scripts/onnxBuilder.mjs); an edit of a TypeScript row feature
 * changes its values and the report says how each model's predictions move. The expected figures
 * are computed here from the models' own formulas on twelve hand-checkable rows.
 */
import { strict as assert } from 'node:assert';
import { categoryModel, logisticRegression, thresholdClassifier, treeClassifier, treeRegressor, type Tree } from '../../scripts/onnxBuilder.mjs';
import { removeTempDirs, runCli, treeFingerprint } from '../helpers';
import type { SnapshotRows } from '../e2e/snapshotFiles';
import {
  A, A_AFTER, B, C, EDIT_A, check, LOCATION, PLAN, SPEND, T, Y, count, edit, evalTrees, f32, meanAbs, modelRepo, pairwiseAuc, populationStd, sigmoid, snapshotRows,
} from './modelRepo';

const N = A.length;

const close = (actual: number, expected: number, eps: number, what: string) => assert.ok(Math.abs(actual - expected) <= eps, `${what}: ${actual}, expected ${expected}`);

// ---- The models and their formulas ----

/** z = 0.5·fb + 0.25·c + fa − 0.5 */
const LR = { weights: [0.5, 0.25, 1], bias: -0.5 };
const lrZ = (a: number[]) => a.map((x, i) => f32(0.5) * f32(B[i]) + 0.25 * C[i] + f32(x) - 0.5);

/** Two trees over [fa, fb]; a leaf adds to the class-1 logit (classifier) or to the value (regressor). */
const TREES: Tree[] = [
  { feature: 0, threshold: 0, left: { value: -2 }, right: { feature: 1, threshold: 0.75, left: { value: 1 }, right: { value: 3 } } },
  { feature: 1, threshold: -0.5, left: { value: -1.25 }, right: { value: 0.5 } },
];
const treeSums = (a: number[]) => a.map((x, i) => evalTrees(TREES, [f32(x), f32(B[i])]));

const flips = (before: number[], after: number[]) => count(N, (i) => before[i] > 0.5 !== after[i] > 0.5);
const accuracy = (p: number[]) => count(N, (i) => (p[i] > 0.5 ? 1 : 0) === Y[i]) / N;

describe('models (end to end)', function () {
  this.timeout(120000);
  after(removeTempDirs);

  describe('classifiers and a regressor reading an edited feature', () => {
    let root: string;
    let run: ReturnType<typeof check>;
    before(() => {
      root = modelRepo(
        {
          // One [N, 3] input bound by a list, in config order (not the order the features are declared).
          lr_matrix: { bytes: logisticRegression(LR), config: { inputs: { float_input: ['fb', 'c', 'fa'] }, label: 'y' } },
          // One [N, 1] input per column, bound by the inputs' own names (two features and a raw column).
          lr_columns: { bytes: logisticRegression({ weights: [1, 0.5, 0.25], bias: -0.5, input: 'columns', columns: ['fa', 'fb', 'c'] }) },
          trees: { bytes: treeClassifier({ trees: TREES, nFeatures: 2 }), config: { inputs: { float_input: ['fa', 'fb'] }, label: 'yb' } },
          // Linked by its input binding alone (not among fa's consumers).
          trees_zip: { bytes: treeClassifier({ trees: TREES, nFeatures: 2, zipmap: true }), config: { inputs: { float_input: ['fa', 'fb'] } } },
          trees_reg: { bytes: treeRegressor({ trees: TREES, nFeatures: 2 }), config: { inputs: { float_input: ['fa', 'fb'] }, label: 't' } },
        },
        { consumers: { fa: ['lr_matrix', 'lr_columns', 'trees', 'trees_reg', 'dashboard'], fb: ['lr_matrix'] } },
      );
      edit(root, EDIT_A);
      edit(root, ['return row.o; }', 'return row.o + 1; }']);
      run = check(root);
    });

    it('report.models has one entry per model reading the changed feature, in config order, with the SPEC shape', () => {
      assert.equal(run.code, 1);
      assert.deepEqual(run.report.models.map((m: any) => m.name), ['lr_matrix', 'lr_columns', 'trees', 'trees_zip', 'trees_reg']);
      for (const m of run.report.models) {
        assert.equal(m.path, `models/${m.name}.onnx`);
        assert.deepEqual(m.features, ['fa']);
        assert.equal(m.rows, N);
        assert.equal(m.error, undefined);
        for (const key of ['flipRate', 'meanAbsDelta', 'maxAbsDelta']) assert.equal(typeof m[key], 'number', `${m.name}.${key}`);
        assert.equal(typeof m.summary, 'string');
      }
      assert.deepEqual(run.report.models.map((m: any) => m.task), ['classifier', 'classifier', 'classifier', 'classifier', 'regressor']);
      assert.deepEqual(run.report.models.map((m: any) => m.output), ['probability', 'probability', 'probabilities', 'output_probability', 'variable']);
      // `metric` only with a label.
      assert.deepEqual(run.report.models.map((m: any) => m.metric?.name), ['auc', undefined, 'auc', undefined, 'rmse']);
    });

    it('logistic regression, one [N, k] input bound by a list: flips, deltas and AUC from its formula', () => {
      const m = run.modelByName.lr_matrix;
      const pb = lrZ(A).map(sigmoid);
      const pa = lrZ(A_AFTER).map(sigmoid);
      // By hand: rows 0, 1 and 10 (a = −2.5, −1.5, −3.3) cross z = 0; row 2 (a = −0.7) was already positive.
      assert.equal(flips(pb, pa), 3);
      assert.equal(m.flipRate, 3 / 12);
      const d = meanAbs(pb, pa);
      close(m.meanAbsDelta, d.mean, 1e-6, 'meanAbsDelta');
      close(m.maxAbsDelta, d.max, 1e-6, 'maxAbsDelta');
      // Six positives × six negatives: 34 of 36 pairs ranked right before, 23 after.
      assert.equal(pairwiseAuc(pb, Y), 34 / 36);
      assert.equal(pairwiseAuc(pa, Y), 23 / 36);
      assert.deepEqual(m.metric, { name: 'auc', before: 34 / 36, after: 23 / 36, rows: 12 });
      assert.deepEqual(m.metrics[1], { name: 'accuracy', before: accuracy(pb), after: accuracy(pa), rows: 12 });
      assert.deepEqual([accuracy(pb), accuracy(pa)], [11 / 12, 8 / 12]);
    });

    it('the same model with one input per column, bound by the inputs’ own names, moves the same way', () => {
      const m = run.modelByName.lr_columns;
      const d = meanAbs(lrZ(A).map(sigmoid), lrZ(A_AFTER).map(sigmoid));
      assert.equal(m.flipRate, 3 / 12);
      close(m.meanAbsDelta, d.mean, 1e-6, 'meanAbsDelta');
      close(m.maxAbsDelta, d.max, 1e-6, 'maxAbsDelta');
    });

    it('a tree-ensemble classifier: flips from its probabilities, AUC with ties, labels matched as booleans', () => {
      const m = run.modelByName.trees;
      const pb = treeSums(A).map(sigmoid);
      const pa = treeSums(A_AFTER).map(sigmoid);
      assert.equal(flips(pb, pa), 4);
      assert.equal(m.flipRate, 4 / 12);
      const d = meanAbs(pb, pa);
      close(m.meanAbsDelta, d.mean, 1e-6, 'meanAbsDelta');
      close(m.maxAbsDelta, d.max, 1e-6, 'maxAbsDelta');
      assert.equal(m.metric.name, 'auc');
      close(m.metric.before, pairwiseAuc(pb, Y), 1e-12, 'AUC before');
      close(m.metric.after, pairwiseAuc(pa, Y), 1e-12, 'AUC after');
      assert.equal(m.metric.rows, 12);
      // Its own `label` output agrees with its probabilities.
      assert.equal(m.labelDisagreements, undefined);
    });

    it('a ZipMap output: the probabilities under it are read, and the report names the ZipMap output', () => {
      const m = run.modelByName.trees_zip;
      const t = run.modelByName.trees;
      assert.equal(m.output, 'output_probability');
      assert.equal(m.flipRate, 4 / 12);
      assert.equal(m.meanAbsDelta, t.meanAbsDelta);
      assert.equal(m.maxAbsDelta, t.maxAbsDelta);
    });

    it('a tree-ensemble regressor: rows moving by more than 10% of the stored predictions’ std, RMSE against the label', () => {
      const m = run.modelByName.trees_reg;
      const yb = treeSums(A);
      const ya = treeSums(A_AFTER);
      const band = 0.1 * populationStd(yb);
      const moved = count(N, (i) => Math.abs(ya[i] - yb[i]) > band);
      // By hand: the five rows whose fa turns positive change their first tree's leaf (−2 → 1 or 3).
      assert.equal(moved, 5);
      assert.equal(m.flipRate, 5 / 12);
      const d = meanAbs(yb, ya);
      close(m.meanAbsDelta, d.mean, 1e-6, 'meanAbsDelta');
      close(m.maxAbsDelta, d.max, 1e-6, 'maxAbsDelta');
      const rmse = (p: number[]) => Math.sqrt(p.reduce((s, v, i) => s + (v - T[i]) ** 2, 0) / N);
      assert.equal(m.metric.name, 'rmse');
      close(m.metric.before, rmse(yb), 1e-6, 'RMSE before');
      close(m.metric.after, rmse(ya), 1e-6, 'RMSE after');
    });

    it('findings: SPEC §10 severities, on the feature’s function, one set per model', () => {
      const shift = run.findings('fa', 'model.prediction-shift');
      assert.deepEqual(
        shift.map((x: any) => [x.severity, x.message]),
        [
          ['error', "this edit flips lr_matrix's prediction on 25% of sampled rows (3 of 12); AUC 0.944 → 0.639"],
          ['error', "this edit flips lr_columns's prediction on 25% of sampled rows (3 of 12)"],
          ['error', `this edit flips trees's prediction on 33% of sampled rows (4 of 12); AUC ${auc3(run.modelByName.trees.metric)}`],
          ['error', "this edit flips trees_zip's prediction on 33% of sampled rows (4 of 12)"],
          ['error', `this edit moves trees_reg's prediction by more than 10% of its spread on 42% of sampled rows (5 of 12); RMSE ${auc3(run.modelByName.trees_reg.metric)}`],
        ],
      );
      const drop = run.findings('fa', 'model.metric-drop');
      // Every metric is named; the worst relative drop sets the severity: for the trees, accuracy falls further than AUC.
      const pb = treeSums(A).map(sigmoid);
      const pa = treeSums(A_AFTER).map(sigmoid);
      const accDrop = (accuracy(pb) - accuracy(pa)) / accuracy(pb);
      assert.ok(accDrop > (pairwiseAuc(pb, Y) - pairwiseAuc(pa, Y)) / pairwiseAuc(pb, Y));
      assert.deepEqual(drop.map((x: any) => x.message.split(' gets worse')[0]), ['lr_matrix', 'trees', 'trees_reg']);
      // AUC 34/36 → 23/36, accuracy 11/12 → 8/12 (computed above from the model's formula).
      assert.equal(drop[0].message, 'lr_matrix gets worse on 12 labelled rows: AUC 0.944 → 0.639 (32% worse), accuracy 0.917 → 0.667 (27% worse)');
      assert.match(drop[2].message, /^trees_reg gets worse on 12 labelled rows: RMSE [\d.]+ → [\d.]+ \(\d+% worse\)$/);
      assert.ok(drop.every((x: any) => x.severity === 'error'));
      for (const x of [...shift, ...drop]) assert.deepEqual(x.location, LOCATION.fa);
      // The other edited feature reads no model: checked, no model findings.
      assert.equal(run.byName.other.verdict, 'changed');
      assert.deepEqual(run.findings('other').map((x: any) => x.check).filter((c: string) => c.startsWith('model.')), []);
      assert.equal(run.findings('fa', 'model.input').length, 0);
    });

    it('features[].models lists the consumers that are models, in consumers order (not a model linked by binding alone)', () => {
      assert.deepEqual(run.byName.fa.consumers, ['lr_matrix', 'lr_columns', 'trees', 'trees_reg', 'dashboard']);
      assert.deepEqual(run.byName.fa.models, ['lr_matrix', 'lr_columns', 'trees', 'trees_reg']);
      assert.equal(run.byName.other.models, undefined);
    });

    it('the text report has one summary line per model', () => {
      const r = runCli(root, ['check']);
      assert.equal(r.code, 1);
      const lines = r.stdout.split('\n');
      const at = lines.indexOf('Models');
      assert.ok(at > 0, r.stdout);
      assert.deepEqual(lines.slice(at + 1, at + 3), [
        '  lr_matrix: 25% of predictions flip, AUC 0.944 → 0.639 (12 rows)  reads fa',
        '  lr_columns: 25% of predictions flip (12 rows)  reads fa',
      ]);
      assert.match(lines[at + 5], /^ {2}trees_reg: 42% of predictions move by more than 10% of their spread, mean \|Δ\| [\d.]+, RMSE [\d.]+ → [\d.]+ \(12 rows\) {2}reads fa$/);
      assert.match(r.stdout, /consumers: lr_matrix \(model\), lr_columns \(model\), trees \(model\), trees_reg \(model\), dashboard\n/);
    });

    it('a check with models writes nothing in the repository, model files included', () => {
      const skip = (rel: string) => rel.startsWith('.git/featureguard');
      const before = treeFingerprint(root, skip);
      assert.ok([...before.keys()].filter((k) => k.endsWith('.onnx')).length === 5);
      runCli(root, ['check']);
      runCli(root, ['check', '--format', 'json']);
      assert.deepEqual(treeFingerprint(root, skip), before);
    });
  });

  it('a string input: a categorical edit moves a LabelEncoder model', () => {
    const categories = { basic: -1, pro: 1.5, team: 0.5 };
    const root = modelRepo(
      { plans: { bytes: categoryModel({ categories, numericWeight: 0.02, bias: -0.5 }), config: { inputs: { plan: 'plan_f', spend: 'spend_f' }, label: 'y' } } },
      { consumers: { plan_f: ['plans'] } },
    );
    edit(root, ['return row.plan; }', "return row.plan === 'pro' ? 'premium' : row.plan; }"]);
    const run = check(root);
    const weight = (p: string) => (categories as Record<string, number>)[p] ?? 0;
    const p = (plans: string[]) => plans.map((x, i) => sigmoid(f32(weight(x)) + f32(0.02) * SPEND[i] - 0.5));
    const pb = p(PLAN);
    const pa = p(PLAN.map((x) => (x === 'pro' ? 'premium' : x)));
    // By hand: pro rows with spend 20 and 15 drop below z = 0 (27 stays at z = 0.04, 40 and 50 above).
    assert.equal(flips(pb, pa), 2);
    const m = run.modelByName.plans;
    assert.deepEqual(m.features, ['plan_f']);
    assert.equal(m.flipRate, 2 / 12);
    const d = meanAbs(pb, pa);
    close(m.meanAbsDelta, d.mean, 1e-6, 'meanAbsDelta');
    close(m.maxAbsDelta, d.max, 1e-6, 'maxAbsDelta');
    close(m.metric.before, pairwiseAuc(pb, Y), 1e-12, 'AUC before');
    close(m.metric.after, pairwiseAuc(pa, Y), 1e-12, 'AUC after');
    const shift = run.findings('plan_f', 'model.prediction-shift');
    assert.equal(shift.length, 1);
    assert.equal(shift[0].severity, 'error');
    assert.match(shift[0].message, /^this edit flips plans's prediction on 17% of sampled rows \(2 of 12\); AUC /);
    assert.deepEqual(shift[0].location, LOCATION.plan_f);
  });

  it('a thresholds override grades the model findings', () => {
    const root = modelRepo(
      { lr_matrix: { bytes: logisticRegression(LR), config: { inputs: { float_input: ['fb', 'c', 'fa'] }, label: 'y' } } },
      { consumers: { fa: ['lr_matrix'] }, extra: { thresholds: { 'model.prediction-shift': { error: 0.5 }, 'model.metric-drop': { warning: 0.4, error: 0.9 } } } },
    );
    edit(root, EDIT_A);
    const run = check(root);
    // A 25% flip rate is under the raised error threshold; the 32% AUC drop is under the raised warning threshold.
    assert.deepEqual(run.findings('fa').filter((x: any) => x.check.startsWith('model.')).map((x: any) => `${x.check}:${x.severity}`), ['model.prediction-shift:warning']);
    assert.equal(run.modelByName.lr_matrix.flipRate, 0.25);
  });

  it('default thresholds: one flip in sixty rows is a warning, so is a small metric drop', () => {
    // Sixty rows: the twelve, five times over, `o` numbering them; the edit moves row 0 alone, to z = 0.1.
    const rows: SnapshotRows = Array.from({ length: 5 }, () => snapshotRows()).flat().map((r, i) => ({ ...r, o: i + 1, other: i + 1 }));
    const root = modelRepo({ lr_matrix: { bytes: logisticRegression(LR), config: { inputs: { float_input: ['fb', 'c', 'fa'] }, label: 'y' } } }, { rows, consumers: { fa: ['lr_matrix'] } });
    edit(root, ['return row.a; }', 'return row.o === 1 ? 0.1 : row.a; }']);
    const run = check(root);
    const m = run.modelByName.lr_matrix;
    assert.equal(m.rows, 60);
    assert.equal(m.flipRate, 1 / 60);
    const z = (xs: number[]) => xs.map((x, i) => f32(0.5) * f32(rows[i].b as number) + 0.25 * (rows[i].c as number) + f32(x) - 0.5);
    const y = rows.map((r) => r.y as number);
    const pb = z(rows.map((r) => r.a as number)).map(sigmoid);
    const pa = z(rows.map((r, i) => (i === 0 ? 0.1 : (r.a as number)))).map(sigmoid);
    const auc = [pairwiseAuc(pb, y), pairwiseAuc(pa, y)];
    const acc = [pb, pa].map((p) => count(60, (i) => (p[i] > 0.5 ? 1 : 0) === y[i]) / 60);
    // By hand: row 0 (a negative) now outranks the five positives at z = 0.05: 5 of 900 pairs; and it is now misclassified.
    close(auc[0] - auc[1], 5 / 900, 1e-12, 'AUC lost');
    assert.deepEqual(acc, [55 / 60, 54 / 60]);
    close(m.metric.before, auc[0], 1e-12, 'AUC before');
    close(m.metric.after, auc[1], 1e-12, 'AUC after');
    const worst = Math.max((auc[0] - auc[1]) / auc[0], (acc[0] - acc[1]) / acc[0]);
    assert.ok(worst >= 0.005 && worst < 0.02, `relative drop ${worst}`);
    assert.deepEqual(run.findings('fa').filter((x: any) => x.check.startsWith('model.')).map((x: any) => `${x.check}:${x.severity}`), ['model.prediction-shift:warning', 'model.metric-drop:warning']);
    assert.equal(run.findings('fa', 'model.metric-drop')[0].message, 'lr_matrix gets worse on 60 labelled rows: AUC 0.944 → 0.939 (0.6% worse), accuracy 0.917 → 0.9 (1.8% worse)');
  });

  it('a model whose own label output disagrees with its probabilities (its own 0.3 threshold): flips come from the probabilities, and a warning counts the stored rows where the two disagree', () => {
    const root = modelRepo({ thr: { bytes: thresholdClassifier({ threshold: 0.3 }), config: { inputs: { x: 'fa' } } } }, { consumers: { fa: ['thr'] } });
    edit(root, EDIT_A);
    const run = check(root);
    // On the stored rows: its label says 1 above p = 0.3, the probabilities' class is 1 above 0.5.
    const disagree = count(A.length, (i) => sigmoid(f32(A[i])) > f32(0.3) !== sigmoid(f32(A[i])) > 0.5);
    assert.equal(disagree, 2, 'the fixture has two rows between the thresholds (a = -0.7, -0.2)');
    const m = run.modelByName.thr;
    assert.equal(m.labelDisagreements, disagree);
    assert.deepEqual(run.report.warnings, [`thr: its "label" output disagrees with its "probability" probabilities on ${disagree} of 12 stored rows; FeatureGuard reads the probabilities`]);
    // Flips from the probabilities (p > 0.5), not from the label: |a| makes every negative a positive prediction.
    const flips = count(A.length, (i) => sigmoid(f32(A[i])) > 0.5 !== sigmoid(f32(A_AFTER[i])) > 0.5);
    assert.equal(m.flipRate, flips / 12);
  });

  it('an identical refactor runs no model: a corrupt model file goes unnoticed', () => {
    const root = modelRepo({ lr_matrix: { bytes: Buffer.from('this is not an ONNX model'), config: { inputs: { float_input: ['fb', 'c', 'fa'] } } } }, { consumers: { fa: ['lr_matrix'] } });
    edit(root, ['return row.a; }', 'const value = row.a; return value; }']);
    const run = check(root);
    assert.equal(run.code, 0);
    assert.equal(run.byName.fa.verdict, 'identical');
    assert.deepEqual(run.byName.fa.models, ['lr_matrix']);
    assert.equal(run.report.models, undefined);
    assert.deepEqual(run.findings('fa'), []);
    assert.deepEqual(run.report.findings, []);
  });
});

/** "before → after" as the report prints a metric (three decimals, trailing zeros dropped). */
function auc3(m: { before: number; after: number }): string {
  const f = (x: number) => x.toFixed(3).replace(/(\.\d*?[1-9])0+$|\.0+$/, '$1');
  return `${f(m.before)} → ${f(m.after)}`;
}
