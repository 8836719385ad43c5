/**
 * Per-customer event logs for the tests of features that read other rows: `customers` customers
 * with 2 to `maxEvents` events each, sorted by customer and time, seeded.
 */
import { prng } from '../helpers';

export interface Event {
  customer_id: string;
  ts: number;
  spend: number;
}

export function customerEvents(customers: number, maxEvents: number, seed: number): Event[] {
  const rand = prng(seed);
  const out: Event[] = [];
  for (let c = 0; c < customers; c++) {
    const n = 2 + Math.floor(rand() * (maxEvents - 1));
    let ts = Math.floor(rand() * 1000);
    for (let k = 0; k < n; k++) {
      ts += 1 + Math.floor(rand() * 50);
      out.push({ customer_id: `cust-${String(c).padStart(4, '0')}`, ts, spend: Math.round(rand() * 20000) / 100 });
    }
  }
  return out;
}

/**
 * Each event with `spend3`, the mean spend of its customer's last three events (itself included),
 * computed over `sorted` (by customer, then time) — what a rolling feature stores over the whole table.
 */
export function withSpend3<T extends Event>(sorted: readonly T[]): (T & { spend3: number })[] {
  return sorted.map((r, i) => {
    let sum = 0;
    let n = 0;
    for (let j = i; j >= 0 && j > i - 3 && sorted[j].customer_id === r.customer_id; j--) {
      sum += sorted[j].spend;
      n++;
    }
    return { ...r, spend3: sum / n };
  });
}
