/**
 * A small feature repository for end-to-end tests: customer features over a seeded snapshot whose
 * stored columns are what the committed code computes, in Parquet, Arrow or CSV.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { makeRepo, writeFiles, type Files } from '../helpers';
import { arrowBytes, csvText, parquetBytes, prng, type SnapshotRows } from './snapshotFiles';

export const util = `export const CAP = 50;\nexport function clip(x: number, hi = CAP): number { return Math.min(x, hi); }\n`;
export const customer = `import { clip } from './util';
type Row = { days: number; spend: number; plan: string; tickets: number | null; age: number };
export function recency(row: Row) { return clip(row.days); }
export function spend(row: Row) { return row.spend; }
export function tier(row: Row) { return row.plan === 'pro' ? 'high' : 'low'; }
export function tickets(row: Row) { return row.tickets ?? 0; }
export function ageYears(row: Row) { return row.age; }
`;

export function rows(n = 1000): SnapshotRows {
  const r = prng(42);
  const out: SnapshotRows = [];
  for (let i = 0; i < n; i++) {
    const days = Math.floor(r() * 100);
    const spend = Math.round(r() * 20000) / 100;
    const plan = r() < 0.3 ? 'pro' : 'basic';
    const tickets = r() < 0.1 ? null : Math.floor(r() * 5);
    const age = 18 + Math.floor(r() * 60);
    out.push({ days, spend, plan, tickets, age, recency: Math.min(days, 50), spend_f: spend, tier: plan === 'pro' ? 'high' : 'low', tickets_f: tickets ?? 0, age_years: age });
  }
  return out;
}

export function config(snapshotPath: string, extra: Record<string, unknown> = {}) {
  const f = (source: string, column: string) => ({ source: `src/features/customer.ts#${source}`, snapshot: 'c', column, consumers: ['churn_model_v3'] });
  return {
    snapshots: { c: { path: snapshotPath, sampleRows: 800, seed: 3 } },
    features: { recency: f('recency', 'recency'), spend: f('spend', 'spend_f'), tier: f('tier', 'tier'), tickets: f('tickets', 'tickets_f'), age_years: f('ageYears', 'age_years') },
    timeoutMs: 1500,
    ...extra,
  };
}

export type Format = 'parquet' | 'arrow' | 'csv';

export function repo(format: Format = 'parquet', extraConfig: Record<string, unknown> = {}): string {
  const data = rows();
  const path = `data/c.${format}`;
  const bytes = format === 'parquet' ? parquetBytes(data) : format === 'arrow' ? arrowBytes(data) : csvText(data);
  return makeRepo({
    'src/features/util.ts': util,
    'src/features/customer.ts': customer,
    [path]: Buffer.from(bytes as Uint8Array | string as never),
    'featureguard.json': JSON.stringify(config(path, extraConfig), null, 2),
  } as Files);
}

export function edit(root: string, from: string, to: string, file = 'src/features/customer.ts'): void {
  const path = `${root}/${file}`;
  const text = readFileSync(path, 'utf8');
  assert.ok(text.includes(from), `fixture edit: "${from}" not in ${file}`);
  writeFiles(root, { [file]: text.replace(from, to) });
}

