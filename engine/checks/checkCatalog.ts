/**
 * One line per check id (SPEC §5): what it detects and what to do. SARIF rules, documentation and
 * help texts are generated from this table, so a new check is described in one place.
 */
import type { CheckId } from '../findings';

export interface CheckDescription {
  /** What the check detects. */
  short: string;
  /** Why it matters and what to do about it. */
  help: string;
}

export const CHECK_CATALOG: Record<CheckId, CheckDescription> = {
  'code.syntax': { short: 'A changed file does not parse.', help: 'Fix the syntax error; FeatureGuard cannot analyze or run code that does not parse.' },
  'source.missing': { short: "A feature's source export no longer exists.", help: 'Restore the export, or update the feature\'s "source" in featureguard.json if it moved.' },
  'schema.type': { short: "The output type differs from the stored column's.", help: 'Consumers read the stored type: publish the new output as a new feature version instead of changing this one.' },
  'value.mismatch': { short: 'The new code disagrees with the values the feature store holds.', help: 'Models trained on the stored history will see a different meaning: backfill the column, or publish the edit as a new feature version (NAME_v2).' },
  'drift.distribution': { short: 'The distribution of values shifted from the stored one (PSI, KS, Wasserstein).', help: 'A shifted distribution changes what models learned; confirm the shift is intended, then backfill or version the feature.' },
  'nulls.rate': { short: 'The share of nulls differs from the stored column.', help: 'A changed null policy changes what models see for missing data; align it with the stored history or backfill.' },
  'domain.new-values': { short: 'Categories never seen in the stored column.', help: "Model encoders have no slot for new categories: map them to known ones, or retrain with the new vocabulary." },
  'runtime.error': { short: 'The new code throws on some sampled rows.', help: 'Handle the failing inputs (often nulls); the first error and an example row are in the finding.' },
  'runtime.timeout': { short: 'Execution exceeded timeoutMs.', help: 'Look for an infinite loop or a slow path; raise timeoutMs in featureguard.json only if the work is really needed.' },
  'expect.range': { short: 'Values fall outside the declared expect.min / expect.max.', help: 'Fix the computation, or update the expectation if the range legitimately changed.' },
  'expect.not-null': { short: 'Nulls from a feature declared notNull.', help: 'Return a value for every row, or drop notNull if consumers accept nulls.' },
  'expect.values': { short: 'Values outside the declared expect.values set.', help: 'Map the new values to the declared set, or extend the set together with its consumers.' },
  'examples.mismatch': { short: 'A declared example gives another output.', help: 'The example is the feature\'s contract: fix the code or, if the contract changed, the example.' },
  'perf.slowdown': { short: 'The new code is at least 3× slower per row.', help: 'A feature runs for every row of every batch: look for repeated work in the edit.' },
  'model.prediction-shift': { short: "A model that reads the feature predicts differently on the sampled rows (classifiers: the class flips; regressors: the score moves by more than 10% of its std).", help: 'The model was trained on the stored meaning of the feature: publish the edit as a new feature version and retrain the model on it, or keep the stored meaning.' },
  'model.metric-drop': { short: "A model's labelled metric (AUC, accuracy or RMSE) gets worse with the new feature values.", help: 'The edit hurts the model until it is retrained: version the feature, retrain, and switch the model over together.' },
  'model.input': { short: "A model cannot be loaded, or its inputs cannot be bound to features and columns.", help: "Check the model's path, and bind every model input (its names are in the message) to a feature or snapshot column in models.NAME.inputs." },
  'history.unreproduced': { short: 'The committed code does not reproduce the stored column on the sample.', help: 'A feature that reads other rows (rolling windows, lags, running totals) needs its neighbours: set orderBy and sampleBy (many entities) or sampleBlocks (one long series) on its snapshot. Otherwise the store is stale: backfill it. Value findings count only the rows the committed code reproduces.' },
  'code.nondeterministic': { short: 'The same code gives different values on the same rows.', help: 'Remove Math.random / Date.now from feature code, or seed them: history cannot be reproduced otherwise.' },
};
