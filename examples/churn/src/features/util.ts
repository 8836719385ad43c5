/** Shared helpers for the churn features. */

/** Days after which a customer counts as gone for recency purposes. */
export const RECENCY_CAP_DAYS = 90;

/** Average days in a month, used to turn day counts into months. */
export const DAYS_PER_MONTH = 30.44;

/** Limits a value to [lo, hi]. */
export function clip(x: number, lo: number, hi: number): number {
  return Math.min(Math.max(x, lo), hi);
}

/** Division that returns 0 instead of Infinity when the denominator is 0. */
export function safeDiv(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}
