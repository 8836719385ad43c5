/**
 * The built `featureguard` binary over real git repositories: output, exit codes, and one clear
 * line on stderr for every mistake (SPEC §6).
 */
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeRepo, removeTempDirs, runCli, runJson, tempDir, treeFingerprint, writeFiles } from '../helpers';

const files = {
  'src/util.ts': 'export const CLIP_MAX = 50;\nexport function clip(x: number, hi = CLIP_MAX) { return Math.min(x, hi); }\n',
  'src/activity.ts': "import { clip } from './util';\nexport function recencyDays(row: { days: number }) { return clip(row.days); }\n",
  'data/customers.csv': 'days,recency_days\n10,10\n70,50\n',
};
const config = {
  snapshots: { customers: { path: 'data/customers.csv' } },
  features: { recency_days: { source: 'src/activity.ts#recencyDays', snapshot: 'customers', consumers: ['churn_model_v3'] } },
};

function repoWith(cfg: unknown = config): string {
  return makeRepo({ ...files, 'featureguard.json': typeof cfg === 'string' ? cfg : JSON.stringify(cfg) });
}

/** Asserts exit 2 with exactly one stderr line matching `pattern`, and nothing on stdout. */
function assertUsageError(cwd: string, args: string[], pattern: RegExp): void {
  const r = runCli(cwd, args);
  assert.equal(r.code, 2, `exit code for ${args.join(' ')}: ${r.stderr}`);
  assert.equal(r.stdout, '');
  const first = r.stderr.split('\n')[0];
  assert.match(first, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace without --debug');
}

describe('featureguard impact (CLI)', () => {
  after(removeTempDirs);

  it('prints the affected feature, its path of symbols and consumers', () => {
    const root = repoWith();
    writeFiles(root, { 'src/util.ts': files['src/util.ts'].replace('50', '60') });
    const r = runCli(root, ['impact']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /modified\s+CLIP_MAX\s+src\/util\.ts:1/);
    assert.match(r.stdout, /recency_days\s+src\/activity\.ts:2/);
    assert.match(r.stdout, /via: CLIP_MAX \(util\.ts\) → clip \(util\.ts\) → recencyDays \(activity\.ts\)/);
    assert.match(r.stdout, /consumers: churn_model_v3/);
    assert.match(r.stdout, /1 feature affected/);
  });

  it('writes the SPEC §6 JSON report and nothing else on stdout', () => {
    const root = repoWith();
    writeFiles(root, { 'src/util.ts': files['src/util.ts'].replace('50', '60') });
    const { code, report } = runJson(root, ['impact']);
    assert.equal(code, 0);
    assert.equal(report.version, 1);
    assert.equal(report.base, 'HEAD');
    assert.equal(report.target, 'worktree');
    assert.deepEqual(report.changes, [{ file: 'src/util.ts', symbol: 'CLIP_MAX', line: 1, kind: 'modified' }]);
    assert.equal(report.features.length, 1);
    assert.equal(report.features[0].name, 'recency_days');
    assert.equal(report.features[0].snapshot, 'customers');
    assert.deepEqual(report.features[0].via, ['src/util.ts#CLIP_MAX', 'src/util.ts#clip']);
    assert.equal(report.summary.featuresAffected, 1);
  });

  it('exits 1 on an error finding (a vanished export) and names it', () => {
    const root = repoWith();
    writeFiles(root, { 'src/activity.ts': files['src/activity.ts'].replace('export function', 'function') });
    const r = runCli(root, ['impact']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /error source\.missing: feature "recency_days": src\/activity\.ts no longer exports "recencyDays"/);
  });

  it('compares with the index under --staged and with a revision under --base', () => {
    const root = repoWith();
    writeFiles(root, { 'src/util.ts': files['src/util.ts'].replace('50', '60') });
    assert.equal(runJson(root, ['impact', '--staged']).report.features.length, 0);
    runCli(root, []);
    const { execFileSync } = require('node:child_process');
    execFileSync('git', ['commit', '-qam', 'edit'], { cwd: root });
    assert.equal(runJson(root, ['impact']).report.features.length, 0);
    const viaBase = runJson(root, ['impact', '--base', 'HEAD~1']).report;
    assert.equal(viaBase.base, 'HEAD~1');
    assert.deepEqual(viaBase.features.map((f: any) => f.name), ['recency_days']);
  });

  it('writes nothing to the working tree or the index', () => {
    const root = repoWith();
    writeFiles(root, { 'src/util.ts': files['src/util.ts'].replace('50', '60') });
    const before = treeFingerprint(root, (rel) => rel.startsWith('.git/featureguard'));
    runCli(root, ['impact']);
    runCli(root, ['impact', '--staged']);
    assert.deepEqual(treeFingerprint(root, (rel) => rel.startsWith('.git/featureguard')), before);
  });

  describe('reports every mistake in one line with exit code 2', () => {
    it('unknown snapshot', () => {
      const cfg = { ...config, features: { recency_days: { ...config.features.recency_days, snapshot: 'custs' } } };
      assertUsageError(repoWith(cfg), ['impact'], /^featureguard: featureguard\.json: features\.recency_days\.snapshot unknown snapshot "custs" \(known: customers\)$/);
    });
    it('bad source', () => {
      const cfg = { ...config, features: { recency_days: { source: 'src/activity.ts' } } };
      assertUsageError(repoWith(cfg), ['impact'], /features\.recency_days\.source "src\/activity\.ts" must be "path\/to\/file\.ts#exportedFunction"/);
    });
    it('source file that exists on neither side', () => {
      const cfg = { ...config, features: { recency_days: { source: 'src/nope.ts#f' } } };
      assertUsageError(repoWith(cfg), ['impact'], /features\.recency_days\.source: file not found: src\/nope\.ts/);
    });
    it('missing snapshot file', () => {
      const cfg = { ...config, snapshots: { customers: { path: 'data/missing.parquet' } } };
      assertUsageError(repoWith(cfg), ['impact'], /snapshots\.customers\.path file not found: data\/missing\.parquet/);
    });
    it('wrong type', () => {
      const cfg = { ...config, snapshots: { customers: { path: 'data/customers.csv', sampleRows: 'many' } } };
      assertUsageError(repoWith(cfg), ['impact'], /snapshots\.customers\.sampleRows must be a number, not the string "many"/);
    });
    it('invalid JSON, with line and column', () => {
      assertUsageError(repoWith('{\n  "features": {\n    "a": }\n}'), ['impact'], /^featureguard: featureguard\.json:3:10: invalid JSON \(ValueExpected\)$/);
    });
    it('empty config', () => {
      assertUsageError(repoWith(''), ['impact'], /featureguard\.json: the file is empty/);
    });
    it('unknown threshold check id', () => {
      assertUsageError(repoWith({ ...config, thresholds: { 'value.mismatchh': { error: 0.1 } } }), ['impact'], /thresholds\.value\.mismatchh unknown check id/);
    });
    it('a --config file that does not exist', () => {
      assertUsageError(repoWith(), ['impact', '--config', 'other.json'], /other\.json: config file not found/);
    });
    it('not a git repository', () => {
      const dir = tempDir();
      writeFileSync(join(dir, 'featureguard.json'), JSON.stringify(config));
      assertUsageError(dir, ['impact'], /is not inside a git repository/);
    });
    it('unknown revision', () => {
      assertUsageError(repoWith(), ['impact', '--base', 'no-such-branch'], /unknown revision "no-such-branch"/);
    });
    it('unknown command, flag, and conflicting flags', () => {
      const root = repoWith();
      assertUsageError(root, ['impakt'], /unknown command "impakt"/);
      assertUsageError(root, ['impact', '--frobnicate'], /Unknown option '--frobnicate'/);
      assertUsageError(root, ['impact', '--staged', '--base', 'HEAD'], /--staged and --base cannot be used together/);
      assertUsageError(root, ['impact', '--format', 'xml'], /--format xml is not supported/);
    });
  });

  it('warns about unknown keys on stderr and still runs', () => {
    const root = repoWith({ ...config, featurez: {} });
    const r = runCli(root, ['impact']);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /warning: featureguard\.json: featurez is not a known key \(ignored\)/);
  });

  it('prints the stack trace of a failure only with --debug', () => {
    const root = repoWith({ ...config, timeoutMs: -1 });
    assert.doesNotMatch(runCli(root, ['impact']).stderr, /\n\s+at /);
    assert.match(runCli(root, ['impact', '--debug']).stderr, /\n\s+at /);
  });
});

describe('featureguard impact (CLI): more config mistakes', function () {
  this.timeout(30000);
  after(removeTempDirs);

  it('refuses a feature defined twice, naming the key and where', () => {
    const text = `{\n  "features": {\n    "a": { "source": "src/activity.ts#recencyDays" },\n    "a": { "source": "src/util.ts#clip" }\n  }\n}`;
    const root = makeRepo({ ...files, 'featureguard.json': text });
    const r = runCli(root, ['impact']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^featureguard: featureguard\.json:4:5: features\.a is defined twice/);
  });

  it('warns about an @feature tag naming an unknown snapshot', () => {
    const root = makeRepo({ ...files, 'src/tagged.ts': '/** @feature t\n * @snapshot nope */\nexport const t = (r: { x: number }) => r.x;\n', 'featureguard.json': JSON.stringify(config) });
    const r = runCli(root, ['impact']);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /warning: src\/tagged\.ts: @feature t names unknown snapshot "nope"/);
  });
});
