/**
 * Histograms of stored, base and target values on one shared axis, for the report webview and the
 * HTML report: seeing the old and new distributions side by side is how a person recognizes a
 * rescale or a shifted clip at a glance.
 */
import { categoryCounts, isNumericType, sortedFiniteNumbers, valuesType } from '../checks/values';
import type { FeatureHistogram } from '../report/reportTypes';
import { histogram, histogramSorted, sharedEdges } from '../stats/describe';

const NUMERIC_BINS = 20;
const MAX_CATEGORIES = 12;

export function featureHistogram(sides: { stored?: unknown[]; base?: unknown[]; target: unknown[] }): FeatureHistogram | undefined {
  const present = (['stored', 'base', 'target'] as const).filter((k) => sides[k] !== undefined);
  const types = present.map((k) => valuesType(sides[k]!)).filter((t) => t !== 'unknown');
  if (types.length === 0) return undefined;
  if (types.every(isNumericType)) {
    // The shared axis spans the finite numbers of every side; the values are counted where they
    // are (no copy of each side's numbers: 8 MB a side at a million rows), or from their sorted
    // finite numbers where the drift statistics sorted them already (the stored and target ones).
    const sorted = Object.fromEntries(present.map((k) => [k, sortedFiniteNumbers.known(sides[k]!)]));
    let min = Infinity;
    let max = -Infinity;
    for (const k of present) {
      const s = sorted[k];
      if (s) {
        if (s.length && s[0] < min) min = s[0];
        if (s.length && s[s.length - 1] > max) max = s[s.length - 1];
        continue;
      }
      const values = sides[k]!;
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (typeof v !== 'number' || !Number.isFinite(v)) continue;
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
    const edges = sharedEdges(min <= max ? [Float64Array.of(min, max)] : [], NUMERIC_BINS);
    if (edges.length === 0) return undefined;
    const counts = Object.fromEntries(present.map((k) => [k, sorted[k] ? histogramSorted(sorted[k]!, edges) : histogram(sides[k]!, edges)]));
    return { kind: 'numeric', edges, ...counts, target: counts.target } as FeatureHistogram;
  }
  const sideCounts = present.map((k) => categoryCounts(sides[k]!));
  const total = new Map<string, number>();
  for (const side of sideCounts) for (const [label, n] of side) total.set(label, (total.get(label) ?? 0) + n);
  const labels = [...total].sort((a, b) => b[1] - a[1]).slice(0, MAX_CATEGORIES).map(([l]) => l);
  const counts: Record<string, number[]> = {};
  present.forEach((k, s) => (counts[k] = labels.map((label) => sideCounts[s].get(label) ?? 0)));
  return { kind: 'categorical', labels, ...counts, target: counts.target } as FeatureHistogram;
}
