/**
 * `featureguard init`, step four (pure): which stored column a function's output reproduces.
 *
 * A function matches a column when its values equal the stored ones — numbers within the default
 * tolerance (abs/rel 1e-9), strings, booleans and nulls exactly (a NaN counts as a null) — on at
 * least 99% of the sampled rows where it returned a value, and it returned one on at least half of
 * them. Never matched: a column the function reads (an input passed through — `clip(row.x, 0, 90)`
 * equals `x` on most rows — is not the feature it stores), and a column with fewer than two
 * distinct values on the compared rows (a constant matches any constant function). Each function
 * gets at most one column and each column at most one function: pairs are taken by match rate,
 * then by name similarity (only a tie-breaker: `monthlySpend` ↔ `spend_usd` is found by values).
 */
import { sameValue } from '../checks/values';

export const MATCH_RATE = 0.99;
const TOLERANCE = { abs: 1e-9, rel: 1e-9 };

export interface ColumnMatch {
  column: string;
  /** Share of the rows where the function returned a value that equal the stored value. */
  rate: number;
}

const isNull = (v: unknown) => v === null || (typeof v === 'number' && Number.isNaN(v));

/** The columns `values` reproduces (rate ≥ 99%), best first. `values[i]` is undefined where row i threw. */
export function matchRates(values: readonly unknown[], columns: ReadonlyMap<string, readonly unknown[]>, skip: ReadonlySet<string>, threshold = MATCH_RATE): ColumnMatch[] {
  const returned: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i] !== undefined) returned.push(i);
  if (returned.length === 0 || returned.length < values.length / 2) return [];
  if (returned.every((i) => isNull(values[i]))) return [];
  const out: ColumnMatch[] = [];
  for (const [column, stored] of columns) {
    if (skip.has(column)) continue;
    let equal = 0;
    const distinct = new Set<unknown>();
    for (const i of returned) {
      const a = values[i];
      const b = stored[i];
      if (distinct.size < 2 && !isNull(b)) distinct.add(b instanceof Date ? b.getTime() : b);
      if ((isNull(a) && isNull(b)) || sameValue(a, b, TOLERANCE)) equal++;
    }
    const rate = equal / returned.length;
    if (rate >= threshold && distinct.size >= 2) out.push({ column, rate });
  }
  return out.sort((a, b) => b.rate - a.rate);
}

/** Words of a name: `monthlySpend` → monthly, spend; `spend_usd` → spend, usd. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** 0–2: shared words (Dice coefficient), plus one when the names are the same words. */
export function nameSimilarity(a: string, b: string): number {
  const wa = words(a);
  const wb = words(b);
  if (wa.length === 0 || wb.length === 0) return 0;
  const common = wa.filter((w) => wb.includes(w)).length;
  return (2 * common) / (wa.length + wb.length) + (wa.join('_') === wb.join('_') ? 1 : 0);
}

export interface MatchPair {
  /** Index of the function (the caller's candidate list). */
  fn: number;
  /** Which snapshot, and which column in it. */
  snapshot: string;
  column: string;
  rate: number;
  similarity: number;
}

/**
 * One column per function and one function per column, by rate then similarity then order.
 * Returns the pairs taken and, for each function left without a column, the columns it matched.
 */
export function assignMatches(pairs: MatchPair[]): { taken: MatchPair[]; passedOver: Map<number, MatchPair[]> } {
  const sorted = [...pairs].sort((a, b) => b.rate - a.rate || b.similarity - a.similarity || a.fn - b.fn || a.column.localeCompare(b.column));
  const usedFn = new Set<number>();
  const usedColumn = new Set<string>();
  const taken: MatchPair[] = [];
  for (const p of sorted) {
    const key = `${p.snapshot}\0${p.column}`;
    if (usedFn.has(p.fn) || usedColumn.has(key)) continue;
    usedFn.add(p.fn);
    usedColumn.add(key);
    taken.push(p);
  }
  const passedOver = new Map<number, MatchPair[]>();
  for (const p of sorted) if (!usedFn.has(p.fn)) passedOver.set(p.fn, [...(passedOver.get(p.fn) ?? []), p]);
  return { taken, passedOver };
}
