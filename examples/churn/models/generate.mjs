// Trains churn_model_v3 and writes churn_model_v3.onnx next to this file: a logistic regression
// on the stored features of ../data/customers.parquet predicting its `churned` column, fitted by
// full-batch gradient descent in plain Node (no randomness: the same file on every machine).
// The features are standardized for training and the standardization is folded into the
// weights, so the model reads the raw stored values — exactly what the feature store serves it.
// Run from the repository root: node examples/churn/models/generate.mjs
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { logisticRegression } from '../../../scripts/onnxBuilder.mjs';

/** The model's inputs, in the column order of its one [N, 5] input `float_input`. */
const INPUTS = ['spend_usd', 'spend_per_session', 'tenure_months', 'recency_days', 'tickets_per_month'];
const LABEL = 'churned';
const STEPS = 4000;
const LEARNING_RATE = 0.5;

const HERE = import.meta.dirname;
const file = await asyncBufferFromFile(join(HERE, '..', 'data', 'customers.parquet'));
const table = await parquetReadObjects({ file, compressors, columns: [...INPUTS, LABEL] });
const X = table.map((row) => INPUTS.map((c) => Number(row[c])));
const y = table.map((row) => (row[LABEL] ? 1 : 0));
const n = X.length;
const k = INPUTS.length;

// Standardize: z = (x - mean) / std.
const mean = INPUTS.map((_, j) => X.reduce((s, x) => s + x[j], 0) / n);
const std = INPUTS.map((_, j) => Math.sqrt(X.reduce((s, x) => s + (x[j] - mean[j]) ** 2, 0) / n) || 1);
const Z = X.map((x) => x.map((v, j) => (v - mean[j]) / std[j]));

// Gradient descent on the mean log-loss.
const sigmoid = (t) => 1 / (1 + Math.exp(-t));
let w = new Array(k).fill(0);
let b = 0;
for (let step = 0; step < STEPS; step++) {
  const gw = new Array(k).fill(0);
  let gb = 0;
  for (let i = 0; i < n; i++) {
    const err = sigmoid(Z[i].reduce((s, z, j) => s + z * w[j], b)) - y[i];
    for (let j = 0; j < k; j++) gw[j] += err * Z[i][j];
    gb += err;
  }
  w = w.map((wj, j) => wj - (LEARNING_RATE * gw[j]) / n);
  b -= (LEARNING_RATE * gb) / n;
}

// Folded into raw space: w·z + b = Σ (w_j / std_j) x_j + (b - Σ w_j mean_j / std_j).
const weights = w.map((wj, j) => wj / std[j]);
const bias = b - w.reduce((s, wj, j) => s + (wj * mean[j]) / std[j], 0);

/** AUC as the rank statistic (ties count half). */
function auc(score, truth) {
  const idx = score.map((_, i) => i).sort((a, c) => score[a] - score[c]);
  let rankSum = 0;
  let pos = 0;
  for (let r = 0; r < idx.length; ) {
    let e = r;
    while (e + 1 < idx.length && score[idx[e + 1]] === score[idx[r]]) e++;
    for (let t = r; t <= e; t++) if (truth[idx[t]]) { rankSum += (r + e) / 2 + 1; pos++; }
    r = e + 1;
  }
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * (idx.length - pos));
}
const p = X.map((x) => sigmoid(x.reduce((s, v, j) => s + v * weights[j], bias)));
const accuracy = p.filter((pi, i) => (pi >= 0.5 ? 1 : 0) === y[i]).length / n;

const bytes = logisticRegression({ weights, bias, input: 'matrix', inputName: 'float_input' });
const out = join(HERE, 'churn_model_v3.onnx');
writeFileSync(out, bytes);
// examples/churn-py reads the same snapshot and runs the same model.
writeFileSync(join(HERE, '..', '..', 'churn-py', 'models', 'churn_model_v3.onnx'), bytes);
console.log(`churn_model_v3: p(churned) = sigmoid(x · w + b) on [${INPUTS.join(', ')}]`);
console.log(`  w = [${weights.map((v) => v.toPrecision(4)).join(', ')}], b = ${bias.toPrecision(4)}`);
console.log(`  on ${n} rows (${y.filter(Boolean).length} churned): AUC ${auc(p, y).toFixed(3)}, accuracy ${accuracy.toFixed(3)}`);
console.log(`wrote ${relative(process.cwd(), out)}`);
