/**
 * `featureguard init` (SPEC §6, issue 13) on real repositories: the bundled examples with their
 * config removed (the written config names the same snapshots, functions and columns as the
 * shipped one), a repository whose function names share nothing with its columns, a Feast
 * repository (a stand-in `feast` package: the real one is not installed here), no data, an
 * existing config, and `--dry-run`. Every written config loads with `parseConfig`, validates
 * against the JSON schema, and `featureguard check` runs on it.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'jsonc-parser';
import { parseConfig } from '../../engine/config/loadConfig';
import { REPO_ROOT, commitAll, exampleRepo, git, makeRepo, removeTempDirs, runCli, treeFingerprint, writeFiles } from '../helpers';
import { withSpend3 } from '../e2e/eventLog';
import { parquetBytes, prng, type SnapshotRows } from '../e2e/snapshotFiles';

const PYTHON = '/usr/bin/python3';
const pythonWithPandas = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import pandas'], { encoding: 'utf8' }).status === 0;
const PY_ENV = { FEATUREGUARD_PYTHON: PYTHON };

/** The snapshots and features of a config, as init writes them: name → path; name → source/snapshot/column. */
function essentials(text: string): { snapshots: Record<string, string>; features: Record<string, { source: string; snapshot?: string; column: string }> } {
  const c = parse(text);
  const snapshots = Object.fromEntries(Object.entries(c.snapshots ?? {}).map(([n, s]) => [n, (s as { path: string }).path]));
  const features = Object.fromEntries(
    Object.entries(c.features ?? {}).map(([n, f]) => {
      const x = f as { source: string; snapshot?: string; column?: string };
      return [n, { source: x.source, snapshot: x.snapshot ?? c.defaultSnapshot, column: x.column ?? n }];
    }),
  );
  return { snapshots, features };
}

/** The config loads as `check` loads it and validates against the editor's JSON schema. */
function assertValid(root: string): string {
  const text = readFileSync(join(root, 'featureguard.json'), 'utf8');
  const config = parseConfig(text, join(root, 'featureguard.json'), root);
  assert.deepEqual(config.warnings, []);
  const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'schemas', 'featureguard.schema.json'), 'utf8'));
  const ajv = new Ajv({ allErrors: true });
  assert.ok(ajv.validate(schema, parse(text)), ajv.errorsText(ajv.errors));
  assert.ok('$schema' in parse(text));
  return text;
}

function init(root: string, args: string[] = [], env: Record<string, string> = {}) {
  return runCli(root, ['init', ...args], env);
}

describe('featureguard init', function () {
  this.timeout(120000);
  after(removeTempDirs);

  it('examples/churn without its config: the same snapshot, functions and columns as the shipped config; check runs on it', () => {
    const shipped = readFileSync(join(REPO_ROOT, 'examples', 'churn', 'featureguard.json'), 'utf8');
    const root = exampleRepo('churn');
    rmSync(join(root, 'featureguard.json'));
    git(root, 'commit', '-qam', 'no config');
    const r = init(root);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const written = assertValid(root);
    const expected = essentials(shipped);
    // The shipped config names sessionsPerWeek through the barrel (index.ts re-exports it from
    // activity.ts); init names the module that defines the function: the same function.
    expected.features.sessions_per_week.source = 'src/features/activity.ts#sessionsPerWeek';
    assert.deepEqual(essentials(written), expected);
    assert.match(r.stdout, /^Snapshots\n {2}customers {2}data\/customers\.parquet {2}18 columns\n/);
    assert.match(r.stdout, /\n {2}src\/features\/customer\.ts#monthlySpend → customers\.spend_usd {2}100%\n/);
    assert.match(r.stdout, /Features declared by @feature tags \(left as they are\): engagement_score\n/);
    assert.match(r.stdout, /\nFunctions that match no column\n {2}none\n/);
    const check = runCli(root, ['check']);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    // The written features reproduce the store: an edit to one of them is caught.
    writeFiles(root, { 'src/features/customer.ts': readFileSync(join(root, 'src/features/customer.ts'), 'utf8').replace('Math.floor(row.tenure_days / DAYS_PER_MONTH)', 'Math.round(row.tenure_days / DAYS_PER_MONTH)') });
    const edited = runCli(root, ['check', '--format', 'json']);
    const report = JSON.parse(edited.stdout);
    const tenure = report.features.find((f: { name: string }) => f.name === 'tenure_months');
    assert.equal(tenure.verdict, 'changed', edited.stdout);
    assert.equal(report.features.find((f: { name: string }) => f.name === 'tickets_per_month').verdict !== 'broken', true);
  });

  (pythonWithPandas ? it : it.skip)('examples/churn-py without its config: the same functions and columns (Python, run in the interpreter)', () => {
    const shipped = readFileSync(join(REPO_ROOT, 'examples', 'churn-py', 'featureguard.json'), 'utf8');
    const root = exampleRepo('churn-py');
    rmSync(join(root, 'featureguard.json'));
    git(root, 'commit', '-qam', 'no config');
    const r = init(root, [], PY_ENV);
    assert.equal(r.code, 0, r.stderr);
    const written = assertValid(root);
    assert.deepEqual(parse(written).python, { paths: ['src'] });
    const expected = essentials(shipped);
    // Two functions reproduce sessions_per_week: the row function and the pandas one the shipped
    // config chose (by knowing how the store was filled). Values cannot tell them apart; the name
    // breaks the tie, and the output says the other reproduces the column too.
    assert.equal(expected.features.sessions_per_week.source, 'src/churn_features/frames.py#sessions_per_week_vec');
    expected.features.sessions_per_week.source = 'src/churn_features/activity.py#sessions_per_week';
    assert.deepEqual(essentials(written), expected);
    assert.match(r.stdout, /\n {2}src\/churn_features\/frames\.py#sessions_per_week_vec {2}reproduces customers\.sessions_per_week too/);
    const check = runCli(root, ['check'], PY_ENV);
    assert.equal(check.code, 0, check.stdout + check.stderr);
  });

  it('function names that share nothing with the column names are matched by values; an input passed through is not a feature', () => {
    const rand = prng(3);
    const rows: SnapshotRows = [];
    for (let i = 0; i < 1000; i++) {
      const age = 18 + Math.floor(rand() * 60);
      const spend = Math.round(rand() * 50000) / 100;
      const plan = ['basic', 'pro', 'enterprise'][Math.floor(rand() * 3)];
      rows.push({ account_id: 5000 + i, age, monthly_spend: spend, plan, spend_usd: Math.min(spend, 300), age_bucket: age < 30 ? 'young' : age < 50 ? 'mid' : 'senior', is_pro: plan !== 'basic', score_z: Math.round(((age - 48) / 17) * 1000) / 1000, legacy_metric: Math.round(rand() * 100) });
    }
    const root = makeRepo({
      'data/accounts.parquet': Buffer.from(parquetBytes(rows)),
      'src/alpha.ts': [
        'export interface In { age: number; monthly_spend: number; plan: string }',
        '/** Caps what the customer pays. */',
        'export function foo(r: In): number { return Math.min(r.monthly_spend, 300); }',
        'export const bar = (input: In) => (input.age < 30 ? "young" : input.age < 50 ? "mid" : "senior");',
        'export function qux(r: In): boolean { return r.plan !== "basic"; }',
        '/** Returns its input: equals the stored age, which is no feature. */',
        'export function passthrough(r: In): number { return r.age; }',
        'export function twoArgs(a: number, b: number): number { return a + b; }',
        '',
      ].join('\n'),
      'src/beta.ts': 'export function zed(rows: { age: number }[]): number[] { return rows.map((r) => Math.round(((r.age - 48) / 17) * 1000) / 1000); }\n',
    });
    const r = init(root);
    assert.equal(r.code, 0, r.stderr);
    const c = parse(assertValid(root));
    assert.deepEqual(c.features, {
      spend_usd: { source: 'src/alpha.ts#foo' },
      age_bucket: { source: 'src/alpha.ts#bar' },
      is_pro: { source: 'src/alpha.ts#qux' },
      score_z: { source: 'src/beta.ts#zed', kind: 'batch' },
    });
    assert.deepEqual(c.snapshots, { accounts: { path: 'data/accounts.parquet', sampleRows: 5000, seed: 0 } });
    assert.equal(c.defaultSnapshot, 'accounts');
    assert.match(r.stdout, /\n {2}src\/alpha\.ts#passthrough {2}no column equals its output/);
    assert.doesNotMatch(r.stdout, /twoArgs/, 'a function of two required parameters is no candidate');
    assert.match(r.stdout, /\nColumns that look like features but no code reproduces\n {2}accounts: legacy_metric\n/);
    assert.equal(runCli(root, ['check']).code, 0);
  });

  (existsSync(PYTHON) ? it : it.skip)('a Feast repository: the FileSource path of a feature view is the snapshot (read statically), and a Python function is matched on it', () => {
    const rand = prng(11);
    const rows: SnapshotRows = [];
    for (let i = 0; i < 500; i++) {
      const conv = Math.round(rand() * 1e6) / 1e6;
      rows.push({ driver_id: 1000 + i, conv_rate: conv, acc_rate: Math.round(rand() * 1000) / 1000, conv_pct: conv * 100 });
    }
    const root = makeRepo({
      // The data is ignored by git: found on disk beside the code, and named by the feature view's FileSource.
      '.gitignore': 'data/\n',
      'feature_repo/feature_store.yaml': 'project: drivers\nregistry: data/registry.db\nprovider: local\nonline_store:\n  path: data/online_store.db\n',
      // A stand-in for the feast package (the real one is not installed here): classes doing nothing.
      'feature_repo/feast/__init__.py': [
        'class _Anything:',
        '    def __init__(self, *args, **kwargs):',
        '        self.args, self.kwargs = args, kwargs',
        '',
        'class FileSource(_Anything): pass',
        'class FeatureView(_Anything): pass',
        'class Entity(_Anything): pass',
        'class Field(_Anything): pass',
        '',
      ].join('\n'),
      'feature_repo/driver_repo.py': [
        'from feast import Entity, FeatureView, Field, FileSource',
        '',
        'driver = Entity(name="driver", join_keys=["driver_id"])',
        'driver_stats_source = FileSource(name="driver_stats_source", path="data/driver_stats.parquet", timestamp_field="event_timestamp")',
        'driver_stats_fv = FeatureView(name="driver_hourly_stats", entities=[driver], schema=[Field(name="conv_rate"), Field(name="acc_rate")], source=driver_stats_source)',
        '',
        '',
        'def conversion_percent(row):',
        '    return row["conv_rate"] * 100',
        '',
      ].join('\n'),
    });
    writeFiles(root, { 'feature_repo/data/driver_stats.parquet': Buffer.from(parquetBytes(rows)) });
    const r = init(root, [], PY_ENV);
    assert.equal(r.code, 0, r.stderr);
    const c = parse(assertValid(root));
    assert.deepEqual(c.snapshots, { driver_stats: { path: 'feature_repo/data/driver_stats.parquet', sampleRows: 5000, seed: 0 } });
    assert.deepEqual(c.features, { conv_pct: { source: 'feature_repo/driver_repo.py#conversion_percent' } });
    assert.deepEqual(c.python, { paths: ['feature_repo'] });
    assert.match(r.stdout, /^Snapshots\n {2}driver_stats {2}feature_repo\/data\/driver_stats\.parquet {2}4 columns, from a Feast FileSource\n/);
    assert.equal(runCli(root, ['check'], PY_ENV).code, 0);
  });

  (pythonWithPandas ? it : it.skip)('Python series, frame and Hamilton functions: the detected form is written as kind; a frame function is matched by the columns it writes', () => {
    const rand = prng(5);
    const rows: SnapshotRows = [];
    for (let i = 0; i < 400; i++) {
      const spend = Math.round(rand() * 10000) / 100;
      const visits = 1 + Math.floor(rand() * 20);
      rows.push({ user_id: i, spend, visits, spend_x2: spend * 2, per_visit: spend / visits, visits_sq: visits * visits });
    }
    const root = makeRepo({
      'data/users.parquet': Buffer.from(parquetBytes(rows)),
      'pipeline/vectorized.py': [
        'import pandas as pd',
        '',
        'def doubled(df: pd.DataFrame) -> pd.Series:',
        '    return df["spend"] * 2',
        '',
        'def enrich(df: pd.DataFrame) -> pd.DataFrame:',
        '    df["per_visit"] = df["spend"] / df["visits"]',
        '    return df',
        '',
        'def squared(visits: pd.Series) -> pd.Series:',
        '    return visits * visits',
        '',
      ].join('\n'),
    });
    const r = init(root, [], PY_ENV);
    assert.equal(r.code, 0, r.stderr);
    const c = parse(assertValid(root));
    assert.deepEqual(c.features, {
      spend_x2: { source: 'pipeline/vectorized.py#doubled', kind: 'series' },
      per_visit: { source: 'pipeline/vectorized.py#enrich', kind: 'frame' },
      visits_sq: { source: 'pipeline/vectorized.py#squared', kind: 'hamilton' },
    });
    assert.deepEqual(c.python, { paths: ['pipeline'] });
    assert.equal(runCli(root, ['check'], PY_ENV).code, 0);
  });

  it('a batch function that reads other rows: init proposes sampleBy/orderBy on its snapshot, under which it reproduces its column', () => {
    // 150 customers, 2 to 12 events each; spend3 is the mean of the customer's last 3 events, stored over the whole table.
    const rand = prng(8);
    const sorted: { customer_id: string; ts: number; spend: number }[] = [];
    for (let c = 0; c < 150; c++) {
      const n = 2 + Math.floor(rand() * 11);
      for (let k = 0; k < n; k++) sorted.push({ customer_id: `c${String(c).padStart(3, '0')}`, ts: 10 * k + c, spend: Math.round(rand() * 10000) / 100 });
    }
    const rows: SnapshotRows = withSpend3(sorted);
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [rows[i], rows[j]] = [rows[j], rows[i]];
    }
    const code = `type Ev = { customer_id: string; ts: number; spend: number };
export function spend3(rows: Ev[]): number[] {
  return rows.map((_, i) => {
    let sum = 0;
    let n = 0;
    for (let j = i; j >= 0 && j > i - 3 && rows[j].customer_id === rows[i].customer_id; j--) {
      sum += rows[j].spend;
      n++;
    }
    return sum / n;
  });
}
`;
    const root = makeRepo({ 'data/events.parquet': Buffer.from(parquetBytes(rows)), 'src/events.ts': code });
    const r = init(root);
    assert.equal(r.code, 0, r.stderr);
    const c = parse(assertValid(root));
    assert.deepEqual(c.features, { spend3: { source: 'src/events.ts#spend3', kind: 'batch' } });
    assert.deepEqual(c.snapshots, { events: { path: 'data/events.parquet', sampleRows: 5000, seed: 0, orderBy: ['customer_id', 'ts'], sampleBy: 'customer_id' } });
    assert.match(r.stdout, /snapshot events: sampleBy customer_id, orderBy customer_id, ts — spend3 reproduces its column only on whole entities in order/);
    // check then runs on that sampling: a refactor is identical, with no history.unreproduced.
    commitAll(root, { 'featureguard.json': readFileSync(join(root, 'featureguard.json'), 'utf8') }, 'config');
    writeFiles(root, { 'src/events.ts': code.replace('return sum / n;', 'const mean = sum / n;\n    return mean;') });
    const check = runCli(root, ['check', '--format', 'json']);
    assert.equal(check.code, 0, check.stderr);
    const f = JSON.parse(check.stdout).features.find((x: any) => x.name === 'spend3');
    assert.equal(f.verdict, 'identical');
    assert.deepEqual(f.findings, []);
  });

  it('a repository with no data: exit 2 with one line', () => {
    const root = makeRepo({ 'src/a.ts': 'export function f(r: { x: number }) { return r.x * 2; }\n' });
    // A virtual environment (not ignored: found by its pyvenv.cfg) and node_modules are not searched.
    writeFiles(root, { 'env/pyvenv.cfg': 'home = /usr/bin\n', 'env/lib/y.csv': 'a\n1\n', '.venv/pyvenv.cfg': 'home = /usr/bin\n', '.venv/lib/x.parquet': 'not really', 'node_modules/pkg/data.csv': 'a\n1\n' });
    const r = init(root);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'featureguard: no snapshot found: no Parquet, Arrow or CSV file (nor folder of Parquet parts) in this repository (outside node_modules, virtual environments, dist and build); add a sample of your feature store, or name one with `featureguard init --snapshot s3://bucket/key` (or an https:// URL, a folder, a glob)\n');
    assert.equal(existsSync(join(root, 'featureguard.json')), false);
  });

  it('git-ignored data beside the code is found (a feature-store sample is often ignored), and matched', () => {
    const root = makeRepo({ 'src/f.ts': 'export function triple(r: { x: number }): number { return r.x * 3; }\n', '.gitignore': 'data/\n' });
    writeFiles(root, { 'data/t.csv': 'x,y\n' + Array.from({ length: 50 }, (_, i) => `${i},${i * 3}`).join('\n') + '\n' });
    const r = init(root);
    assert.equal(r.code, 0, r.stderr);
    const c = parse(assertValid(root));
    assert.deepEqual(c.snapshots, { t: { path: 'data/t.csv', sampleRows: 5000, seed: 0 } });
    assert.deepEqual(c.features, { y: { source: 'src/f.ts#triple' } });
    assert.equal(runCli(root, ['check']).code, 0);
  });

  it('an existing config is refused without --force (one line), and overwritten with it; --dry-run writes nothing', () => {
    const root = makeRepo({
      'data/t.csv': 'x,y\n' + Array.from({ length: 50 }, (_, i) => `${i},${i * 3}`).join('\n') + '\n',
      'src/f.ts': 'export function triple(r: { x: number }): number { return r.x * 3; }\n',
      'featureguard.json': '{ "features": {} }\n',
    });
    const before = treeFingerprint(root);
    const refused = init(root);
    assert.equal(refused.code, 2);
    assert.equal(refused.stderr, 'featureguard: featureguard.json already exists; run `featureguard init --force` to overwrite it\n');
    assert.deepEqual(treeFingerprint(root), before);

    const dry = init(root, ['--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual(treeFingerprint(root), before, '--dry-run writes nothing');
    assert.match(dry.stdout, /--dry-run: nothing written; .*featureguard\.json would be:\n\n\{\n {2}"\$schema": /);
    const printed = dry.stdout.slice(dry.stdout.indexOf('\n{\n') + 1);

    const forced = init(root, ['--force']);
    assert.equal(forced.code, 0, forced.stderr);
    const text = assertValid(root);
    assert.equal(text, printed, 'the dry run printed what --force wrote');
    assert.deepEqual(parse(text).features, { y: { source: 'src/f.ts#triple' } });
    commitAll(root, {}, 'config');
    assert.equal(runCli(root, ['check']).code, 0);
  });

  it('finds a folder of Parquet parts (Hive partitions, Spark markers) as one snapshot named by the folder', () => {
    const part = (rows: SnapshotRows) => Buffer.from(parquetBytes(rows));
    const root = makeRepo({
      'data/customers/region=eu/part-00000-a1.snappy.parquet': part([{ id: 1, v: 2 }, { id: 2, v: 4 }]),
      'data/customers/region=us/part-00000-b2.snappy.parquet': part([{ id: 3, v: 6 }]),
      'data/customers/_SUCCESS': '',
      'data/events/part-00000.parquet': part([{ id: 1, w: 1 }]),
      'data/events/part-00001.parquet': part([{ id: 2, w: 2 }]),
      'data/events/.part-00000.parquet.crc': 'crc',
      'data/single.csv': 'a,b\n1,2\n',
    });
    const dry = init(root, ['--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /\n {2}customers {2}data\/customers\/ {2}.*a folder of Parquet parts/);
    assert.match(dry.stdout, /\n {2}events {2}data\/events\/ {2}.*a folder of Parquet parts/);
    assert.match(dry.stdout, /\n {2}single {2}data\/single\.csv {2}2 columns\n/);
  });

  it('a partitioned dataset is written as a folder snapshot, its features matched across the parts (Hive partition values included); check runs on it', () => {
    const rows = (region: string, from: number): SnapshotRows => Array.from({ length: 120 }, (_, i) => ({ id: from + i, spend: (from + i) * 1.5, spend_cents: (from + i) * 150 }));
    const root = makeRepo({
      'data/customers/region=eu/part-00000-a1.snappy.parquet': Buffer.from(parquetBytes(rows('eu', 0))),
      'data/customers/region=us/part-00000-b2.snappy.parquet': Buffer.from(parquetBytes(rows('us', 1000))),
      'data/customers/_SUCCESS': '',
      'src/money.ts': 'export function cents(r: { spend: number }): number { return Math.round(r.spend * 100); }\n',
    });
    const r = init(root);
    assert.equal(r.code, 0, r.stderr);
    const c = parse(assertValid(root));
    assert.deepEqual(c.snapshots, { customers: { path: 'data/customers/', sampleRows: 5000, seed: 0 } });
    assert.deepEqual(c.features, { spend_cents: { source: 'src/money.ts#cents' } });
    assert.equal(runCli(root, ['check']).code, 0);
  });
});
