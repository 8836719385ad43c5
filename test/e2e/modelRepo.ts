/**
 * The feature repository of `featureRepo.ts` with a real ONNX model reading three of its features
 * (SPEC §10): `churn_model_v3`, a logistic regression over [recency, spend, age_years] written by
 * `scripts/onnxBuilder.mjs`. Editing `spend` (e.g. rescaling it) flips many of its predictions.
 */
import { logisticRegression } from '../../scripts/onnxBuilder.mjs';
import { commitAll } from '../helpers';
import { repo } from './featureRepo';

export const MODEL_PATH = 'models/churn_v3.onnx';

/** p(churn) = sigmoid(-0.03·recency + 0.02·spend − 0.02·age + 0.5): spread around 0.5 on the fixture's rows. */
export const churnModel = (): Buffer => Buffer.from(logisticRegression({ weights: [-0.03, 0.02, -0.02], bias: 0.5 }));

/**
 * A committed repository with `churn_model_v3` configured on `model` (default: the logistic
 * regression; pass other bytes, e.g. a corrupt file, to test failures).
 */
export function modelRepo(model: Buffer | string = churnModel()): string {
  const root = repo('parquet', {
    models: { churn_model_v3: { path: MODEL_PATH, snapshot: 'c', inputs: { float_input: ['recency', 'spend', 'age_years'] } } },
  });
  commitAll(root, { [MODEL_PATH]: model }, 'the model');
  return root;
}
