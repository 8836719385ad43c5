/**
 * The model comparison's arithmetic (engine/models/modelScores.ts): AUC against an independent
 * pairwise count, flips and deltas, how outputs are read, label matching and the labelled metrics.
 */
import { strict as assert } from 'node:assert';
import { auc, compareScores, labelledMetrics, scoresOf, truthClasses, type Scores } from '../../engine/models/modelScores';
import type { WireTensor } from '../../engine/models/modelProtocol';
import { prng } from '../helpers';
import { pairwiseAuc } from './modelRepo';

const tensor = (dims: number[], data: number[]): WireTensor => ({ name: 'out', type: 'float32', dims, data: Float32Array.from(data) });
const f64 = (x: number[]) => Float64Array.from(x);
const close = (a: number, b: number, eps = 1e-12) => assert.ok(Math.abs(a - b) <= eps, `${a} ≠ ${b}`);

describe('model scores', () => {
  describe('auc', () => {
    it('equals the pairwise share of correctly ranked pairs, ties counted half', () => {
      const score = [0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.9, 0.1, 0.6, 0.6];
      const truth = [0, 0, 1, 1, 1, 0, 1, 1, 0, 1];
      // By hand: 6 positives × 4 negatives = 24 pairs. Positives 0.35, 0.8, 0.4, 0.9, 0.1, 0.6 against
      // negatives 0.1, 0.4, 0.4, 0.6: 0.35 → 1, 0.8 → 4, 0.4 → 1 + 2 × ½, 0.9 → 4, 0.1 → ½, 0.6 → 3 + ½.
      const expected = (1 + 4 + 2 + 4 + 0.5 + 3.5) / 24;
      close(pairwiseAuc(score, truth), expected);
      close(auc(f64(score), Int32Array.from(truth))!, expected);
    });

    it('agrees with the pairwise count on random scores with many ties, unlabelled rows skipped', () => {
      const rand = prng(7);
      for (let trial = 0; trial < 50; trial++) {
        const n = 5 + Math.floor(rand() * 60);
        const score = Array.from({ length: n }, () => Math.floor(rand() * 6) / 5);
        const truth = Array.from({ length: n }, () => (rand() < 0.15 ? -1 : rand() < 0.4 ? 1 : 0));
        if (!truth.includes(1) || !truth.includes(0)) continue;
        close(auc(f64(score), Int32Array.from(truth))!, pairwiseAuc(score, truth), 1e-12);
      }
    });

    it('is 1 for a perfect ranking, 0 for a reversed one, ½ for constant scores, undefined with one class', () => {
      const truth = Int32Array.from([0, 0, 1, 1]);
      assert.equal(auc(f64([0.1, 0.2, 0.8, 0.9]), truth), 1);
      assert.equal(auc(f64([0.9, 0.8, 0.2, 0.1]), truth), 0);
      assert.equal(auc(f64([0.5, 0.5, 0.5, 0.5]), truth), 0.5);
      assert.equal(auc(f64([0.1, 0.2]), Int32Array.from([1, 1])), undefined);
      assert.equal(auc(f64([0.1, 0.2, 0.3]), Int32Array.from([0, -1, -1])), undefined);
    });

    it('ranks NaN scores lowest', () => {
      // The NaN positive ranks below both negatives: 0 of 2 pairs for it, 2 of 2 for the other positive.
      assert.equal(auc(f64([NaN, 0.9, 0.2, 0.3]), Int32Array.from([1, 1, 0, 0])), 0.5);
    });
  });

  describe('scoresOf', () => {
    it('a sigmoid [N, 1]: the score is p and the class is p > 0.5', () => {
      const s = scoresOf(tensor([4, 1], [0.2, 0.5, 0.51, 0.99]), 'classifier', 4);
      assert.deepEqual([...s.score].map(Math.fround), [0.2, 0.5, 0.51, 0.99].map(Math.fround));
      assert.deepEqual([...s.classes!], [0, 0, 1, 1]);
      assert.equal(s.classCount, 2);
    });

    it('two columns [N, 2]: the score is p(class 1), the class the larger column', () => {
      const s = scoresOf(tensor([3, 2], [0.7, 0.3, 0.2, 0.8, 0.45, 0.55]), 'classifier', 3);
      assert.deepEqual([...s.score].map(Math.fround), [0.3, 0.8, 0.55].map(Math.fround));
      assert.deepEqual([...s.classes!], [0, 1, 1]);
      assert.equal(s.classCount, 2);
    });

    it('multiclass: the most probable class, scored by the reference run’s class', () => {
      const before = scoresOf(tensor([2, 3], [0.1, 0.7, 0.2, 0.5, 0.2, 0.3]), 'classifier', 2);
      assert.deepEqual([...before.classes!], [1, 0]);
      assert.deepEqual([...before.score].map(Math.fround), [0.7, 0.5].map(Math.fround));
      assert.equal(before.classCount, 3);
      const after = scoresOf(tensor([2, 3], [0.1, 0.2, 0.7, 0.5, 0.2, 0.3]), 'classifier', 2, before.classes);
      assert.deepEqual([...after.classes!], [2, 0]);
      // Row 1 is scored by class 1 (the class predicted before): 0.2, not the new winner's 0.7.
      assert.deepEqual([...after.score].map(Math.fround), [0.2, 0.5].map(Math.fround));
    });

    it('a regressor: the first value of each row, no classes', () => {
      const s = scoresOf({ name: 'v', type: 'float64', dims: [3, 1], data: f64([1.5, -2, 7]) }, 'regressor', 3);
      assert.deepEqual([...s.score], [1.5, -2, 7]);
      assert.equal(s.classes, undefined);
    });
  });

  describe('compareScores', () => {
    it('classifiers: a flip is a change of class; deltas are of the score', () => {
      const before: Scores = { score: f64([0.2, 0.6, 0.9, 0.4]), classes: Int32Array.from([0, 1, 1, 0]), classCount: 2 };
      const after: Scores = { score: f64([0.3, 0.4, 0.95, 0.4]), classes: Int32Array.from([0, 0, 1, 0]), classCount: 2 };
      const s = compareScores(before, after, 'classifier');
      assert.equal(s.rows, 4);
      assert.equal(s.shifted, 1);
      close(s.meanAbsDelta, (0.1 + 0.2 + 0.05 + 0) / 4);
      close(s.maxAbsDelta, 0.2);
    });

    it('regressors: rows moving by more than 10% of the stored run’s (population) std', () => {
      const before = [0, 2, 4, 6, 8];
      const band = 0.1 * Math.sqrt(8); // population std of 0, 2, 4, 6, 8 is √8
      const after = [0 + band * 0.99, 2 + band * 1.01, 4 - band * 2, 6, 8 + band * 0.5];
      const s = compareScores({ score: f64(before) }, { score: f64(after) }, 'regressor');
      assert.equal(s.shifted, 2);
      close(s.maxAbsDelta, band * 2, 1e-12);
      close(s.meanAbsDelta, (band * (0.99 + 1.01 + 2 + 0 + 0.5)) / 5, 1e-12);
    });

    it('a score becoming NaN counts as moved and stays out of the deltas', () => {
      const s = compareScores({ score: f64([1, 2, 3]) }, { score: f64([1, NaN, 3.5]) }, 'regressor');
      assert.equal(s.shifted, 2);
      assert.equal(s.meanAbsDelta, 0.25);
      assert.equal(s.maxAbsDelta, 0.5);
    });
  });

  describe('truthClasses', () => {
    it('matches class labels, booleans as 1 and 0, unknown values as -1', () => {
      assert.deepEqual([...truthClasses([1, 0, true, false, null, 7, '1'], [0, 1], 2)], [1, 0, 1, 0, -1, -1, 1]);
      assert.deepEqual([...truthClasses(['yes', 'no', 'maybe', undefined], ['no', 'yes'], 2)], [1, 0, -1, -1]);
    });

    it('without class labels, integers in range are class indices', () => {
      assert.deepEqual([...truthClasses([0, 2, 3, 1.5, -1, true], undefined, 3)], [0, 2, -1, -1, -1, 1]);
    });
  });

  describe('labelledMetrics', () => {
    it('regressors: RMSE of both runs over the labelled rows', () => {
      const before = f64([1, 2, 3, 4]);
      const after = f64([1, 3, 5, 4]);
      const labels = [1.5, 2, null, 3];
      const [m, ...rest] = labelledMetrics({ score: before }, { score: after }, 'regressor', labels);
      assert.equal(rest.length, 0);
      assert.equal(m.name, 'rmse');
      assert.equal(m.rows, 3);
      close(m.before, Math.sqrt((0.25 + 0 + 1) / 3));
      close(m.after, Math.sqrt((0.25 + 1 + 1) / 3));
    });

    it('two classes: AUC then accuracy, on the labelled rows only', () => {
      const before: Scores = { score: f64([0.1, 0.7, 0.8, 0.3, 0.6]), classes: Int32Array.from([0, 1, 1, 0, 1]), classCount: 2 };
      const after: Scores = { score: f64([0.6, 0.7, 0.2, 0.3, 0.6]), classes: Int32Array.from([1, 1, 0, 0, 1]), classCount: 2 };
      const labels = [false, true, true, false, null];
      const metrics = labelledMetrics(before, after, 'classifier', labels, [0, 1]);
      assert.deepEqual(metrics.map((m) => m.name), ['auc', 'accuracy']);
      assert.deepEqual(metrics[0], { name: 'auc', before: 1, after: pairwiseAuc([0.6, 0.7, 0.2, 0.3], [0, 1, 1, 0]), rows: 4 });
      assert.deepEqual(metrics[1], { name: 'accuracy', before: 1, after: 0.5, rows: 4 });
    });

    it('more than two classes: accuracy only; no labelled row: nothing', () => {
      const s: Scores = { score: f64([0.5, 0.6]), classes: Int32Array.from([2, 0]), classCount: 3 };
      assert.deepEqual(labelledMetrics(s, s, 'classifier', [2, 1]), [{ name: 'accuracy', before: 0.5, after: 0.5, rows: 2 }]);
      assert.deepEqual(labelledMetrics(s, s, 'classifier', [null, 'x']), []);
    });
  });
});
