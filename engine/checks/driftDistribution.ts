/**
 * drift.distribution — the target's values are distributed differently from the stored ones.
 * Numeric: PSI on 10 quantile bins of the stored values (graded), with KS and Wasserstein-1
 * normalized by the stored standard deviation as supporting numbers. Categorical: PSI, L∞ and
 * Jensen–Shannon. Drift catches what a row-by-row diff can miss, such as a rescale within tolerance
 * of a few rows but not of the population.
 */
import type { Finding } from '../findings';
import { categoricalDriftOfCounts } from '../stats/categoricalDrift';
import { numericDriftSorted } from '../stats/numericDrift';
import type { CheckContext } from './checkContext';
import { grade } from './thresholds';
import { categoryCounts, isNumericType, num, ranValues, sortedFiniteNumbers, valuesType } from './values';

export interface DriftMetrics {
  psi: number;
  ks?: number;
  wasserstein?: number;
  lInf?: number;
  jensenShannon?: number;
}

/** Drift of `target` against `reference` values, numeric or categorical by their type. */
export function driftMetrics(reference: readonly unknown[], target: readonly unknown[]): DriftMetrics | undefined {
  const tRef = valuesType(reference);
  const tTarget = valuesType(target);
  if (isNumericType(tRef) && isNumericType(tTarget)) {
    const d = numericDriftSorted(sortedFiniteNumbers(reference), sortedFiniteNumbers(target));
    return { psi: d.psi, ks: d.ks, wasserstein: d.wasserstein };
  }
  if (tRef === 'unknown' || tTarget === 'unknown') return undefined;
  const d = categoricalDriftOfCounts(categoryCounts(reference), categoryCounts(target));
  return { psi: d.psi, lInf: d.lInf, jensenShannon: d.jensenShannon };
}

const storedDrifts = new WeakMap<CheckContext, DriftMetrics | undefined>();

/** Drift of the target against the stored column, computed once per context (the check and the metrics share it). */
export function storedDrift(ctx: CheckContext): DriftMetrics | undefined {
  if (!ctx.stored) return undefined;
  if (!storedDrifts.has(ctx)) storedDrifts.set(ctx, driftMetrics(ctx.stored, ranValues(ctx.target.values)));
  return storedDrifts.get(ctx);
}

export function driftDistribution(ctx: CheckContext): Finding[] {
  const m = storedDrift(ctx);
  if (!m) return [];
  const severity = grade(m.psi, ctx.thresholds('drift.distribution'));
  if (!severity) return [];
  const support = m.ks !== undefined ? `KS ${num(m.ks)}, Wasserstein ${num(m.wasserstein!)} stored std` : `L∞ ${num(m.lInf!)}, Jensen–Shannon ${num(m.jensenShannon!)}`;
  return [{
    check: 'drift.distribution',
    severity,
    message: `distribution shifted from the stored "${ctx.feature.column}" values: PSI ${num(m.psi)} (${support})`,
    location: ctx.location,
    metrics: { ...m },
  }];
}
