/**
 * `featureguard install-hook` and the git pre-commit hook it writes, over real repositories: the
 * story's edit is refused and nothing changes; a refactor is committed; an existing hook survives.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, removeTempDirs, runCli, treeFingerprint, writeFiles } from '../helpers';
import { edit, repo } from '../e2e/featureRepo';

function commit(root: string, message: string) {
  const r = spawnSync('git', ['commit', '-m', message], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, output: r.stdout + r.stderr };
}

/** HEAD, the index's entries (git itself refreshes the index's cache-tree on commit) and the tree. */
const state = (root: string) => ({
  head: git(root, 'rev-parse', 'HEAD'),
  index: git(root, 'ls-files', '--stage'),
  staged: git(root, 'diff', '--cached', '--binary'),
  tree: [...treeFingerprint(root, (rel) => rel.startsWith('.git'))],
});

describe('install-hook and the git pre-commit hook', function () {
  this.timeout(60000);
  after(removeTempDirs);

  it('refuses the story\'s commit, leaving HEAD, index and tree unchanged, and lets a refactor through', () => {
    const root = repo();
    const install = runCli(root, ['install-hook']);
    assert.equal(install.code, 0, install.stderr);
    assert.match(install.stdout, /wrote .*\.git\/hooks\/pre-commit/);

    edit(root, 'return row.spend;', 'return (row.spend - 100) / 50;');
    git(root, 'add', 'src/features/customer.ts');
    const before = state(root);
    const refused = commit(root, 'normalize spend');
    assert.notEqual(refused.code, 0, refused.output);
    assert.match(refused.output, /error value\.mismatch: 100% of sampled rows/);
    assert.deepEqual(state(root), before);

    edit(root, 'return (row.spend - 100) / 50;', 'const { spend: value } = row;\n  return value;');
    git(root, 'add', 'src/features/customer.ts');
    const ok = commit(root, 'refactor spend');
    assert.equal(ok.code, 0, ok.output);
    assert.match(git(root, 'log', '-1', '--format=%s'), /refactor spend/);
  });

  it('checks what is staged, not what is in the working tree', () => {
    const root = repo();
    runCli(root, ['install-hook']);
    edit(root, 'return row.spend;', 'return (row.spend - 100) / 50;');
    git(root, 'add', 'src/features/customer.ts');
    edit(root, 'return (row.spend - 100) / 50;', 'return row.spend;'); // fixed in the tree, not staged
    assert.notEqual(commit(root, 'partially staged').code, 0);
  });

  it('never replaces an existing hook without --force, and says how to chain', () => {
    const root = repo();
    const hook = join(root, '.git/hooks/pre-commit');
    writeFiles(root, { '.git/hooks/pre-commit': '#!/bin/sh\necho my own hook\n' });
    chmodSync(hook, 0o755);
    const r = runCli(root, ['install-hook']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /already exists and is not FeatureGuard's; not replacing it\. Rerun with --force .* chain FeatureGuard by adding this line to it: .*check --staged \|\| exit 1/);
    assert.equal(readFileSync(hook, 'utf8'), '#!/bin/sh\necho my own hook\n');
    assert.equal(runCli(root, ['install-hook', '--force']).code, 0);
    assert.match(readFileSync(hook, 'utf8'), /Installed by `featureguard install-hook`/);
    assert.equal(runCli(root, ['install-hook']).code, 0, 'reinstalling over its own hook needs no --force');
  });

  it('respects core.hooksPath', () => {
    const root = repo();
    git(root, 'config', 'core.hooksPath', '.githooks');
    assert.equal(runCli(root, ['install-hook']).code, 0);
    assert.ok(existsSync(join(root, '.githooks/pre-commit')));
    assert.ok(!existsSync(join(root, '.git/hooks/pre-commit')));
  });
});
