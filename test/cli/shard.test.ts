/**
 * CI sharding end to end: `check --shard I/N` on real git repositories (the e2e feature fixture),
 * then `merge-reports`; the merged report equals the unsharded one feature by feature and finding
 * by finding.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { removeTempDirs, runCli, runJson, stableReport, tempDir, writeFiles } from '../helpers';
import { edit, repo } from '../e2e/featureRepo';
import { modelRepo } from '../e2e/modelRepo';
import { partition, shardFeatures } from '../../engine/shard/partition';
import { COSTS_FILE, costsForShards, readCostsFile, recordCosts, shardCosts } from '../../engine/cache/featureCosts';

/** Four affected features: recency (through util's CAP), spend, tickets and tier; plus a file that does not parse. */
function fourFeatureRepo(): string {
  const root = repo();
  edit(root, 'CAP = 50', 'CAP = 60', 'src/features/util.ts');
  edit(root, 'return row.spend;', 'return (row.spend - 100) / 50;');
  edit(root, "'high' : 'low'", "'high' : 'standard'");
  edit(root, 'return row.tickets ?? 0;', 'return row.tickets!.valueOf();');
  return root;
}

/** Runs every shard of `total` and writes their JSON reports; returns the files and the reports. */
function shards(root: string, total: number, ...args: string[]) {
  const dir = tempDir('fg-shards-');
  const out: { file: string; code: number; report: any }[] = [];
  for (let i = 1; i <= total; i++) {
    const { code, report } = runJson(root, ['check', '--shard', `${i}/${total}`, ...args]);
    const file = join(dir, `shard-${i}.json`);
    writeFileSync(file, JSON.stringify(report, null, 2));
    out.push({ file, code, report });
  }
  return out;
}

function merge(cwd: string, files: string[], ...args: string[]) {
  return runCli(cwd, ['merge-reports', ...files, ...args]);
}

describe('check --shard and merge-reports', function () {
  this.timeout(120000);
  after(removeTempDirs);

  let root: string;
  let whole: { code: number; report: any };
  let parts: { file: string; code: number; report: any }[];
  before(() => {
    root = fourFeatureRepo();
    writeFiles(root, { 'src/features/broken.ts': 'export const x = ;\n' });
    // Shards first: no feature has a measured cost yet, so the partition counts features.
    parts = shards(root, 3);
    whole = runJson(root, ['check']);
  });

  it('the unsharded run: four affected features and an impact-level finding (the fixture is what the tests assume)', () => {
    assert.equal(whole.code, 1);
    assert.deepEqual(whole.report.features.map((f: any) => f.name), ['recency', 'spend', 'tier', 'tickets']);
    assert.deepEqual(whole.report.findings.map((f: any) => f.check), ['code.syntax']);
    assert.equal(whole.report.shard, undefined);
  });

  it('each affected feature is checked in exactly one shard: round-robin over the names sorted', () => {
    assert.deepEqual(parts.map((p) => p.report.features.map((f: any) => f.name)), [['recency', 'tier'], ['spend'], ['tickets']]);
    for (const [i, p] of parts.entries()) {
      assert.deepEqual({ index: p.report.shard.index, total: p.report.shard.total }, { index: i + 1, total: 3 });
      assert.deepEqual(p.report.shard.features, ['recency', 'spend', 'tier', 'tickets']);
      // Impact-level findings and changes are in every shard.
      assert.deepEqual(p.report.findings, whole.report.findings);
      assert.deepEqual(p.report.changes, whole.report.changes);
      assert.equal(p.report.summary.featuresAffected, p.report.features.length);
      assert.equal(p.code, 1);
    }
    // A shard's feature entries are the unsharded run's, verdicts and findings included.
    const byName = Object.fromEntries(whole.report.features.map((f: any) => [f.name, f]));
    for (const p of parts) for (const f of p.report.features) assert.deepEqual(f, byName[f.name]);
  });

  it('the same partition on every run', () => {
    // The unsharded run recorded costs; without them the partition is the count's again.
    rmSync(join(root, '.git', 'featureguard', 'results', COSTS_FILE));
    for (let i = 0; i < 2; i++) {
      const again = runJson(root, ['check', '--shard', '1/3', '--no-data']);
      assert.deepEqual(again.report.features.map((f: any) => f.name), ['recency', 'tier']);
      assert.equal(again.report.shard.costBasis, 'count');
    }
  });

  it('merge-reports: the merged report equals the unsharded one (features, findings, verdicts, summary counts)', () => {
    // Given in any order.
    const r = merge(root, [parts[2].file, parts[0].file, parts[1].file], '--format', 'json');
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, '');
    const merged = JSON.parse(r.stdout);
    assert.deepEqual(stableReport(merged), stableReport(whole.report));
    assert.equal(merged.findings.length, 1, 'the impact-level finding once, not once per shard');
    assert.equal(merged.summary.errors, whole.report.summary.errors);
    assert.equal(merged.summary.rowsSampled, 800, 'the shards sampled one snapshot: its rows count once');
    // Durations are summed over the shards: the machine time of the whole run.
    assert.equal(merged.summary.durationMs, parts.reduce((s, p) => s + p.report.summary.durationMs, 0));
    assert.equal(merged.summary.timings.impact, parts.reduce((s, p) => s + p.report.summary.timings.impact, 0));
  });

  it('merge-reports renders text, SARIF and JUnit, and writes --output', () => {
    const files = parts.map((p) => p.file);
    const text = merge(root, files);
    assert.equal(text.code, 1);
    for (const name of ['recency', 'spend', 'tier', 'tickets']) assert.match(text.stdout, new RegExp(`\\b${name}\\b`));
    const sarif = JSON.parse(merge(root, files, '--format', 'sarif').stdout);
    const features = new Set(sarif.runs[0].results.map((x: any) => x.properties?.feature).filter(Boolean));
    assert.deepEqual([...features].sort(), ['recency', 'spend', 'tickets', 'tier']);
    assert.equal(sarif.runs[0].results.filter((x: any) => x.ruleId === 'code.syntax').length, 1);
    assert.deepEqual(sarif.runs[0].results, JSON.parse(runCli(root, ['check', '--format', 'sarif']).stdout).runs[0].results, 'the unsharded run’s SARIF results');
    const junit = merge(root, files, '--format', 'junit');
    assert.equal(XMLValidator.validate(junit.stdout), true);
    const suite = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(junit.stdout).testsuites.testsuite;
    // A test case per affected feature, and one for the file that does not parse.
    assert.deepEqual([suite.testcase].flat().map((c: any) => c.name).sort(), ['recency', 'spend', 'src/features/broken.ts', 'tickets', 'tier']);
    assert.equal(suite.failures, '5');
    const out = join(tempDir(), 'merged.html');
    const html = merge(root, [...files, '--output', out, '--format', 'html']);
    assert.equal(html.code, 1);
    assert.equal(html.stdout, '');
    assert.match(readFileSync(out, 'utf8'), /<html[\s>]/i);
  });

  it('a shard with no feature exits 0 with an empty feature list, and merges', () => {
    const clean = repo();
    edit(clean, 'return row.spend;', 'return row.spend + 0;');
    const five = shards(clean, 5);
    assert.deepEqual(five.map((p) => p.report.features.map((f: any) => f.name)), [['spend'], [], [], [], []]);
    assert.deepEqual(five.map((p) => p.code), [0, 0, 0, 0, 0]);
    assert.equal(five[1].report.summary.featuresChecked, 0);
    assert.equal(five[1].report.summary.rowsSampled, 0);
    const merged = merge(clean, five.map((p) => p.file), '--format', 'json');
    assert.equal(merged.code, 0, merged.stderr);
    assert.deepEqual(stableReport(JSON.parse(merged.stdout)), stableReport(runJson(clean, ['check']).report));
  });

  it('a model runs in the shard holding all the features it reads; the merge equals the unsharded run', () => {
    const root = modelRepo();
    edit(root, 'return row.spend;', 'return row.spend * 3;');
    edit(root, "'high' : 'low'", "'high' : 'standard'");
    edit(root, 'return row.tickets ?? 0;', 'return (row.tickets ?? 0) + 1;');
    const unsharded = runJson(root, ['check']).report;
    assert.deepEqual(unsharded.models.map((m: any) => m.name), ['churn_model_v3']);
    const two = shards(root, 2);
    // Every feature of the fixture names churn_model_v3 among its consumers: one unit, one shard.
    assert.deepEqual(two.map((p) => p.report.features.map((f: any) => f.name)), [['spend', 'tier', 'tickets'], []]);
    assert.deepEqual(two.map((p) => (p.report.models ?? []).map((m: any) => m.name)), [['churn_model_v3'], []]);
    const merged = merge(root, two.map((p) => p.file), '--format', 'json');
    assert.deepEqual(stableReport(JSON.parse(merged.stdout)), stableReport(unsharded));
  });

  it('bad --shard values: one line naming --shard, exit 2', () => {
    for (const bad of ['0/3', '4/3', '1/0', 'a/b', '2', '1/2/3', '-1/3', '1.5/3']) {
      const r = runCli(root, ['check', `--shard=${bad}`]);
      assert.equal(r.code, 2, bad);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `featureguard: --shard "${bad}" is not I/N with 1 ≤ I ≤ N ≤ 1000 (e.g. --shard 2/4)\n`, bad);
    }
    const other = runCli(root, ['impact', '--shard', '1/2']);
    assert.equal(other.code, 2);
    assert.equal(other.stderr, 'featureguard: --shard is an option of "check" only\n');
  });

  it('merge refusals: one line each, exit 2', () => {
    const dir = tempDir();
    const write = (name: string, value: unknown) => {
      const file = join(dir, name);
      writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
      return file;
    };
    const [a, b, c] = parts.map((p) => p.file);
    const refuse = (files: string[], message: string) => {
      const r = merge(root, files);
      assert.equal(r.code, 2, r.stdout);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `featureguard: ${message}\n`);
    };
    refuse([a, c], 'shard 2/3 missing: merge-reports needs the report of every shard of the run');
    refuse([a], 'shards 2/3, 3/3 missing: merge-reports needs the report of every shard of the run');
    refuse([a, b, c, b], `shard 2/3 is given twice (${b} and ${b})`);
    const otherBase = write('base.json', { ...parts[1].report, base: 'main~1' });
    refuse([a, otherBase, c], `${otherBase} compares main~1 with worktree but ${a} compares HEAD with worktree: reports of different runs cannot be merged`);
    const otherTotal = write('total.json', { ...parts[1].report, shard: { ...parts[1].report.shard, index: 2, total: 4 } });
    refuse([a, otherTotal, c], `${otherTotal} is shard 2/4 but ${a} is shard 1/3: reports of different runs cannot be merged`);
    const notJson = write('notes.txt', 'hello');
    refuse([a, notJson], `${notJson} is not a FeatureGuard JSON report (Unexpected token 'h', "hello" is not valid JSON)`);
    const sarif = write('r.sarif', merge(root, [a, b, c], '--format', 'sarif').stdout);
    refuse([a, sarif, c], `${sarif} is not a FeatureGuard JSON report (write one with featureguard check --shard I/N --format json)`);
    const unsharded = write('whole.json', whole.report);
    refuse([unsharded], `${unsharded} is the report of an unsharded run: merge-reports merges the reports of check --shard I/N`);
    refuse([a, join(dir, 'nope.json')], `${join(dir, 'nope.json')}: cannot read it (ENOENT)`);
    const r = runCli(root, ['merge-reports']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^featureguard: merge-reports needs the JSON reports of every shard/);
  });
});

describe('shards balanced by measured cost', function () {
  this.timeout(180000);
  after(removeTempDirs);

  /** spend does ~50M square roots on its 800 rows; the other three are a few operations a row. */
  function slowSpendRepo(): string {
    const root = fourFeatureRepo();
    edit(root, 'return (row.spend - 100) / 50;', 'let s = 0; for (let i = 0; i < 60000; i++) s += Math.sqrt(i); return (row.spend - 100) / 50 + s * 0;');
    return root;
  }
  const names = (parts: { report: any }[]) => parts.map((p) => p.report.features.map((f: any) => f.name));
  const costsOf = (root: string) => readCostsFile(join(root, '.git', 'featureguard', 'results'));

  it('counts features until a cost is known; then the slow feature gets a shard of its own, every shard agrees, and the merge equals the unsharded run', () => {
    const root = slowSpendRepo();
    const counted = shards(root, 2);
    assert.deepEqual(names(counted), [['recency', 'tickets'], ['spend', 'tier']]);
    for (const p of counted) assert.equal(p.report.shard.costBasis, 'count');

    const whole = runJson(root, ['check']);
    const { current } = costsOf(root);
    assert.deepEqual(Object.keys(current).sort(), ['recency', 'spend', 'tickets', 'tier']);
    assert.ok(current.spend > current.recency + current.tickets + current.tier, JSON.stringify(current));

    const weighed = shards(root, 2);
    assert.deepEqual(names(weighed), [['spend'], ['recency', 'tier', 'tickets']]);
    assert.match(weighed[0].report.shard.costBasis, /^measured:[0-9a-f]{12}$/);
    assert.equal(weighed[1].report.shard.costBasis, weighed[0].report.shard.costBasis);
    const merged = merge(root, weighed.map((p) => p.file), '--format', 'json');
    assert.equal(merged.stderr, '');
    assert.deepEqual(stableReport(JSON.parse(merged.stdout)), stableReport(whole.report));

    // Shards partitioned by different costs do not merge.
    const mixed = merge(root, [counted[0].file, weighed[1].file]);
    assert.equal(mixed.code, 2);
    assert.equal(mixed.stderr, `featureguard: ${weighed[1].file} and ${counted[0].file} were partitioned by different feature costs (${weighed[1].report.shard.costBasis}, count): give every shard the same .git/featureguard/results/ (restore one cache) or none\n`);
  });

  it("shards of one run keep the partition while recording costs; the next run's shards use them", () => {
    const root = slowSpendRepo();
    const first = shards(root, 2);
    assert.deepEqual(names(first), [['recency', 'tickets'], ['spend', 'tier']], 'shard 2 did not see what shard 1 measured');
    for (const p of first) assert.equal(p.report.shard.costBasis, 'count');
    const recorded = costsOf(root);
    assert.deepEqual(recorded.current, {}, 'shards write the next run\'s costs only');
    assert.deepEqual(Object.keys(recorded.next ?? {}).sort(), ['recency', 'spend', 'tickets', 'tier']);

    // A new edit is a new run: its shards fold the recorded costs in and agree on them.
    edit(root, 'return row.tickets!.valueOf();', 'return row.tickets!.valueOf() + 1;');
    const next = shards(root, 2);
    assert.deepEqual(names(next), [['spend'], ['recency', 'tier', 'tickets']]);
    assert.match(next[0].report.shard.costBasis, /^measured:/);
    assert.equal(next[1].report.shard.costBasis, next[0].report.shard.costBasis);
    assert.equal(merge(root, next.map((p) => p.file), '--format', 'json').code, 1);
  });

  it('costs file: corrupt or foreign is no costs; unknown names cost the mean; the basis names the costs', () => {
    const dir = tempDir('fg-costs-');
    writeFileSync(join(dir, COSTS_FILE), '{"format":1,"current":{"a":"fast"}}');
    assert.deepEqual(readCostsFile(dir), { format: 1, current: {} });
    writeFileSync(join(dir, COSTS_FILE), 'not json');
    assert.deepEqual(readCostsFile(dir).current, {});
    recordCosts(dir, new Map([['a', 10.4], ['b', 0.2]]));
    assert.deepEqual(readCostsFile(dir).current, { a: 10, b: 1 });
    recordCosts(dir, new Map([['c', 30]]), 'run-1');
    assert.deepEqual(readCostsFile(dir), { format: 1, current: { a: 10, b: 1 }, next: { c: 30 }, nextRun: 'run-1' });
    assert.deepEqual([...costsForShards(readCostsFile(dir), 'run-1').costs], [['a', 10], ['b', 1]]);
    assert.deepEqual([...costsForShards(readCostsFile(dir), 'run-2').costs], [['a', 10], ['b', 1], ['c', 30]]);
    const none = shardCosts(['x', 'y'], new Map());
    assert.equal(none.basis, 'count');
    assert.equal(none.cost('x'), 1);
    const some = shardCosts(['a', 'b', 'z'], new Map([['a', 10], ['b', 2]]));
    assert.equal(some.cost('z'), 6);
    assert.notEqual(some.basis, shardCosts(['a', 'b', 'z'], new Map([['a', 10], ['b', 3]])).basis);
    assert.equal(some.basis, shardCosts(['z', 'b', 'a'], new Map([['b', 2], ['a', 10]])).basis);
  });
});

describe('the shard partition', () => {
  const model = (name: string, bound: string[] = []) => [name, { name, inputs: new Map([['x', bound]]) }] as const;
  const f = (name: string, consumers: string[] = []) => ({ name, consumers });

  it('without models: round-robin over the names sorted (code-unit order), every name in one group', () => {
    const names = ['b', 'a', 'E', 'd', 'c'];
    const groups = partition(names.map((n) => f(n)), 2, { models: new Map() } as any);
    assert.deepEqual(groups, [['E', 'b', 'd'], ['a', 'c']]);
    assert.deepEqual(partition([f('a')], 3, { models: new Map() } as any), [['a'], [], []]);
  });

  it('features of one model (by consumers or a bound input) stay together, the largest unit placed first', () => {
    const config = { models: new Map([model('m1'), model('m2', ['z'])]) } as any;
    const features = [f('a'), f('b', ['m1']), f('c'), f('y', ['m1']), f('z'), f('x', ['m2'])];
    // Units: {b, y} (m1), {x, z} (m2), {a}, {c}.
    assert.deepEqual(partition(features, 2, config), [['a', 'b', 'y'], ['c', 'x', 'z']]);
    assert.deepEqual([...shardFeatures(features, { index: 2, total: 2 }, config)], ['c', 'x', 'z']);
    // A feature read by both models joins their units.
    const joined = [...features, f('both', ['m1', 'm2'])];
    assert.deepEqual(partition(joined, 2, config), [['b', 'both', 'x', 'y', 'z'], ['a', 'c']]);
  });

  it('balances by cost when one is known', () => {
    const cost = (n: string) => ({ a: 10, b: 1, c: 1, d: 1 })[n] ?? 1;
    assert.deepEqual(partition(['a', 'b', 'c', 'd'].map((n) => f(n)), 2, { models: new Map() } as any, cost), [['a'], ['b', 'c', 'd']]);
  });
});
