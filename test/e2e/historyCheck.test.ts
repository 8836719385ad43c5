/**
 * Features that read other rows, end to end through `featureguard check` (SPEC §1, issue 15):
 * TypeScript `batch` features — a per-customer rolling mean (window 3), a lag, a per-customer
 * running total, and a 20-row moving average over one long price series — over real Parquet
 * snapshots whose rows are written in a shuffled order and whose stored columns the committed
 * code computed over the WHOLE table (sorted by customer and time). The test evaluates that code
 * itself (esbuild transform) to know the whole-table rates a sampled check must come close to.
 */
import { strict as assert } from 'node:assert';
import { transformSync } from 'esbuild';
import { makeRepo, removeTempDirs, runJson, shuffled, writeFiles, type Files } from '../helpers';
import { parquetBytes, prng, type SnapshotRows } from './snapshotFiles';
import { customerEvents } from './eventLog';

const EVENTS_TS = `type Ev = { customer_id: string; ts: number; spend: number };

const WINDOW = 3;

/** Mean spend over the customer's last WINDOW events (rows ordered by customer and time). */
export function spend3(rows: Ev[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    let sum = 0;
    let n = 0;
    for (let j = i; j >= 0 && j > i - WINDOW && rows[j].customer_id === rows[i].customer_id; j--) {
      sum += rows[j].spend;
      n++;
    }
    out.push(sum / n);
  }
  return out;
}

const LAG = 1;

/** The customer's spend LAG events earlier; null before its first. */
export function prevSpend(rows: Ev[]): (number | null)[] {
  return rows.map((row, i) => (i >= LAG && rows[i - LAG].customer_id === row.customer_id ? rows[i - LAG].spend : null));
}

const TOTAL_WINDOW = Infinity;

/** The customer's spend so far (over its last TOTAL_WINDOW events). */
export function spendTotal(rows: Ev[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    let total = 0;
    for (let j = i; j >= 0 && j > i - TOTAL_WINDOW && rows[j].customer_id === rows[i].customer_id; j--) total += rows[j].spend;
    out.push(total);
  }
  return out;
}

/** Spend in cents: a row feature. */
export function spendCents(row: Ev): number {
  return Math.round(row.spend * 100);
}
`;

const PRICES_TS = `type Tick = { ts: number; price: number };

const SPAN = 20;

/** The mean price over the last SPAN ticks (rows ordered by time). */
export function ma20(rows: Tick[]): number[] {
  return rows.map((_, i) => {
    let sum = 0;
    let n = 0;
    for (let j = i; j >= 0 && j > i - SPAN; j--) {
      sum += rows[j].price;
      n++;
    }
    return sum / n;
  });
}
`;

/** A pure refactor of every function: variables renamed. */
const REFACTOR: [string, string, string][] = [
  ['events', 'let sum = 0;\n    let n = 0;', 'let acc = 0;\n    let count = 0;'],
  ['events', 'sum += rows[j].spend;\n      n++;', 'acc += rows[j].spend;\n      count++;'],
  ['events', 'out.push(sum / n);', 'out.push(acc / count);'],
  ['events', 'rows.map((row, i) => (i >= LAG && rows[i - LAG].customer_id === row.customer_id', 'rows.map((event, k) => (k >= LAG && rows[k - LAG].customer_id === event.customer_id'],
  ['events', '? rows[i - LAG].spend : null', '? rows[k - LAG].spend : null'],
  ['events', 'let total = 0;', 'let soFar = 0;'],
  ['events', 'j--) total += rows[j].spend;\n    out.push(total);', 'j--) soFar += rows[j].spend;\n    out.push(soFar);'],
  ['prices', 'let sum = 0;', 'let acc = 0;'],
  ['prices', 'sum += rows[j].price;', 'acc += rows[j].price;'],
  ['prices', 'return sum / n;', 'return acc / n;'],
];

/** A change of window of every function. */
const WINDOWS: [string, string, string][] = [
  ['events', 'const WINDOW = 3;', 'const WINDOW = 4;'],
  ['events', 'const LAG = 1;', 'const LAG = 2;'],
  ['events', 'const TOTAL_WINDOW = Infinity;', 'const TOTAL_WINDOW = 10;'],
  ['prices', 'const SPAN = 20;', 'const SPAN = 25;'],
];

type Fn = (input: unknown) => unknown;

/** The module's exports, compiled from its TypeScript as the check bundles it. */
function load(ts: string): Record<string, Fn> {
  const js = transformSync(ts, { loader: 'ts', format: 'cjs' }).code;
  const module = { exports: {} as Record<string, Fn> };
  new Function('module', 'exports', js)(module, module.exports);
  return module.exports;
}

function applied(text: string, edits: [string, string, string][], file: string): string {
  for (const [f, from, to] of edits) {
    if (f !== file) continue;
    assert.ok(text.includes(from), `fixture edit: "${from}" not in ${file}`);
    text = text.replace(from, to);
  }
  return text;
}

/** 500 customers with 2 to 30 events each, sorted by customer and time. */
const events = () => customerEvents(500, 30, 15);

/** One price series of 4000 ticks, a random walk. */
function ticks(): { ts: number; price: number }[] {
  const rand = prng(16);
  let price = 100;
  return Array.from({ length: 4000 }, (_, i) => {
    price = Math.round((price + (rand() - 0.5) * 2) * 100) / 100;
    return { ts: 1_700_000_000 + i * 60, price };
  });
}


function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'number' || typeof b !== 'number') return false;
  return Math.abs(a - b) <= 1e-9 + 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

/** The share of rows where two whole-table columns differ. */
function rate(a: unknown[], b: unknown[]): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) d++;
  return d / a.length;
}

const EV = events();
const TICKS = ticks();
const COMMITTED = { events: load(EVENTS_TS), prices: load(PRICES_TS) };

/** Stored columns: the committed code over the whole table; `spend_cents` from an older formula when `stale`. */
function eventRows(stale: boolean): SnapshotRows {
  const spend3 = COMMITTED.events.spend3(EV) as number[];
  const prev = COMMITTED.events.prevSpend(EV) as (number | null)[];
  const total = COMMITTED.events.spendTotal(EV) as number[];
  return EV.map((e, i) => ({
    ...e,
    spend3: spend3[i],
    prev_spend: prev[i],
    spend_total: total[i],
    // The older formula kept whole dollars only.
    spend_cents: stale ? Math.trunc(e.spend) * 100 : (COMMITTED.events.spendCents(e) as number),
  }));
}

function priceRows(): SnapshotRows {
  const ma = COMMITTED.prices.ma20(TICKS) as number[];
  return TICKS.map((t, i) => ({ ...t, ma20: ma[i] }));
}

const KEYS = { orderBy: ['customer_id', 'ts'], sampleBy: 'customer_id' };
const BLOCKS = { orderBy: ['ts'], sampleBlocks: { blocks: 8, rows: 150, warmupRows: 30 } };

function repo(options: { keys: boolean; stale?: boolean }): string {
  const feature = (file: string, name: string, snapshot: string, column: string, kind = 'batch') => ({ source: `src/features/${file}.ts#${name}`, snapshot, column, kind });
  const config = {
    snapshots: {
      events: { path: 'data/events.parquet', sampleRows: 3000, seed: 7, ...(options.keys ? KEYS : {}) },
      prices: { path: 'data/prices.parquet', sampleRows: 1200, seed: 7, ...(options.keys ? BLOCKS : {}) },
    },
    features: {
      spend3: feature('events', 'spend3', 'events', 'spend3'),
      prev_spend: feature('events', 'prevSpend', 'events', 'prev_spend'),
      spend_total: feature('events', 'spendTotal', 'events', 'spend_total'),
      spend_cents: feature('events', 'spendCents', 'events', 'spend_cents', 'row'),
      ma20: feature('prices', 'ma20', 'prices', 'ma20'),
    },
    timeoutMs: 20000,
  };
  return makeRepo({
    'src/features/events.ts': EVENTS_TS,
    'src/features/prices.ts': PRICES_TS,
    // The files' rows are in no useful order: the sample is sorted, never the file.
    'data/events.parquet': Buffer.from(parquetBytes(shuffled(eventRows(!!options.stale), 1))) as never,
    'data/prices.parquet': Buffer.from(parquetBytes(shuffled(priceRows(), 2))) as never,
    'featureguard.json': JSON.stringify(config, null, 2),
  } as Files);
}

function edit(root: string, edits: [string, string, string][]): void {
  writeFiles(root, {
    'src/features/events.ts': applied(EVENTS_TS, edits, 'events'),
    'src/features/prices.ts': applied(PRICES_TS, edits, 'prices'),
  });
}

function check(root: string): Record<string, any> {
  const { report } = runJson(root, ['check']);
  return Object.fromEntries(report.features.map((f: any) => [f.name, f]));
}

const BATCH = ['spend3', 'prev_spend', 'spend_total', 'ma20'];

describe('features that read other rows (end to end)', function () {
  this.timeout(120000);
  after(removeTempDirs);

  it('with sampleBy/orderBy and sampleBlocks, a refactor is identical with 0% mismatch and no warning', () => {
    const root = repo({ keys: true });
    edit(root, REFACTOR);
    const byName = check(root);
    for (const name of BATCH) {
      const f = byName[name];
      assert.equal(f.verdict, 'identical', `${name}: ${JSON.stringify(f.findings)}`);
      assert.equal(f.metrics.mismatchRate, 0, name);
      assert.deepEqual(f.findings.filter((x: any) => x.check === 'history.unreproduced'), [], name);
    }
    assert.equal(byName.ma20.metrics.rows, 1200);
    // Warm-up rows (30 of each 150-row block) are not compared.
    assert.equal(byName.ma20.metrics.comparedRows, 8 * 120);
  });

  it('a window change reports a mismatch rate within 3 points of the rate over the whole table', () => {
    const root = repo({ keys: true });
    edit(root, WINDOWS);
    const byName = check(root);
    const edited = { events: load(applied(EVENTS_TS, WINDOWS, 'events')), prices: load(applied(PRICES_TS, WINDOWS, 'prices')) };
    const whole: Record<string, number> = {
      spend3: rate(edited.events.spend3(EV) as unknown[], COMMITTED.events.spend3(EV) as unknown[]),
      prev_spend: rate(edited.events.prevSpend(EV) as unknown[], COMMITTED.events.prevSpend(EV) as unknown[]),
      spend_total: rate(edited.events.spendTotal(EV) as unknown[], COMMITTED.events.spendTotal(EV) as unknown[]),
      ma20: rate(edited.prices.ma20(TICKS) as unknown[], COMMITTED.prices.ma20(TICKS) as unknown[]),
    };
    const seen: string[] = [];
    for (const name of BATCH) {
      const f = byName[name];
      assert.equal(f.verdict, 'changed', name);
      assert.deepEqual(f.findings.filter((x: any) => x.check === 'history.unreproduced'), [], name);
      const sampled = f.metrics.mismatchRate;
      seen.push(`${name}: sampled ${(100 * sampled).toFixed(1)}% vs whole table ${(100 * whole[name]).toFixed(1)}%`);
      assert.ok(Math.abs(sampled - whole[name]) <= 0.03, seen.join('; '));
      assert.ok(f.findings.some((x: any) => x.check === 'value.mismatch'), name);
    }
    // The rates differ enough between features for the comparison to mean something.
    assert.ok(whole.spend_total < 0.6 && whole.spend3 > 0.7, JSON.stringify(whole));
    if (process.env.FG_TEST_VERBOSE) console.log(seen.join('\n'));
  });

  it('without the sampling keys, history.unreproduced names the keys to set on the snapshot', () => {
    const root = repo({ keys: false });
    edit(root, REFACTOR);
    const byName = check(root);
    for (const [name, snapshot] of [['spend3', 'events'], ['prev_spend', 'events'], ['spend_total', 'events'], ['ma20', 'prices']]) {
      const warnings = byName[name].findings.filter((x: any) => x.check === 'history.unreproduced');
      assert.equal(warnings.length, 1, `${name}: ${JSON.stringify(byName[name].findings)}`);
      assert.equal(warnings[0].severity, 'warning');
      assert.match(warnings[0].message, new RegExp(`^the committed code gives other values than the stored ${name} on \\d+% of sampled rows \\(\\d+ of \\d+\\): if it reads other rows, set \`sampleBy\` / \`orderBy\` / \`sampleBlocks\` on snapshot ${snapshot}; otherwise the store is stale; value findings count only the \\d+ rows it reproduces$`));
      // A refactor: no finding of the edit, and 0% over the rows the committed code reproduces.
      assert.equal(byName[name].verdict, 'identical', name);
      assert.equal(byName[name].metrics.mismatchRate, 0, name);
    }
    // The row feature reproduces its column on any sample.
    assert.equal(byName.spend_cents, undefined, 'spend_cents is not affected by the refactor');
  });

  it('a stale store gives the warning on a row feature, whatever the sampling', () => {
    for (const keys of [true, false]) {
      const root = repo({ keys, stale: true });
      edit(root, [['events', 'return Math.round(row.spend * 100);', 'const cents = row.spend * 100;\n  return Math.round(cents);']]);
      const f = check(root).spend_cents;
      assert.equal(f.verdict, 'identical');
      const warnings = f.findings.filter((x: any) => x.check === 'history.unreproduced');
      assert.equal(warnings.length, 1, JSON.stringify(f.findings));
      assert.match(warnings[0].message, /^the committed code gives other values than the stored spend_cents on \d+% of sampled rows \(\d+ of \d+\): a row function reads no other row, so the store is stale: backfill "spend_cents" \(or acknowledge it\); value findings count only the \d+ rows it reproduces$/);
      assert.ok(warnings[0].metrics.rate > 0.9, String(warnings[0].metrics.rate));
    }
  });
});
