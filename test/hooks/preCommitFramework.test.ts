/**
 * The real pre-commit framework (Debian's `pre-commit` 3.0.4) installing hook id `featureguard`
 * itself (`language: node`) and running it in example repositories that have no node_modules:
 * the Python example (the repository the hook has to work in without any Node set-up) under
 * `pre-commit try-repo` and through a `.pre-commit-config.yaml` pinned by `rev`, and the
 * TypeScript example, whose story the framework-installed FeatureGuard blocks on data.
 *
 * The framework clones the hook repository at a rev, so the hook repository here is a fresh git
 * clone of REPO_ROOT at its HEAD: this test checks COMMITTED code — uncommitted changes to
 * .pre-commit-hooks.yaml, package.json, .npmrc or hooks/ are not in it.
 *
 * Each install runs `npm install` (this package's dependencies, from the npm registry), `npm pack`
 * and `npm install -g` of the tarball: 25-95 s here, depending on the machine's load. `try-repo`
 * always installs into a temporary store of its own, so it starts in `before` and installs while
 * the `rev:` cases run (they share one PRE_COMMIT_HOME and install once); its case comes last.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { CLI, REPO_ROOT, git, removeTempDirs, tempDir, writeFiles } from '../helpers';

/** What the hook says about a story: the exit code, pre-commit's verdict and a line of FeatureGuard's. */
type Expected = { code: 0 | 1; verdict: 'Passed' | 'Failed'; says: RegExp };

/** The Python example's story is blocked like the TypeScript one: its features ran in python3. */
const PYTHON_STORY: Expected = { code: 1, verdict: 'Failed', says: /error value\.mismatch: .*"spend_usd"/ };

const TS_STORY: Expected = { code: 1, verdict: 'Failed', says: /error value\.mismatch: .*"spend_usd"/ };

describe('pre-commit framework: hook id featureguard, installed by the framework', function () {
  this.timeout(600000);
  after(async () => {
    await tryRepo?.catch(() => undefined); // never remove the folders under a running try-repo
    removeTempDirs();
  });

  let hookRepo = '';
  let rev = '';
  let home = '';
  let env: NodeJS.ProcessEnv = {};
  let tryRepo: Promise<{ code: number | null; output: string }>;

  before(() => {
    const version = spawnSync('pre-commit', ['--version'], { encoding: 'utf8' });
    assert.equal(version.status, 0, 'pre-commit is not installed: run `apt-get install -y pre-commit` (.ci/run does)');
    rev = git(REPO_ROOT, 'rev-parse', 'HEAD').trim();
    hookRepo = join(tempDir('fg-hook-repo-'), 'featureguard');
    execFileSync('git', ['clone', '-q', '--no-local', REPO_ROOT, hookRepo]);
    git(hookRepo, 'checkout', '-q', '--detach', rev);
    const hooks = readFileSync(join(hookRepo, '.pre-commit-hooks.yaml'), 'utf8');
    assert.match(hooks, /language: node/, `HEAD (${rev}) has no language: node hook: this test checks committed code`);
    assert.ok(!existsSync(join(hookRepo, 'dist')), 'dist/ is committed: the framework must build it (prepare)');
    home = tempDir('fg-pre-commit-home-');
    env = frameworkEnv(home);
    const pyRoot = exampleWithStory('churn-py');
    tryRepo = runInBackground(pyRoot, 'pre-commit', ['try-repo', hookRepo, 'featureguard', '--verbose']);
  });

  function frameworkEnv(preCommitHome: string): NodeJS.ProcessEnv {
    // No other FeatureGuard anywhere: the hook can only run the one the framework installed.
    const path = (process.env.PATH ?? '').split(delimiter).filter((d) => d && !existsSync(join(d, 'featureguard'))).join(delimiter);
    const e: NodeJS.ProcessEnv = { ...process.env, PATH: path, PRE_COMMIT_HOME: preCommitHome, NO_COLOR: '1' };
    delete e.FEATUREGUARD_CLI;
    return e;
  }

  function run(cwd: string, cmd: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
    const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...env, ...extraEnv } });
    return { code: r.status, output: r.stdout + r.stderr };
  }

  function runInBackground(cwd: string, cmd: string, args: string[]): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { cwd, env });
      let output = '';
      child.stdout.on('data', (d) => { output += d; });
      child.stderr.on('data', (d) => { output += d; });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, output }));
    });
  }

  /** A copy of one of this repository's examples in a new git repository, with its story staged. */
  function exampleWithStory(example: 'churn' | 'churn-py', preCommitConfig?: string): string {
    const root = tempDir(`fg-${example}-`);
    cpSync(join(hookRepo, 'examples', example), root, { recursive: true });
    if (preCommitConfig) writeFiles(root, { '.pre-commit-config.yaml': preCommitConfig });
    git(root, 'init', '-q', '-b', 'main');
    git(root, 'config', 'user.email', 'test@example.com');
    git(root, 'config', 'user.name', 'FeatureGuard Test');
    git(root, 'config', 'commit.gpgsign', 'false');
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '--no-verify', '-m', 'base');
    git(root, 'apply', 'story.patch');
    git(root, 'add', '-A');
    assert.ok(!existsSync(join(root, 'node_modules')));
    return root;
  }

  /** `.pre-commit-config.yaml` pinning hook id featureguard of the hook repository by `rev`. */
  const pinnedConfig = () =>
    `repos:\n  - repo: ${hookRepo}\n    rev: ${rev}\n    hooks:\n      - id: featureguard\n        verbose: true\n`;

  function assertRan(output: string, expected: Expected) {
    assert.doesNotMatch(output, /not installed here/, output);
    assert.match(output, new RegExp(`FeatureGuard \\(ML feature compatibility\\)\\.+${expected.verdict}`), output);
    assert.match(output, /FeatureGuard check: HEAD → staged changes/, output);
    assert.match(output, expected.says, output);
  }

  /** `git commit` through the hook `pre-commit install` wrote; HEAD moves only when it passes. */
  function commitStory(root: string, expected: Expected) {
    const head = git(root, 'rev-parse', 'HEAD');
    const r = run(root, 'git', ['commit', '-m', 'story']);
    assert.equal(r.code, expected.code, r.output);
    assertRan(r.output, expected);
    if (expected.code === 0) assert.notEqual(git(root, 'rev-parse', 'HEAD'), head);
    else assert.equal(git(root, 'rev-parse', 'HEAD'), head);
    return r;
  }

  it('rev: `pre-commit install` then `git commit` of the Python story runs the FeatureGuard the framework installed', () => {
    const root = exampleWithStory('churn-py', pinnedConfig());
    assert.equal(run(root, 'pre-commit', ['install']).code, 0);
    const r = commitStory(root, PYTHON_STORY);
    assert.match(r.output, /Installing environment for/, r.output);
    // The machine's node (`system`, nothing downloaded) and FeatureGuard installed into that env.
    const installed = readdirSync(home)
      .filter((d) => d.startsWith('repo'))
      .map((d) => join(home, d, 'node_env-system', 'lib', 'node_modules', 'featureguard', 'dist', 'cli.js'))
      .filter((p) => existsSync(p));
    assert.equal(installed.length, 1, readdirSync(home).join(', '));
  });

  it('rev: the TypeScript story is blocked on data by the framework-installed FeatureGuard', () => {
    const root = exampleWithStory('churn', pinnedConfig());
    assert.equal(run(root, 'pre-commit', ['install']).code, 0);
    const r = commitStory(root, TS_STORY);
    assert.doesNotMatch(r.output, /Installing environment for/, 'the environment of the previous case is reused');
  });

  it('prefers the repository\'s own node_modules/.bin/featureguard, then one on PATH', () => {
    const root = exampleWithStory('churn', pinnedConfig());
    assert.equal(run(root, 'pre-commit', ['install']).code, 0);
    const shim = (marker: string) => `#!/bin/sh\necho "${marker}" >&2\nexec "${process.execPath}" "${CLI}" "$@"\n`;
    writeFiles(root, { 'node_modules/.bin/featureguard': shim('ran the repository\'s own featureguard') });
    chmodSync(join(root, 'node_modules/.bin/featureguard'), 0o755);
    const bin = tempDir('fg-bin-');
    writeFileSync(join(bin, 'featureguard'), shim('ran featureguard from PATH'));
    chmodSync(join(bin, 'featureguard'), 0o755);
    const withPath = { PATH: `${bin}${delimiter}${env.PATH}` };

    const own = run(root, 'git', ['commit', '-m', 'story'], withPath);
    assert.equal(own.code, 1, own.output);
    assert.match(own.output, /ran the repository's own featureguard/);
    assertRan(own.output, TS_STORY);

    rmSync(join(root, 'node_modules'), { recursive: true });
    const onPath = run(root, 'git', ['commit', '-m', 'story'], withPath);
    assert.equal(onPath.code, 1, onPath.output);
    assert.match(onPath.output, /ran featureguard from PATH/);
    assertRan(onPath.output, TS_STORY);
  });

  it('try-repo: installs FeatureGuard and runs it on the Python story', async () => {
    const r = await tryRepo;
    assert.match(r.output, /Installing environment for/, r.output);
    assert.equal(r.code, PYTHON_STORY.code, r.output);
    assertRan(r.output, PYTHON_STORY);
  });
});
