/**
 * Features that read other rows, in Python with pandas (SPEC §1, §9): a per-customer rolling mean
 * (`groupby().rolling(3).mean()`) and a lag (`shift`) as `series` functions, a running total
 * (`cumsum`) as a `frame` function, over a shuffled Parquet snapshot whose stored columns the
 * committed module computed over the WHOLE table (run here in python3 with pandas, sorted by
 * customer and time). The same checks as the TypeScript ones of historyCheck.test.ts.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { makeRepo, removeTempDirs, runJson, shuffled, writeFiles, type Files } from '../helpers';
import { customerEvents, type Event } from './eventLog';
import { parquetBytes, type SnapshotRows } from './snapshotFiles';

const PYTHON = process.env.FEATUREGUARD_PYTHON || '/usr/bin/python3';

const MODULE = `import pandas as pd


def spend3(df: pd.DataFrame) -> pd.Series:
    return df.groupby("customer_id")["spend"].rolling(3, min_periods=1).mean().reset_index(level=0, drop=True)


def prev_spend(df: pd.DataFrame) -> pd.Series:
    return df.groupby("customer_id")["spend"].shift(1)


def totals(df: pd.DataFrame) -> pd.DataFrame:
    df["spend_total"] = df.groupby("customer_id")["spend"].cumsum()
    return df
`;

const REFACTOR: [string, string][] = [
  ['return df.groupby("customer_id")["spend"].rolling(3, min_periods=1)', 'by_customer = df.groupby("customer_id")\n    return by_customer["spend"].rolling(3, min_periods=1)'],
  ['return df.groupby("customer_id")["spend"].shift(1)', 'spend = df.groupby("customer_id")["spend"]\n    return spend.shift(1)'],
  ['df["spend_total"] = df.groupby("customer_id")["spend"].cumsum()', 'grouped = df.groupby("customer_id")\n    df["spend_total"] = grouped["spend"].cumsum()'],
];

const WINDOWS: [string, string][] = [
  ['rolling(3, min_periods=1)', 'rolling(4, min_periods=1)'],
  ['shift(1)', 'shift(2)'],
  ['["spend"].cumsum()', '["spend"].rolling(10, min_periods=1).sum().reset_index(level=0, drop=True)'],
];

function applied(edits: [string, string][]): string {
  let text = MODULE;
  for (const [from, to] of edits) {
    assert.ok(text.includes(from), `fixture edit: "${from}"`);
    text = text.replace(from, to);
  }
  return text;
}

/** 300 customers with 2 to 25 events each, sorted by customer and time. */
const events = () => customerEvents(300, 25, 21);

/** The module's three features over the whole (sorted) table, computed by python3 with pandas. */
function computeInPython(module: string, table: Event[]): { spend3: (number | null)[]; prev_spend: (number | null)[]; spend_total: (number | null)[] } {
  const script = `
import json, sys, types
import pandas as pd
source, rows = json.loads(sys.stdin.read())
m = types.ModuleType("features")
exec(source, m.__dict__)
df = pd.DataFrame(rows)
clean = lambda s: [None if pd.isna(v) else float(v) for v in s]
out = {"spend3": clean(m.spend3(df.copy()).reindex(df.index)), "prev_spend": clean(m.prev_spend(df.copy()).reindex(df.index)), "spend_total": clean(m.totals(df.copy())["spend_total"])}
print(json.dumps(out))
`;
  const r = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify([module, table]), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}


function rate(a: (number | null)[], b: (number | null)[]): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    const same = x === y || (x !== null && y !== null && Math.abs(x - y) <= 1e-9 + 1e-9 * Math.max(Math.abs(x), Math.abs(y)));
    if (!same) d++;
  }
  return d / a.length;
}

const EV = events();
const NAMES = ['spend3', 'prev_spend', 'spend_total'] as const;

function repo(keys: boolean): string {
  const stored = computeInPython(MODULE, EV);
  const rows: SnapshotRows = EV.map((e, i) => ({ ...e, spend3: stored.spend3[i], prev_spend: stored.prev_spend[i], spend_total: stored.spend_total[i] }));
  const src = (fn: string) => `src/pyfeatures/events.py#${fn}`;
  return makeRepo({
    'src/pyfeatures/__init__.py': '',
    'src/pyfeatures/events.py': MODULE,
    'data/events.parquet': Buffer.from(parquetBytes(shuffled(rows, 5))) as never,
    'featureguard.json': JSON.stringify({
      snapshots: { events: { path: 'data/events.parquet', sampleRows: 2000, seed: 3, ...(keys ? { orderBy: ['customer_id', 'ts'], sampleBy: 'customer_id' } : {}) } },
      defaultSnapshot: 'events',
      python: { interpreter: PYTHON, paths: ['src'] },
      features: {
        spend3: { source: src('spend3') },
        prev_spend: { source: src('prev_spend') },
        spend_total: { source: src('totals'), output: 'spend_total' },
      },
      timeoutMs: 20000,
    }, null, 2),
  } as Files);
}

function check(root: string): Record<string, any> {
  const { report } = runJson(root, ['check']);
  return Object.fromEntries(report.features.map((f: any) => [f.name, f]));
}

describe('Python features that read other rows: pandas groupby rolling, shift, cumsum (end to end)', function () {
  this.timeout(180000);
  after(removeTempDirs);

  it('a refactor is identical with 0% mismatch and no warning; without the keys, history.unreproduced names them', () => {
    for (const keys of [true, false]) {
      const root = repo(keys);
      writeFiles(root, { 'src/pyfeatures/events.py': applied(REFACTOR) });
      const byName = check(root);
      assert.equal(byName.spend3.kind, 'series');
      assert.equal(byName.spend_total.kind, 'frame');
      for (const name of NAMES) {
        const f = byName[name];
        assert.equal(f.verdict, 'identical', `${name} (keys: ${keys}): ${JSON.stringify(f.findings)}`);
        assert.equal(f.metrics.mismatchRate, 0, name);
        const warnings = f.findings.filter((x: any) => x.check === 'history.unreproduced');
        if (keys) assert.deepEqual(warnings, [], name);
        else {
          assert.equal(warnings.length, 1, `${name}: ${JSON.stringify(f.findings)}`);
          assert.match(warnings[0].message, /set `sampleBy` \/ `orderBy` \/ `sampleBlocks` on snapshot events; otherwise the store is stale/);
        }
      }
    }
  });

  it('a window change reports a mismatch rate within 3 points of the rate over the whole table', () => {
    const root = repo(true);
    writeFiles(root, { 'src/pyfeatures/events.py': applied(WINDOWS) });
    const byName = check(root);
    const before = computeInPython(MODULE, EV);
    const after = computeInPython(applied(WINDOWS), EV);
    const seen: string[] = [];
    for (const name of NAMES) {
      const whole = rate(after[name], before[name]);
      const f = byName[name];
      assert.equal(f.verdict, 'changed', name);
      seen.push(`${name}: sampled ${(100 * f.metrics.mismatchRate).toFixed(1)}% vs whole table ${(100 * whole).toFixed(1)}%`);
      assert.ok(Math.abs(f.metrics.mismatchRate - whole) <= 0.03, seen.join('; '));
      assert.deepEqual(f.findings.filter((x: any) => x.check === 'history.unreproduced'), [], name);
    }
    if (process.env.FG_TEST_VERBOSE) console.log(seen.join('\n'));
  });
});
