/**
 * `featureguard check` on real Python feature code (SPEC §9), run by the built CLI in Debian's
 * python3 (3.11, with numpy and pandas), over real Parquet, Arrow and CSV snapshots whose stored
 * columns the committed code produced: every form, with the exact verdict, change kind and
 * findings, and the containment of code that throws, loops, exits, floods stdout or eats memory.
 */
import { strict as assert } from 'node:assert';
import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRepo, removeTempDirs, runCli, runJson, tempDir, treeFingerprint, writeFiles, type Files } from '../helpers';
import { arrowBytes, csvText, parquetBytes, type SnapshotRows } from './snapshotFiles';

const PYTHON = '/usr/bin/python3';

/** 600 customers: inputs and what the committed features below store. */
function rows(): SnapshotRows {
  const out: SnapshotRows = [];
  let s = 7;
  const r = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < 600; i++) {
    const spend = Math.round(r() * 20000) / 100;
    const plan = ['basic', 'pro', 'enterprise'][Math.floor(r() * 3)];
    const tickets = r() < 0.15 ? null : Math.floor(r() * 6);
    const days = Math.floor(r() * 120);
    out.push({
      customer_id: i,
      spend,
      plan,
      tickets,
      days,
      spend_usd: spend,
      plan_tier: plan === 'basic' ? 'low' : plan === 'pro' ? 'mid' : 'high',
      tickets_f: tickets ?? 0,
      recency: Math.min(days, 90),
      spend_x2: spend * 2,
      spend_log: Math.log1p(spend),
    });
  }
  return out;
}

const features = `"""Churn features."""
import math

CAP = 90
TIERS = {"basic": "low", "pro": "mid", "enterprise": "high"}


def spend_usd(row):
    return row["spend"]


def plan_tier(row):
    return TIERS.get(row["plan"], "unknown")


def tickets(row):
    t = row["tickets"]
    return 0 if t is None else t


def recency(row):
    return min(row["days"], CAP)


def spend_x2(rows):
    return [r["spend"] * 2 for r in rows]
`;
const frames = `import numpy as np
import pandas as pd


def spend_log(df: pd.DataFrame) -> pd.Series:
    return np.log1p(df["spend"])


def enrich(df: pd.DataFrame) -> pd.DataFrame:
    df["spend_x2"] = df["spend"] * 2
    df["spend_log"] = np.log1p(df["spend"])
    return df
`;
const dataflow = `import pandas as pd


def spend_total(spend: pd.Series) -> float:
    return float(spend.sum())


def spend_share(spend: pd.Series, spend_total: float) -> pd.Series:
    return spend / spend_total
`;
/**
 * A stand-in for the \`feast\` package, which cannot be installed here: its decorator wraps like
 * Feast's (an object with \`udf\`, \`mode\`, \`singleton\`) and, like Feast, reads the function's
 * source with \`inspect.getsource\` — which must work on modules FeatureGuard serves from memory.
 */
const feastStandIn = `import inspect


class OnDemandFeatureView:
    def __init__(self, udf, mode, singleton, schema):
        self.udf_string = inspect.getsource(udf)
        assert self.udf_string.lstrip().startswith(("@on_demand_feature_view", "def ")), self.udf_string
        self.udf = udf
        self.mode = mode
        self.singleton = singleton
        self.schema = schema
        self.__wrapped__ = udf


def on_demand_feature_view(sources=None, schema=None, mode="pandas", singleton=False):
    def wrap(fn):
        return OnDemandFeatureView(fn, mode, singleton, schema)
    return wrap


class Field:
    def __init__(self, name, dtype=None):
        self.name = name
`;
const odfv = `import pandas as pd
from feast import Field, on_demand_feature_view


@on_demand_feature_view(schema=[Field(name="spend_x2")])
def doubled(inputs: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame()
    out["spend_x2"] = inputs["spend"] * 2
    return out


@on_demand_feature_view(schema=[Field(name="spend_x2")], mode="python")
def doubled_py(inputs: dict) -> dict:
    return {"spend_x2": [s * 2 for s in inputs["spend"]]}


@on_demand_feature_view(schema=[Field(name="spend_x2")], mode="python", singleton=True)
def doubled_one(inputs: dict) -> dict:
    return {"spend_x2": inputs["spend"] * 2}
`;

type Format = 'parquet' | 'arrow' | 'csv';

function pyRepo(featureConfig: Record<string, unknown>, extra: Files = {}, format: Format = 'parquet', pythonBlock: Record<string, unknown> = { interpreter: PYTHON, paths: ['src'] }): string {
  const data = rows();
  const path = `data/customers.${format}`;
  const bytes = format === 'parquet' ? parquetBytes(data) : format === 'arrow' ? arrowBytes(data) : csvText(data);
  return makeRepo({
    'src/churn/__init__.py': '',
    'src/churn/features.py': features,
    'src/churn/frames.py': frames,
    'src/churn/dataflow.py': dataflow,
    'src/churn/odfv.py': odfv,
    'src/feast/__init__.py': feastStandIn,
    [path]: Buffer.from(bytes as never),
    'featureguard.json': JSON.stringify({ snapshots: { c: { path, sampleRows: 0 } }, defaultSnapshot: 'c', python: pythonBlock, features: featureConfig, timeoutMs: 4000 }, null, 2),
    ...extra,
  } as Files);
}

const src = (fn: string, file = 'features') => `src/churn/${file}.py#${fn}`;

/** Runs check and returns the named feature's report entry (asserting the exit code). */
function checkOne(root: string, name: string, code: number, args: string[] = []): any {
  const r = runJson(root, ['check', ...args]);
  assert.equal(r.code, code, JSON.stringify(r.report.features, null, 1).slice(0, 3000));
  const f = r.report.features.find((x: any) => x.name === name);
  assert.ok(f, `feature ${name} in ${JSON.stringify(r.report.features.map((x: any) => x.name))}`);
  return Object.assign(f, { report: r.report });
}

const checks = (f: any) => f.findings.map((x: any) => `${x.check}:${x.severity}`).sort();

describe('check: Python features on snapshot rows', function () {
  this.timeout(120000);
  after(removeTempDirs);

  it('the churn story: an affine rescale of a row feature is value.mismatch and drift, with the backfill advice; the JSON names the interpreter', () => {
    const root = pyRepo({ spend_usd: { source: src('spend_usd'), consumers: ['churn_model_v3'] } });
    writeFiles(root, { 'src/churn/features.py': features.replace('return row["spend"]\n', 'return (row["spend"] - 62.5) / 48.3\n') });
    const f = checkOne(root, 'spend_usd', 1);
    assert.equal(f.verdict, 'changed');
    assert.equal(f.kind, 'row');
    assert.equal(f.change.kind, 'affine');
    assert.match(f.change.recommendation, /backfill spend_usd/);
    assert.deepEqual(checks(f), ['drift.distribution:error', 'value.mismatch:error']);
    assert.equal(f.metrics.rows, 600);
    assert.deepEqual(f.report.summary.python, { path: PYTHON, version: f.report.summary.python.version });
    assert.match(f.report.summary.python.version, /^3\.\d+\.\d+$/);
  });

  it('a pure refactor is identical, and so is a formatting-only edit of a batch feature', () => {
    const root = pyRepo({ tier: { source: src('plan_tier'), column: 'plan_tier' }, x2: { source: src('spend_x2'), column: 'spend_x2' } });
    writeFiles(root, {
      'src/churn/features.py': features
        .replace('return TIERS.get(row["plan"], "unknown")', 'plan = row["plan"]\n    return TIERS[plan] if plan in TIERS else "unknown"')
        .replace('return [r["spend"] * 2 for r in rows]', 'out = []\n    for r in rows:\n        out.append(2 * r["spend"])\n    return out'),
    });
    const r = runJson(root, ['check']);
    assert.equal(r.code, 0);
    assert.deepEqual(r.report.features.map((f: any) => [f.name, f.kind, f.verdict, f.findings.length]), [['tier', 'row', 'identical', 0], ['x2', 'batch', 'identical', 0]]);
  });

  it('a null-policy change is null-handling; a category rename is category-remap; a type change is schema.type', () => {
    const root = pyRepo({ tickets: { source: src('tickets'), column: 'tickets_f' }, tier: { source: src('plan_tier'), column: 'plan_tier' }, recency: { source: src('recency') } });
    writeFiles(root, {
      'src/churn/features.py': features
        .replace('return 0 if t is None else t', 'return -1 if t is None else t')
        .replace('"basic": "low", "pro": "mid", "enterprise": "high"', '"basic": "bronze", "pro": "silver", "enterprise": "gold"')
        .replace('return min(row["days"], CAP)', 'return str(min(row["days"], CAP))'),
    });
    const r = runJson(root, ['check']);
    assert.equal(r.code, 1);
    const by = Object.fromEntries(r.report.features.map((f: any) => [f.name, f]));
    assert.equal(by.tickets.change.kind, 'null-handling');
    assert.equal(by.tier.change.kind, 'category-remap');
    assert.deepEqual(by.tier.change.mapping, { low: 'bronze', mid: 'silver', high: 'gold' });
    assert.ok(checks(by.recency).includes('schema.type:error'), checks(by.recency).join());
  });

  it('a series (pandas) function, a frame function with two outputs of which one changes, and a Hamilton function with a same-module dependency', () => {
    const root = pyRepo({
      spend_log: { source: src('spend_log', 'frames') },
      frame_x2: { source: src('enrich', 'frames'), output: 'spend_x2', column: 'spend_x2' },
      frame_log: { source: src('enrich', 'frames'), output: 'spend_log', column: 'spend_log' },
      share: { source: src('spend_share', 'dataflow'), column: 'spend_usd' },
    });
    // Base: spend_share ≠ spend_usd (a share, not dollars): the store does not hold it; only what the edit changes matters here.
    writeFiles(root, { 'src/churn/frames.py': frames.replace('df["spend_x2"] = df["spend"] * 2', 'df["spend_x2"] = df["spend"] * 3') });
    const r = runJson(root, ['check']);
    const by = Object.fromEntries(r.report.features.map((f: any) => [f.name, f]));
    assert.deepEqual(Object.keys(by).sort(), ['frame_log', 'frame_x2']);
    assert.equal(by.frame_x2.kind, 'frame');
    assert.equal(by.frame_x2.verdict, 'changed');
    assert.equal(by.frame_x2.change.kind, 'affine');
    assert.equal(by.frame_log.verdict, 'identical');

    writeFiles(root, { 'src/churn/frames.py': frames.replace('np.log1p(df["spend"])\n\n\ndef enrich', 'np.log(df["spend"] + 1)\n\n\ndef enrich') });
    const s = checkOne(root, 'spend_log', 0);
    assert.equal(s.kind, 'series');
    assert.equal(s.verdict, 'identical');

    writeFiles(root, { 'src/churn/frames.py': frames, 'src/churn/dataflow.py': dataflow.replace('return float(spend.sum())', 'return float(spend.sum()) / 100') });
    // The committed spend_share never gives the stored spend_usd: history.unreproduced, and no value
    // finding (it would count only the rows the committed code reproduces: none).
    const h = checkOne(root, 'share', 0);
    assert.deepEqual(checks(h), ['history.unreproduced:warning']);
    assert.equal(h.kind, 'hamilton');
    assert.deepEqual(h.via, ['src/churn/dataflow.py#spend_total']);
    assert.equal(h.verdict, 'changed');
    assert.equal(h.change.kind, 'affine');
  });

  it('a Hamilton parameter that names no column and no function is a config error naming it (exit 2); with a default it keeps the default', () => {
    const scaled = `${dataflow}\n\ndef spend_scaled(spend: pd.Series, factor: float = 2.0) -> pd.Series:\n    return spend * factor\n`;
    const root = pyRepo({ scaled: { source: src('spend_scaled', 'dataflow'), column: 'spend_x2' } }, { 'src/churn/dataflow.py': scaled });
    writeFiles(root, { 'src/churn/dataflow.py': scaled.replace('factor: float = 2.0)', 'factor: float)') });
    const r = runCli(root, ['check']);
    assert.equal(r.code, 2, r.stdout);
    assert.equal(r.stderr, 'featureguard: featureguard.json: features.scaled: the Hamilton parameter "factor" of spend_scaled(spend, factor) in src/churn/dataflow.py names no column of snapshot "c" and no function of that module, and has no default\n');
    writeFiles(root, { 'src/churn/dataflow.py': scaled.replace('return spend * factor', 'return factor * spend') });
    const f = checkOne(root, 'scaled', 0);
    assert.equal(f.kind, 'hamilton');
    assert.equal(f.verdict, 'identical', 'spend * 2.0, the default, is the stored spend_x2');
  });

  it('Feast on-demand feature views in pandas mode, python mode and singleton (a stand-in feast module: the real package cannot be installed here)', () => {
    const root = pyRepo({
      odfv_pandas: { source: src('doubled', 'odfv'), output: 'spend_x2', column: 'spend_x2' },
      odfv_python: { source: src('doubled_py', 'odfv'), output: 'spend_x2', column: 'spend_x2' },
      odfv_single: { source: src('doubled_one', 'odfv'), output: 'spend_x2', column: 'spend_x2' },
    });
    writeFiles(root, { 'src/churn/odfv.py': odfv.replace(/\* 2/g, '* 2.0') });
    const r = runJson(root, ['check']);
    assert.equal(r.code, 0, JSON.stringify(r.report.features, null, 1));
    assert.deepEqual(r.report.features.map((f: any) => [f.name, f.kind, f.verdict]), [['odfv_pandas', 'feast', 'identical'], ['odfv_python', 'feast', 'identical'], ['odfv_single', 'feast', 'identical']]);
    writeFiles(root, { 'src/churn/odfv.py': odfv.replace(/\* 2/g, '* 3') });
    const changed = runJson(root, ['check']);
    assert.deepEqual(changed.report.features.map((f: any) => [f.name, f.verdict, f.change?.kind]), [['odfv_pandas', 'changed', 'affine'], ['odfv_python', 'changed', 'affine'], ['odfv_single', 'changed', 'affine']]);
  });

  it('a KeyError on a renamed column names the column; raising on nulls is runtime.error with the message and an example row', () => {
    const root = pyRepo({ spend_usd: { source: src('spend_usd') }, tickets: { source: src('tickets'), column: 'tickets_f' } });
    writeFiles(root, {
      'src/churn/features.py': features.replace('return row["spend"]\n', 'return row["spend_dollars"]\n').replace('return 0 if t is None else t', 'if t is None:\n        raise ValueError("no ticket record")\n    return t'),
    });
    const r = runJson(root, ['check']);
    const by = Object.fromEntries(r.report.features.map((f: any) => [f.name, f]));
    const spendErr = by.spend_usd.findings.find((f: any) => f.check === 'runtime.error');
    assert.ok(spendErr, JSON.stringify(by.spend_usd.findings));
    assert.match(spendErr.message, /the code reads "spend_dollars", which is not a column of the snapshot/);
    const ticketErr = by.tickets.findings.find((f: any) => f.check === 'runtime.error');
    assert.ok(ticketErr, JSON.stringify(by.tickets.findings));
    assert.match(ticketErr.message, /ValueError: no ticket record/);
    assert.equal(ticketErr.severity, 'error');
  });

  it('contains code that loops, eats memory, exits or floods stdout; the other features are still checked', () => {
    const root = pyRepo({
      loops: { source: src('recency'), column: 'recency' },
      eats: { source: src('tickets'), column: 'tickets_f' },
      exits: { source: src('plan_tier'), column: 'plan_tier' },
      kills: { source: src('spend_x2'), column: 'spend_x2' },
      prints: { source: src('spend_usd'), column: 'spend_usd' },
    });
    writeFiles(root, {
      'src/churn/features.py': features
        .replace('return min(row["days"], CAP)', 'while True:\n        pass')
        // Address space, not written pages (numpy's zeros are calloc'ed): the limit is reached in
        // milliseconds, while writing gigabytes takes seconds where guest memory is touched for the
        // first time (a bytearray's memset timed out at 4 s in a clean CI run).
        .replace('t = row["tickets"]', 'import numpy as np\n    hoard = []\n    while True:\n        hoard.append(np.zeros(25_000_000))\n    t = row["tickets"]')
        .replace('return TIERS.get(row["plan"], "unknown")', 'import sys\n    sys.exit(3)')
        .replace('return [r["spend"] * 2 for r in rows]', 'import os\n    os._exit(0)')
        .replace('return row["spend"]\n', 'print("debug", row)\n    return row["spend"]\n'),
    });
    const r = runJson(root, ['check', '--format', 'json']);
    assert.equal(r.code, 1);
    const by = Object.fromEntries(r.report.features.map((f: any) => [f.name, f]));
    assert.equal(by.loops.verdict, 'broken');
    assert.ok(checks(by.loops).includes('runtime.timeout:error'), checks(by.loops).join());
    assert.match(by.eats.findings.map((f: any) => f.message).join('\n'), /out of memory/);
    assert.match(by.exits.findings.map((f: any) => f.message).join('\n'), /sys\.exit\(3\)/);
    assert.match(by.kills.findings.map((f: any) => f.message).join('\n'), /ended the Python process \(exit code 0\)/);
    assert.equal(by.prints.verdict, 'identical', 'prints go to stderr, never into the protocol or the report');
  });

  it('random values are code.nondeterministic (a warning: within tolerance of the stored values, nothing else is wrong)', () => {
    const root = pyRepo({ spend_usd: { source: src('spend_usd') } });
    writeFiles(root, { 'src/churn/features.py': features.replace('return row["spend"]\n', 'import random\n    return row["spend"] + random.random() / 1e12\n') });
    const f = checkOne(root, 'spend_usd', 0);
    assert.deepEqual(checks(f), ['code.nondeterministic:warning']);
  });

  it('Arrow and CSV snapshots; staged vs worktree', () => {
    for (const format of ['arrow', 'csv'] as const) {
      const root = pyRepo({ spend_usd: { source: src('spend_usd') } }, {}, format);
      writeFiles(root, { 'src/churn/features.py': features.replace('return row["spend"]\n', 'return row["spend"] * 100\n') });
      assert.equal(checkOne(root, 'spend_usd', 1).change.kind, 'affine', format);
      // Staged: the index holds the committed code again, so the commit would be fine.
      git(root, 'add', '-A');
      writeFiles(root, { 'src/churn/features.py': features });
      assert.equal(runJson(root, ['check']).report.features.length, 0, `${format}: the working tree is back to HEAD`);
      assert.equal(checkOne(root, 'spend_usd', 1, ['--staged']).verdict, 'changed', `${format}: the index has the edit`);
    }
  });

  it('a TypeScript and a Python feature in one report', () => {
    const root = pyRepo({ spend_usd: { source: src('spend_usd') }, spend_ts: { source: 'web/spend.ts#spend', column: 'spend_usd' } }, { 'web/spend.ts': 'export function spend(row: { spend: number }): number { return row.spend; }\n' });
    writeFiles(root, { 'src/churn/features.py': features.replace('return row["spend"]\n', 'return row["spend"] * 100\n'), 'web/spend.ts': 'export function spend(row: { spend: number }): number { return row.spend * 100; }\n' });
    const r = runJson(root, ['check']);
    assert.deepEqual(r.report.features.map((f: any) => [f.name, f.kind, f.verdict, f.change.kind]), [['spend_usd', 'row', 'changed', 'affine'], ['spend_ts', 'row', 'changed', 'affine']]);
  });

  it('an interpreter that is missing, Python 2, or one without pandas for a series feature: exit 2 with one line naming it', () => {
    const edit = { 'src/churn/features.py': features.replace('return row["spend"]\n', 'return row["spend"] * 100\n'), 'src/churn/frames.py': frames.replace('np.log1p', 'np.log2') };
    const missing = pyRepo({ spend_usd: { source: src('spend_usd') } }, {}, 'parquet', { interpreter: '/nonexistent/python3', paths: ['src'] });
    writeFiles(missing, edit);
    const m = runCli(missing, ['check']);
    assert.equal(m.code, 2);
    assert.equal(m.stderr, 'featureguard: python interpreter /nonexistent/python3 (from python.interpreter in featureguard.json) does not run: not found\n');

    const bin = tempDir('fg-py2-');
    writeFiles(bin, { python: '#!/bin/sh\necho "2.7.18"\n' });
    chmodSync(join(bin, 'python'), 0o755);
    const old = pyRepo({ spend_usd: { source: src('spend_usd') } }, {}, 'parquet', { interpreter: join(bin, 'python'), paths: ['src'] });
    writeFiles(old, edit);
    const o = runCli(old, ['check']);
    assert.equal(o.code, 2);
    assert.equal(o.stderr, `featureguard: python interpreter ${join(bin, 'python')} (from python.interpreter in featureguard.json) is Python 2.7.18; FeatureGuard needs Python 3.9 or newer\n`);

    // A python3 without pandas (the pyenv one on these machines, or a venv made with --without-pip).
    const venv = tempDir('fg-venv-');
    const made = require('node:child_process').spawnSync(PYTHON, ['-m', 'venv', '--without-pip', venv]);
    assert.equal(made.status, 0, String(made.stderr));
    const bare = join(venv, 'bin', 'python');
    const noPandas = pyRepo({ spend_log: { source: src('spend_log', 'frames') } }, {}, 'parquet', { interpreter: bare, paths: ['src'] });
    writeFiles(noPandas, edit);
    const n = runCli(noPandas, ['check']);
    assert.equal(n.code, 2, n.stdout);
    assert.match(n.stderr, new RegExp(`^featureguard: python interpreter ${bare.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(3\\.\\d+\\.\\d+, from python\\.interpreter in featureguard\\.json\\) has no module "pandas", which features of kind "series" need \\(spend_log\\): install it in that environment or set python\\.interpreter\\n$`));
    // check --no-data never starts Python.
    assert.equal(runCli(noPandas, ['check', '--no-data']).code, 0);
  });

  it('writes nothing into the repository: no file appears or changes, no __pycache__', () => {
    const root = pyRepo({ spend_usd: { source: src('spend_usd') }, spend_log: { source: src('spend_log', 'frames') } });
    writeFiles(root, { 'src/churn/features.py': features.replace('return row["spend"]\n', 'return row["spend"] * 100\n'), 'src/churn/frames.py': frames.replace('np.log1p(df["spend"])\n\n\ndef', 'np.log2(df["spend"] + 1)\n\n\ndef') });
    git(root, 'add', 'src/churn/frames.py');
    const before = treeFingerprint(root, (rel) => rel.startsWith('.git/featureguard'));
    assert.equal(runJson(root, ['check']).code, 1);
    assert.equal(runJson(root, ['check', '--staged']).code, 1);
    const after = treeFingerprint(root, (rel) => rel.startsWith('.git/featureguard'));
    assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort());
    for (const [k, v] of before) assert.equal(after.get(k), v, `${k} is unchanged`);
    assert.equal(existsSync(join(root, 'src/churn/__pycache__')), false);
  });
});
