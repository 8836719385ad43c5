// The demo: the story FeatureGuard exists for, on the bundled example workspace.
// Copies examples/churn (or, with --python, examples/churn-py: the same features in Python, run in
// the python3 on PATH or FEATUREGUARD_PYTHON) into a temporary git repository (the code as
// deployed, with its feature-store snapshot), applies the story's edit — a raw column gets
// normalized — and runs `featureguard check` on it. Exits 0 when FeatureGuard catches the edit,
// 1 when it does not.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const python = process.argv.includes('--python');
const example = join(root, 'examples', python ? 'churn-py' : 'churn');
const cli = join(root, 'dist', 'cli.js');
const work = mkdtempSync(join(tmpdir(), 'featureguard-demo-'));
const git = (...args) => execFileSync('git', args, { cwd: work, encoding: 'utf8' });
const bold = process.stdout.isTTY && !process.env.NO_COLOR ? (s) => `\x1b[1m${s}\x1b[22m` : (s) => s;
const say = (text) => process.stdout.write(`\n${bold('== ' + text)}\n`);

try {
  cpSync(example, work, { recursive: true, filter: (src) => !src.endsWith('story.patch') });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.name=Demo', '-c', 'user.email=demo@example.com', '-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'Churn features as deployed');
  say(`A feature repository at ${work}: customer-churn features${python ? ' in Python' : ''}, and a feature-store snapshot they produced`);

  git('apply', join(example, 'story.patch'));
  say(`The story: ${python ? 'monthly_spend' : 'monthlySpend'} used to return raw dollars; an engineer normalizes it`);
  process.stdout.write(git('diff', '--color=' + (process.stdout.isTTY ? 'always' : 'never')));

  say('featureguard check');
  const run = spawnSync(process.execPath, [cli, 'check'], { cwd: work, stdio: 'inherit' });
  if (run.status === 1) {
    say(`Caught: the edit breaks compatibility with the stored history${python ? '' : ', and churn_model_v3, fed the new values, sees every customer as a near-zero spender'} (exit code 1). A pre-commit hook would block this commit.`);
    process.exitCode = 0;
  } else {
    say(`Not caught: featureguard exited with ${run.status}`);
    process.exitCode = 1;
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
