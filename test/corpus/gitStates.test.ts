/**
 * Bad-input corpus, git states: FeatureGuard runs (or says clearly why not) in every state a
 * repository can be in, and never changes it.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { git, removeTempDirs, runCli, runJson, tempDir, treeFingerprint, writeFiles } from '../helpers';
import { edit, repo } from '../e2e/featureRepo';

const story = (root: string) => edit(root, 'return row.spend;', 'return (row.spend - 100) / 50;');
const affected = (root: string, ...args: string[]) => runJson(root, ['check', ...args]).report.features.map((f: any) => `${f.name}:${f.verdict}`);

describe('corpus: git states', function () {
  this.timeout(60000);
  after(removeTempDirs);

  it('detached HEAD', () => {
    const root = repo();
    git(root, 'checkout', '-q', '--detach');
    story(root);
    assert.deepEqual(affected(root), ['spend:changed']);
  });

  it('a merge in progress with a conflict in feature code: the conflicted file is code.syntax, the rest is checked', () => {
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
    const syntax = r.report.findings.find((f: any) => f.check === 'code.syntax');
    assert.ok(syntax, 'conflict markers do not parse');
    assert.equal(syntax.location.file, 'src/features/customer.ts');
    const staged = runJson(root, ['check', '--staged']);
    assert.ok(staged.code === 0 || staged.code === 1, 'the index of a conflicted merge is read (stage 2, ours)');
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
    assert.match(r.stderr, /unknown revision "HEAD~1"/);
  });

  it('renamed and deleted files', () => {
    const root = repo();
    git(root, 'mv', 'src/features/util.ts', 'src/features/helpers.ts');
    edit(root, "from './util'", "from './helpers'");
    assert.deepEqual(affected(root), [], 'a rename with imports updated changes no feature');
    git(root, 'rm', '-qf', 'src/features/customer.ts');
    const r = runJson(root, ['check']);
    assert.equal(r.code, 1);
    assert.ok(r.report.features.every((f: any) => f.verdict === 'broken' && f.findings[0].check === 'source.missing'));
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

  it('leaves the repository byte-identical in every state above', () => {
    const root = repo();
    story(root);
    git(root, 'add', '-A');
    writeFiles(root, { 'src/features/extra.ts': 'export const x = 1;\n' });
    const before = treeFingerprint(root, (rel) => rel.startsWith('.git/featureguard'));
    for (const args of [['check'], ['check', '--staged'], ['impact'], ['check', '--format', 'sarif'], ['check', '--no-data']]) runCli(root, args);
    assert.deepEqual(treeFingerprint(root, (rel) => rel.startsWith('.git/featureguard')), before);
  });
});
