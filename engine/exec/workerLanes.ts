/**
 * How many Node workers a check runs its features in. Each side (base, target) of a snapshot's
 * features runs in one worker batch; when fewer sides run than the machine has cores for — the
 * base values all came from the results cache, the common case of a second check — a side's
 * features are dealt to several workers, so the target alone still uses the cores the two sides
 * used. The statistics run on the main thread meanwhile.
 */
import { availableParallelism } from 'node:os';

/** Never more workers than this, whatever the core count: each holds the sample's rows. */
const MAX_WORKERS = 4;

/**
 * The workers a check may run at once: the cores (at least 2, the two sides; at most MAX_WORKERS).
 * `background` (the language server's warm-up of base values, which must leave the machine to the
 * user's edits): one per side.
 */
export function workerBudget(background: boolean, sides: number): number {
  if (background) return sides;
  return Math.max(2, Math.min(availableParallelism(), MAX_WORKERS));
}

/** The workers one side's `features` run in when `sides` sides run: an equal share of the budget, never more than one per feature. */
export function lanesPerSide(budget: number, sides: number, features: number): number {
  return Math.max(1, Math.min(features, Math.floor(budget / Math.max(1, sides))));
}

/**
 * `items` dealt round-robin to `lanes` lists, each in the original order. Features are checked in
 * order and each worker computes ahead of the check, so dealing keeps every worker busy: the next
 * feature checked is always near the head of some lane.
 */
export function dealToLanes<T>(items: readonly T[], lanes: number): T[][] {
  const out: T[][] = Array.from({ length: Math.max(1, lanes) }, () => []);
  items.forEach((item, i) => out[i % out.length].push(item));
  return out.filter((lane) => lane.length > 0);
}
