// Rebuilds examples/churn/data/customers.parquet (and its copy in examples/churn-py): 4,000 seeded
// customers, for each one the feature values that the committed feature code computes — what a
// feature store would hold — and whether the customer churned (the label churn_model_v3 learns).
// Run from the repository root: node scripts/buildExampleData.mjs
import { build } from 'esbuild';
import { parquetWriteFile } from 'hyparquet-writer';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', 'examples', 'churn');
const ROWS = 4000;

/** mulberry32: a small seeded PRNG so the file is byte-identical on every machine. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = prng(20261127);
const pick = (xs, ws) => {
  let r = rand() * ws.reduce((a, b) => a + b, 0);
  for (let i = 0; i < xs.length; i++) if ((r -= ws[i]) < 0) return xs[i];
  return xs[xs.length - 1];
};
const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

const rows = [];
for (let i = 0; i < ROWS; i++) {
  const plan = pick(['basic', 'pro', 'enterprise'], [6, 3, 1]);
  const base = plan === 'basic' ? 29 : plan === 'pro' ? 79 : 249;
  rows.push({
    customer_id: 100000 + i,
    age: Math.round(Math.min(85, Math.max(18, 41 + 12 * normal()))),
    tenure_days: Math.floor(rand() * 2200),
    monthly_spend: Math.round(Math.max(0, base * (1 + 0.25 * normal())) * 100) / 100,
    sessions_30d: Math.floor(rand() * 60),
    days_since_last_login: Math.floor(-Math.log(1 - rand()) * 25),
    region: pick(['north', 'south', 'east', 'west', 'islands'], [30, 25, 20, 20, 5]),
    plan,
    support_tickets: rand() < 0.15 ? null : Math.floor(-Math.log(1 - rand()) * 2),
  });
}

// The committed feature code, bundled in memory and evaluated.
const bundle = await build({ entryPoints: [join(ROOT, 'src/features/index.ts')], bundle: true, write: false, format: 'cjs', platform: 'node' });
const mod = { exports: {} };
new Function('module', 'exports', bundle.outputFiles[0].text)(mod, mod.exports);
const f = mod.exports;
const features = {
  tenure_months: f.tenureMonths,
  spend_usd: f.monthlySpend,
  spend_per_session: f.spendPerSession,
  plan_tier: f.planTier,
  tickets_per_month: f.ticketsPerMonth,
  recency_days: f.recencyDays,
  sessions_per_week: f.sessionsPerWeek,
  engagement_score: f.engagementScore,
};
const config = readFileSync(join(ROOT, 'featureguard.json'), 'utf8');
for (const name of Object.keys(features)) if (name !== 'engagement_score' && !config.includes(`"${name}"`)) throw new Error(`${name} is not in featureguard.json`);

const col = (name, type, get) => ({ name, type, data: rows.map(get) });
const columnData = [
  col('customer_id', 'INT32', (r) => r.customer_id),
  col('age', 'INT32', (r) => r.age),
  col('tenure_days', 'INT32', (r) => r.tenure_days),
  col('monthly_spend', 'DOUBLE', (r) => r.monthly_spend),
  col('sessions_30d', 'INT32', (r) => r.sessions_30d),
  col('days_since_last_login', 'INT32', (r) => r.days_since_last_login),
  col('region', 'STRING', (r) => r.region),
  col('plan', 'STRING', (r) => r.plan),
  col('support_tickets', 'INT32', (r) => r.support_tickets),
];
for (const [name, fn] of Object.entries(features)) {
  const values = rows.map((r) => fn(r));
  const type = typeof values[0] === 'string' ? 'STRING' : values.every(Number.isInteger) ? 'INT32' : 'DOUBLE';
  columnData.push({ name, type, data: values });
}

// The outcome: who churned in the following quarter. A logistic function of the raw columns —
// cheap plans, short tenure, long absence, many tickets and few sessions make churn likelier —
// drawn from a PRNG of its own, so the columns above are the same with or without the label.
const churnRand = prng(20261128);
const churned = rows.map((r) => {
  const logit =
    11 -
    3 * Math.log(r.monthly_spend + 1) -
    0.3 * (r.tenure_days / 365) +
    0.015 * Math.min(r.days_since_last_login, 90) +
    0.3 * (r.support_tickets ?? 0) -
    0.01 * r.sessions_30d;
  return churnRand() < 1 / (1 + Math.exp(-logit));
});
columnData.push({ name: 'churned', type: 'BOOLEAN', data: churned });

parquetWriteFile({ filename: join(ROOT, 'data', 'customers.parquet'), columnData });
copyFileSync(join(ROOT, 'data', 'customers.parquet'), join(ROOT, '..', 'churn-py', 'data', 'customers.parquet'));
const rate = churned.filter(Boolean).length / ROWS;
console.log(`wrote ${ROWS} rows × ${columnData.length} columns to examples/churn/data/customers.parquet and examples/churn-py/data/customers.parquet (${(rate * 100).toFixed(1)}% churned)`);
