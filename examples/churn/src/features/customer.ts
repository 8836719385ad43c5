import { clip, DAYS_PER_MONTH, safeDiv } from './util';

export interface CustomerRow {
  customer_id: number;
  age: number;
  tenure_days: number;
  monthly_spend: number;
  sessions_30d: number;
  days_since_last_login: number;
  region: string;
  plan: string;
  support_tickets: number | null;
}

/** Whole months since the customer signed up. */
export function tenureMonths(row: CustomerRow): number {
  return Math.floor(row.tenure_days / DAYS_PER_MONTH);
}

/** What the customer pays per month, in dollars (never negative). */
export function monthlySpend(row: CustomerRow): number {
  return clip(row.monthly_spend, 0, 10_000);
}

/** Spend per session over the last 30 days. */
export function spendPerSession(row: CustomerRow): number {
  return safeDiv(monthlySpend(row), row.sessions_30d);
}

const PLAN_TIERS: Record<string, string> = { basic: 'low', pro: 'mid', enterprise: 'high' };

/** The pricing tier the plan belongs to. */
export function planTier(row: CustomerRow): string {
  return PLAN_TIERS[row.plan] ?? 'unknown';
}

/** Support tickets per month of tenure; customers without a ticket record count as zero. */
export function ticketsPerMonth(row: CustomerRow): number {
  const tickets = row.support_tickets ?? 0;
  return safeDiv(tickets, Math.max(1, tenureMonths(row)));
}
