/**
 * The severity ladder of SPEC §5: default warning and error thresholds per check, overridden by the
 * config's `thresholds`. A measured value at or above `error` is an error; above zero and at or
 * above `warning`, a warning.
 */
import type { ThresholdOverrides } from '../config/configTypes';
import type { CheckId, Severity } from '../findings';

export interface Ladder {
  warning: number;
  error: number;
}

/** Defaults for the graded checks; the rest are always errors (or always warnings). */
export const DEFAULT_THRESHOLDS: Partial<Record<CheckId, Ladder>> = {
  'value.mismatch': { warning: 0, error: 0.01 },
  'drift.distribution': { warning: 0.1, error: 0.25 },
  'nulls.rate': { warning: 0.001, error: 0.05 },
  'domain.new-values': { warning: 0, error: 0.01 },
  'runtime.error': { warning: 0, error: 0.01 },
  'model.prediction-shift': { warning: 0, error: 0.02 },
  'model.metric-drop': { warning: 0.005, error: 0.02 },
  // A warning only: the edit is not at fault, the sampling or the store is.
  'history.unreproduced': { warning: 0.01, error: Infinity },
};

export type Thresholds = (check: CheckId) => Ladder;

/** The thresholds in force: defaults with the config's overrides applied cell by cell. */
export function thresholdsFrom(overrides: ThresholdOverrides): Thresholds {
  return (check) => {
    const d = DEFAULT_THRESHOLDS[check] ?? { warning: 0, error: 0 };
    const o = overrides[check] ?? {};
    return { warning: o.warning ?? d.warning, error: o.error ?? d.error };
  };
}

/** The severity of a measured value on a ladder, or undefined when it is below both thresholds. */
export function grade(value: number, ladder: Ladder): Severity | undefined {
  if (!(value > 0)) return undefined;
  if (value >= ladder.error) return 'error';
  if (value >= ladder.warning) return 'warning';
  return undefined;
}
