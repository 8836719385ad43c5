/**
 * The real pre-commit framework (Debian's `pre-commit`) running hook id `featureguard` from this
 * repository with `try-repo`: it blocks a breaking staged change and passes a safe one, with
 * nothing downloaded. The hook runs the FeatureGuard that the checked repository uses; here that
 * is this checkout's built CLI, found on PATH.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, REPO_ROOT, git, removeTempDirs, tempDir, writeFiles } from '../helpers';
import { edit, repo } from '../e2e/featureRepo';

function preCommitAvailable(): void {
  const r = spawnSync('pre-commit', ['--version'], { encoding: 'utf8' });
  assert.equal(r.status, 0, 'pre-commit is not installed: run `apt-get install -y pre-commit` (.ci/run does)');
}

describe('pre-commit framework: hook id featureguard', function () {
  this.timeout(120000);
  after(removeTempDirs);

  function tryRepo(root: string) {
    const bin = tempDir('fg-bin-');
    writeFiles(bin, { featureguard: `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n` });
    chmodSync(join(bin, 'featureguard'), 0o755);
    const r = spawnSync('pre-commit', ['try-repo', REPO_ROOT, 'featureguard'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, PRE_COMMIT_HOME: tempDir('fg-pre-commit-'), PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1' },
    });
    return { code: r.status, output: r.stdout + r.stderr };
  }

  it('blocks a breaking staged change and passes a safe one', () => {
    preCommitAvailable();
    const root = repo();
    edit(root, 'return row.spend;', 'return (row.spend - 100) / 50;');
    git(root, 'add', 'src/features/customer.ts');
    const blocked = tryRepo(root);
    assert.equal(blocked.code, 1, blocked.output);
    assert.match(blocked.output, /FeatureGuard \(ML feature compatibility\)\.*Failed/);
    assert.match(blocked.output, /value\.mismatch/);

    edit(root, 'return (row.spend - 100) / 50;', 'const { spend: value } = row;\n  return value;');
    git(root, 'add', 'src/features/customer.ts');
    const passed = tryRepo(root);
    assert.equal(passed.code, 0, passed.output);
    assert.match(passed.output, /FeatureGuard \(ML feature compatibility\)\.*Passed/);
  });
});
