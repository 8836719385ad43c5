export { recencyDays, sessionsPerWeek, engagementScore } from './activity';
export { monthlySpend, planTier, spendPerSession, tenureMonths, ticketsPerMonth } from './customer';
