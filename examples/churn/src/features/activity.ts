import type { CustomerRow } from './customer';
import { clip, RECENCY_CAP_DAYS } from './util';

/** Days since the last login, capped: beyond the cap a customer is simply "gone". */
export function recencyDays(row: CustomerRow): number {
  return clip(row.days_since_last_login, 0, RECENCY_CAP_DAYS);
}

/** Sessions per week over the last 30 days. */
export function sessionsPerWeek(row: CustomerRow): number {
  return Math.round((row.sessions_30d / 30) * 7 * 100) / 100;
}

/**
 * A 0–1 engagement score: frequent and recent customers score high.
 * @feature engagement_score
 */
export function engagementScore(row: CustomerRow): number {
  const freshness = 1 - recencyDays(row) / RECENCY_CAP_DAYS;
  const frequency = Math.min(1, sessionsPerWeek(row) / 10);
  return Math.round((0.6 * frequency + 0.4 * freshness) * 1000) / 1000;
}
