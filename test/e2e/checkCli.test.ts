/**
 * `featureguard check` end to end: real git repositories, real Parquet / Arrow / CSV snapshots
 * written by the test, the built CLI run as a process. Each case is one edit of the story's kind
 * and the verdict, change and findings a user should see.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, removeTempDirs, runCli, runJson, treeFingerprint, writeFiles } from '../helpers';
import { edit, repo } from './featureRepo';

function check(root: string, ...args: string[]) {
  const { code, report, stderr } = runJson(root, ['check', ...args]);
  const byName = Object.fromEntries(report.features.map((f: any) => [f.name, f]));
  const checks = (name: string) => byName[name].findings.map((x: any) => `${x.check}:${x.severity}`).sort();
  return { code, report, stderr, byName, checks };
}

describe('featureguard check (end to end)', function () {
  this.timeout(60000);
  after(removeTempDirs);

  it('the story: a raw column normalized is an affine change that breaks history', () => {
    const root = repo();
    edit(root, 'return row.spend;', 'return (row.spend - 100) / 50;');
    const { code, report, byName, checks } = check(root);
    assert.equal(code, 1);
    assert.deepEqual(Object.keys(byName), ['spend']);
    const f = byName.spend;
    assert.equal(f.verdict, 'changed');
    assert.equal(f.change.kind, 'affine');
    assert.ok(Math.abs(f.change.slope - 0.02) < 1e-9 && Math.abs(f.change.intercept + 2) < 1e-9, JSON.stringify(f.change));
    assert.match(f.change.recommendation, /backfill spend|spend_v2/);
    assert.equal(f.metrics.rows, 800);
    assert.equal(f.metrics.mismatchRate, 1);
    assert.ok(f.metrics.psi > 0.25 && f.metrics.ks > 0.5, JSON.stringify(f.metrics));
    assert.deepEqual(checks('spend'), ['drift.distribution:error', 'value.mismatch:error']);
    const mismatch = f.findings.find((x: any) => x.check === 'value.mismatch');
    assert.deepEqual(mismatch.location, { file: 'src/features/customer.ts', line: 4, column: 17 });
    assert.equal(mismatch.examples.length, 5);
    const ex = mismatch.examples[0];
    assert.equal(ex.target, (ex.row.spend - 100) / 50);
    assert.equal(ex.base, ex.row.spend);
    assert.equal(ex.stored, ex.row.spend);
    assert.equal(report.summary.featuresChecked, 1);
    assert.equal(report.summary.rowsSampled, 800);
    assert.equal(report.summary.errors, 2);
  });

  it('a transitive constant change reaches the feature through its helper', () => {
    const root = repo();
    edit(root, 'CAP = 50', 'CAP = 60', 'src/features/util.ts');
    const { code, byName } = check(root);
    assert.equal(code, 1);
    assert.deepEqual(byName.recency.via, ['src/features/util.ts#CAP', 'src/features/util.ts#clip']);
    assert.equal(byName.recency.change.kind, 'subset');
    assert.ok(byName.recency.change.rate > 0.3 && byName.recency.change.rate < 0.6);
    assert.equal(byName.recency.findings.find((x: any) => x.check === 'value.mismatch').severity, 'error');
  });

  it('a type change is a schema.type error', () => {
    const root = repo();
    edit(root, 'return row.age; }', 'return String(row.age); }');
    const { byName, checks } = check(root);
    assert.equal(byName.age_years.change.kind, 'type-change');
    assert.ok(checks('age_years').includes('schema.type:error'));
  });

  it('code that throws on nulls is broken, with the error and an example row', () => {
    const root = repo();
    edit(root, 'return row.tickets ?? 0;', 'return row.tickets!.valueOf();');
    const { code, byName } = check(root);
    assert.equal(code, 1);
    assert.equal(byName.tickets.verdict, 'broken');
    const err = byName.tickets.findings.find((x: any) => x.check === 'runtime.error');
    assert.equal(err.severity, 'error');
    assert.match(err.message, /throws on \d+(\.\d)?% of sampled rows .*TypeError: Cannot read properties of null/);
    assert.equal(err.examples[0].row.tickets, null);
  });

  it('a new category is reported with its share of rows', () => {
    const root = repo('arrow');
    edit(root, "'high' : 'low'", "'high' : 'standard'");
    const { byName, checks } = check(root);
    assert.ok(checks('tier').includes('domain.new-values:error'), checks('tier').join());
    assert.match(byName.tier.findings.find((x: any) => x.check === 'domain.new-values').message, /"standard"/);
    assert.equal(byName.tier.change.kind, 'category-remap');
    assert.deepEqual(byName.tier.change.mapping, { low: 'standard' });
  });

  it('a changed null policy is a nulls.rate finding and a null-handling change', () => {
    const root = repo('csv');
    edit(root, 'return row.tickets ?? 0;', 'return row.tickets;');
    const { byName, checks } = check(root);
    assert.equal(byName.tickets.change.kind, 'null-handling');
    assert.ok(checks('tickets').includes('nulls.rate:error'), checks('tickets').join());
    assert.equal(byName.tickets.metrics.nullRateBefore, 0);
    assert.ok(byName.tickets.metrics.nullRateAfter > 0.05);
  });

  it('an infinite loop is a runtime.timeout, and FeatureGuard finishes', () => {
    const root = repo();
    edit(root, 'return row.spend;', 'while (row.spend >= 0) { row.spend = row.spend + 1; } return row.spend;');
    const { code, byName, checks } = check(root);
    assert.equal(code, 1);
    assert.equal(byName.spend.verdict, 'broken');
    assert.deepEqual(checks('spend'), ['runtime.timeout:error']);
    assert.match(byName.spend.findings[0].message, /exceeded timeoutMs \(1500 ms\)/);
  });

  it('features checked together: one that loops forever times out, the others still get their verdicts', () => {
    const root = repo('parquet', { timeoutMs: 4000 });
    edit(root, 'return row.age; }', 'return row.age * 2; }');
    edit(root, 'return row.spend;', 'while (row.spend >= 0) { row.spend = row.spend + 1; } return row.spend;');
    edit(root, "'high' : 'low'", "'high' : 'standard'");
    edit(root, 'return row.tickets ?? 0;', 'if (row.tickets === 3) process.exit(1); return row.tickets ?? 0;');
    const { byName, checks } = check(root);
    assert.deepEqual(Object.keys(byName).sort(), ['age_years', 'spend', 'tickets', 'tier']);
    assert.deepEqual(checks('spend'), ['runtime.timeout:error']);
    assert.equal(byName.age_years.change.kind, 'affine');
    assert.equal(byName.tier.change.kind, 'category-remap');
    assert.match(byName.tickets.findings.find((x: any) => x.check === 'runtime.error').message, /process\.exit\(1\)/);
  });

  it('user code calling process.exit or printing to the console does not disturb the report', () => {
    const root = repo();
    edit(root, 'return row.spend;', 'console.log("debug", row.spend); if (row.spend > 190) process.exit(3); return row.spend;');
    const { byName } = check(root);
    const err = byName.spend.findings.find((x: any) => x.check === 'runtime.error');
    assert.match(err.message, /feature code called process\.exit\(3\)/);
  });

  it('unbounded allocation is a runtime.error about memory, and FeatureGuard lives on', () => {
    // V8 aborts a whole process on this allocation path: a worker thread would take FeatureGuard down.
    const root = repo('parquet', { timeoutMs: 60000 });
    edit(root, 'return row.spend;', 'const hoard: number[][] = []; for (;;) hoard.push(new Array(1e7).fill(row.spend));');
    const { code, byName, checks } = check(root);
    assert.equal(code, 1);
    assert.equal(byName.spend.verdict, 'broken');
    assert.deepEqual(checks('spend'), ['runtime.error:error']);
    assert.equal(byName.spend.findings[0].message, 'the feature code ran out of memory (limit 1024 MB)');
  });

  it('deep recursion, thrown non-Errors and promises are handled per row', () => {
    const root = repo('parquet', { timeoutMs: 30000 });
    edit(root, 'return row.spend;', 'const deep = (n: number): number => deep(n + 1) + 1; if (row.spend > 150) return deep(0); return row.spend;');
    edit(root, 'return row.tickets ?? 0;', 'if (row.tickets === null) throw { code: 42 }; return row.tickets;');
    edit(root, "return row.plan === 'pro' ? 'high' : 'low'; }", "return Promise.resolve(row.plan === 'pro' ? 'high' : 'low') as unknown as string; }");
    const { byName } = check(root);
    const spendErr = byName.spend.findings.find((x: any) => x.check === 'runtime.error');
    assert.match(spendErr.message, /RangeError: Maximum call stack size exceeded/);
    const ticketsErr = byName.tickets.findings.find((x: any) => x.check === 'runtime.error');
    assert.match(ticketsErr.message, /threw a non-Error value: \{"code":42\}/);
    assert.equal(byName.tier.verdict, 'identical', 'an async feature is awaited');
  });

  it('code that uses Math.random is code.nondeterministic', () => {
    const root = repo();
    edit(root, 'return row.age; }', 'return row.age + Math.round(Math.random()); }');
    const { checks } = check(root);
    assert.ok(checks('age_years').includes('code.nondeterministic:warning'), checks('age_years').join());
  });

  it('a vanished export is source.missing and exit 1', () => {
    const root = repo();
    edit(root, 'export function spend', 'function spend');
    const { code, byName, checks } = check(root);
    assert.equal(code, 1);
    assert.equal(byName.spend.verdict, 'broken');
    assert.deepEqual(checks('spend'), ['source.missing:error']);
  });

  it('a refactor is identical, with no finding, and exits 0', () => {
    const root = repo();
    edit(root, 'return row.spend;', 'const { spend: value } = row;\n  return value * 1;');
    const { code, byName, report } = check(root);
    assert.equal(code, 0);
    assert.equal(byName.spend.verdict, 'identical');
    assert.deepEqual(byName.spend.findings, []);
    assert.equal(report.summary.warnings, 0);
  });

  it('a comment-only edit reaches nothing', () => {
    const root = repo();
    edit(root, 'export function spend', '// Spend in dollars.\nexport function spend');
    const { code, report } = check(root);
    assert.equal(code, 0);
    assert.deepEqual(report.features, []);
    assert.deepEqual(report.changes, []);
  });

  it('checks the index under --staged and the working tree otherwise', () => {
    const root = repo();
    edit(root, 'return row.spend;', 'return (row.spend - 100) / 50;');
    git(root, 'add', 'src/features/customer.ts');
    edit(root, 'return (row.spend - 100) / 50;', 'return row.spend;');
    assert.equal(check(root, '--staged').code, 1);
    assert.equal(check(root, '--staged').report.target, 'staged');
    const worktree = check(root);
    assert.equal(worktree.code, 0);
    assert.deepEqual(worktree.report.features, []);
  });

  it('--no-data reports the impact as not-checked without running code', () => {
    const root = repo();
    edit(root, 'return row.spend;', 'return (row.spend - 100) / 50;');
    const { code, byName, report } = check(root, '--no-data');
    assert.equal(code, 0);
    assert.equal(byName.spend.verdict, 'not-checked');
    assert.equal(report.summary.featuresChecked, 0);
  });

  it('acknowledged features keep their findings at info and exit 0', () => {
    const root = repo('parquet', { acknowledged: { spend: 'backfill scheduled, TICKET-12' } });
    edit(root, 'return row.spend;', 'return (row.spend - 100) / 50;');
    const { code, byName } = check(root);
    assert.equal(code, 0);
    assert.ok(byName.spend.findings.length > 0);
    for (const f of byName.spend.findings) {
      assert.equal(f.severity, 'info');
      assert.match(f.message, /\(acknowledged: backfill scheduled, TICKET-12\)$/);
    }
  });

  it('a corrupt snapshot stops the run with exit 2 naming the file', () => {
    const root = repo();
    edit(root, 'return row.spend;', 'return (row.spend - 100) / 50;');
    writeFiles(root, { 'data/c.parquet': Buffer.from('PAR1 this is not really parquet') });
    const r = runCli(root, ['check']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^featureguard: data\/c\.parquet is not a readable Parquet file/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  it('a Git LFS pointer in place of the snapshot is exit 2 with what to do', () => {
    const root = repo();
    edit(root, 'return row.spend;', 'return (row.spend - 100) / 50;');
    writeFiles(root, { 'data/c.parquet': 'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n' });
    const r = runCli(root, ['check']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /data\/c\.parquet.*Git LFS pointer.*git lfs pull/);
  });

  it('changes nothing in the working tree, the index or the snapshot', () => {
    const root = repo();
    edit(root, 'return row.spend;', 'return (row.spend - 100) / 50;');
    git(root, 'add', 'src/features/customer.ts');
    edit(root, 'CAP = 50', 'CAP = 60', 'src/features/util.ts');
    const skip = (rel: string) => rel.startsWith('.git/featureguard');
    const before = treeFingerprint(root, skip);
    runCli(root, ['check']);
    runCli(root, ['check', '--staged']);
    runCli(root, ['check', '--format', 'json']);
    assert.deepEqual(treeFingerprint(root, skip), before);
  });

  it('prints a text report a person reads in five seconds', () => {
    const root = repo();
    edit(root, 'return row.spend;', 'return (row.spend - 100) / 50;');
    const r = runCli(root, ['check']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /spend {2}changed {2}src\/features\/customer\.ts:4/);
    assert.match(r.stdout, /change: affine — rescaled \(≈ 0\.02·old − 2\)/);
    assert.match(r.stdout, /mismatch 100% · PSI [\d.]+ · KS [\d.]+/);
    assert.match(r.stdout, /error value\.mismatch: 100% of sampled rows \(800 of 800\) differ from the stored "spend_f" values/);
    assert.match(r.stdout, /1 feature affected, 1 checked on 800 sampled rows, 2 errors, 0 warnings/);
    assert.doesNotMatch(r.stdout, /\x1b\[/, 'no colour when stdout is not a TTY');
  });

  it('reuses bundles while the closure is unchanged, and rebuilds when a helper changes', () => {
    const root = repo();
    const bundles = join(root, '.git/featureguard/bundles');
    const maxTarget = (r: ReturnType<typeof check>) => Math.max(...r.byName.recency.histogram.edges);
    edit(root, 'CAP = 50', 'CAP = 60', 'src/features/util.ts');
    const first = check(root);
    assert.equal(first.byName.recency.verdict, 'changed');
    assert.equal(maxTarget(first), 60, 'clipped at the new cap');
    const files = readdirSync(bundles).filter((f) => f.endsWith('.js'));
    assert.equal(files.length, 2, `one bundle per side: ${files}`);

    // A second run reads the bundles back: the proof is that it runs what the cache holds.
    const again = check(root);
    assert.deepEqual(again.byName.recency.metrics, first.byName.recency.metrics);
    assert.deepEqual(readdirSync(bundles).filter((f) => f.endsWith('.js')).sort(), [...files].sort(), 'no new bundle');
    // Without the results cache, which would run neither side (and must not keep the tampered values).
    const results = join(root, '.git/featureguard/results');
    rmSync(results, { recursive: true, force: true });
    for (const f of files) writeFileSync(join(bundles, f), 'exports.__feature = () => 7;');
    const tampered = check(root).byName.recency;
    rmSync(results, { recursive: true, force: true });
    assert.equal(tampered.verdict, 'identical', 'both sides ran the cached code (7 on every row)');
    assert.deepEqual(tampered.histogram.target, tampered.histogram.base);

    // The helper changes: the closure's hash changes, so the stale bundles are not used.
    edit(root, 'CAP = 60', 'CAP = 70', 'src/features/util.ts');
    const edited = check(root);
    assert.equal(edited.byName.recency.verdict, 'changed');
    assert.equal(maxTarget(edited), 70);
    assert.equal(readdirSync(bundles).filter((f) => f.endsWith('.js')).length, 3, 'the base bundle is reused, the target rebuilt');
  });
});
