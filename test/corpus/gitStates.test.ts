/**
 * Bad-input corpus, git states: FeatureGuard runs (or says clearly why not) in every state a
 * repository can be in, and never changes it.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { git, removeTempDirs, runCli, runJson, tempDir, treeFingerprint, writeFiles } from '../helpers';
import { edit, repo } from '../e2e/featureRepo';

const story = (root: string) => edit(root, 'return row.spend;', 'return (row.spend - 100) / 50;');
const affected = (root: string, ...args: string[]) => runJson(root, ['check', ...args]).report.features.map((f: any) => `${f.name}:${f.verdict}`);
const findingLines = (findings: any[]) => findings.map((f: any) => `${f.check}:${f.severity} ${f.location.file}:${f.location.line}:${f.location.column} ${f.message}`);
/** The story's findings on spend, as every state below must report them. */
const STORY_CHECKS = ['value.mismatch:error', 'drift.distribution:error'];
const storyChecks = (report: any) => report.features.find((f: any) => f.name === 'spend').findings.map((f: any) => `${f.check}:${f.severity}`);

describe('corpus: git states', function () {
  this.timeout(60000);
  after(removeTempDirs);

  it('detached HEAD', () => {
    const root = repo();
    git(root, 'checkout', '-q', '--detach');
    story(root);
    const r = runJson(root, ['check']);
    assert.deepEqual(r.report.features.map((f: any) => `${f.name}:${f.verdict}`), ['spend:changed']);
    assert.deepEqual(storyChecks(r.report), STORY_CHECKS);
  });

  it('not a git repository', () => {
    const dir = tempDir();
    writeFiles(dir, { 'featureguard.json': '{}' });
    const r = runCli(dir, ['check']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `featureguard: ${dir} is not inside a git repository (FeatureGuard compares against git history)\n`);
  });

  it('run from a subfolder of the repository', () => {
    const root = repo();
    story(root);
    const r = runJson(join(root, 'src', 'features'), ['check']);
    assert.deepEqual(r.report.features.map((f: any) => `${f.name}:${f.verdict}`), ['spend:changed']);
    assert.deepEqual(storyChecks(r.report), STORY_CHECKS);
  });

  it('a linked worktree (.git is a file): checked, with the cache in the common git directory', () => {
    const root = repo();
    const linked = join(tempDir(), 'linked');
    git(root, 'worktree', 'add', '-q', linked);
    story(linked);
    const r = runJson(linked, ['check']);
    assert.deepEqual(r.report.features.map((f: any) => `${f.name}:${f.verdict}`), ['spend:changed']);
    assert.deepEqual(storyChecks(r.report), STORY_CHECKS);
    assert.ok(existsSync(join(root, '.git', 'featureguard')), 'the summary cache lives in the main repository\'s git directory');
  });

  it('an orphan branch (HEAD names no commit, history exists elsewhere): every feature is new', () => {
    const root = repo();
    git(root, 'checkout', '-q', '--orphan', 'fresh');
    assert.deepEqual(affected(root), ['recency:new', 'spend:new', 'tier:new', 'tickets:new', 'age_years:new']);
  });

  it('a rebase stopped for editing: HEAD is the commit being edited', () => {
    const root = repo();
    edit(root, 'return row.spend;', 'return row.spend + 0;');
    git(root, 'commit', '-qam', 'second');
    edit(root, 'return row.spend + 0;', 'return row.spend + 1;');
    git(root, 'commit', '-qam', 'third');
    execFileSync('git', ['rebase', '-q', '-i', 'HEAD~2'], { cwd: root, stdio: 'ignore', env: { ...process.env, GIT_SEQUENCE_EDITOR: 'sed -i 1s/^pick/edit/' } });
    assert.ok(existsSync(join(root, '.git', 'rebase-merge')), 'the rebase is in progress');
    edit(root, 'return row.spend + 0;', 'return (row.spend - 100) / 50;');
    const r = runJson(root, ['check']);
    assert.deepEqual(r.report.features.map((f: any) => `${f.name}:${f.verdict}`), ['spend:changed']);
    assert.deepEqual(storyChecks(r.report), STORY_CHECKS);
  });

  it('an index lock held by another git process does not stop a read-only check', () => {
    const root = repo();
    writeFiles(root, { '.git/index.lock': '' });
    story(root);
    assert.deepEqual(affected(root), ['spend:changed']);
    assert.deepEqual(affected(root, '--staged'), []);
  });

  it('a tracked file touched but unchanged (stale index timestamps): the index is not rewritten', () => {
    const root = repo();
    story(root);
    const past = new Date('2001-02-03T04:05:06Z');
    utimesSync(join(root, 'src/features/util.ts'), past, past);
    const index = readFileSync(join(root, '.git', 'index'));
    const r = runJson(root, ['check']);
    assert.deepEqual(r.report.changes.map((c: any) => c.file), ['src/features/customer.ts'], 'the touched file is no change');
    assert.deepEqual(r.report.features.map((f: any) => `${f.name}:${f.verdict}`), ['spend:changed']);
    runCli(root, ['impact']);
    assert.ok(readFileSync(join(root, '.git', 'index')).equals(index), '.git/index was rewritten');
  });

  it('a merge in progress with a conflict in feature code: code.syntax at the first marker, and --staged reads "ours"', () => {
    const root = repo();
    git(root, 'checkout', '-q', '-b', 'other');
    edit(root, 'return row.spend;', 'return row.spend * 2;');
    git(root, 'commit', '-qam', 'other');
    git(root, 'checkout', '-q', 'main');
    edit(root, 'return row.spend;', 'return row.spend * 3;');
    git(root, 'commit', '-qam', 'main');
    try {
      git(root, 'merge', 'other');
    } catch {
      // the conflict is the point
    }
    const r = runJson(root, ['check']);
    assert.equal(r.code, 1);
    // TypeScript reads the first side of the markers, which is HEAD's: no feature changed.
    assert.deepEqual(findingLines(r.report.findings), ['code.syntax:error src/features/customer.ts:4:1 src/features/customer.ts does not parse: Merge conflict marker encountered. (and 2 more)']);
    assert.deepEqual(r.report.features, []);
    // The index of a conflicted merge is read at stage 2 (ours), which is HEAD: nothing to check.
    const staged = runJson(root, ['check', '--staged']);
    assert.equal(staged.code, 0);
    assert.deepEqual([staged.report.features, staged.report.findings], [[], []]);
  });

  it('a shallow clone', () => {
    const root = repo();
    edit(root, 'return row.spend;', 'return row.spend + 0;');
    git(root, 'commit', '-qam', 'second');
    const clone = join(tempDir(), 'clone');
    execFileSync('git', ['clone', '-q', '--depth', '1', `file://${root}`, clone]);
    edit(clone, 'return row.spend + 0;', 'return (row.spend - 100) / 50;');
    assert.deepEqual(affected(clone), ['spend:changed']);
    const r = runCli(clone, ['check', '--base', 'HEAD~1']);
    assert.equal(r.code, 2, 'the parent of a depth-1 clone is not there');
    assert.equal(r.stderr, 'featureguard: unknown revision "HEAD~1" (--base expects a commit, branch or tag)\n');
  });

  it('renamed and deleted files', () => {
    const root = repo();
    git(root, 'mv', 'src/features/util.ts', 'src/features/helpers.ts');
    edit(root, "from './util'", "from './helpers'");
    assert.deepEqual(affected(root), [], 'a rename with imports updated changes no feature');
    git(root, 'rm', '-qf', 'src/features/customer.ts');
    const r = runJson(root, ['check']);
    assert.equal(r.code, 1);
    assert.deepEqual(r.report.features.map((f: any) => `${f.name}:${f.verdict} ${findingLines(f.findings).join()}`), ['recency', 'spend', 'tier', 'tickets', 'age_years'].map((name) =>
      `${name}:broken source.missing:error src/features/customer.ts:1:1 feature "${name}": src/features/customer.ts no longer exists`));
  });

  it('a submodule is not read as a file', () => {
    const sub = repo();
    const root = repo();
    execFileSync('git', ['-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', `file://${sub}`, 'vendor/sub'], { cwd: root, stdio: 'ignore' });
    git(root, 'commit', '-qm', 'submodule');
    story(root);
    assert.deepEqual(affected(root), ['spend:changed']);
    assert.deepEqual(affected(root, '--staged'), []);
  });

  it('no commits yet: every feature is new, and a staged-only repository works too', () => {
    const root = repo();
    execFileSync('rm', ['-rf', join(root, '.git')]);
    git(root, 'init', '-q');
    assert.deepEqual(affected(root).sort(), ['age_years:new', 'recency:new', 'spend:new', 'tickets:new', 'tier:new']);
    git(root, 'add', '-A');
    assert.equal(affected(root, '--staged').length, 5);
  });

  it('every read-only command leaves the working tree, the index and the snapshot byte-identical', () => {
    const root = repo();
    story(root);
    git(root, 'add', '-A');
    writeFiles(root, { 'src/features/extra.ts': 'export const x = 1;\n' });
    const past = new Date('2001-02-03T04:05:06Z');
    utimesSync(join(root, 'src/features/util.ts'), past, past); // touched, unchanged: stale index timestamps
    const skip = (rel: string) => rel.startsWith('.git/featureguard');
    const before = treeFingerprint(root, skip);
    const commands = [
      ['check'], ['check', '--staged'], ['check', '--base', 'HEAD'], ['check', '--no-data'],
      ...['json', 'sarif', 'junit', 'html'].map((format) => ['check', '--format', format]),
      ['impact'], ['impact', '--staged'], ['impact', '--format', 'json'], ['impact', '--base', 'main'],
    ];
    for (const args of commands) assert.notEqual(runCli(root, args).code, 2, args.join(' '));
    const after = treeFingerprint(root, skip);
    assert.deepEqual([...after.keys()].filter((k) => before.get(k) !== after.get(k)), [], 'files changed');
    assert.deepEqual(after, before);
  });
});
