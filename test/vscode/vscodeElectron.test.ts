/**
 * The same extension-host suite in desktop VS Code through @vscode/test-electron, on machines that
 * can download VS Code. Here (no internet but the npm registry and Debian's packages) it cannot, so
 * the test says why and is marked pending; the code-server tests in vscode.test.ts run the suite in
 * a real VS Code instead. Any other problem is a failure, never a skip.
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers';
import { buildSuite, makeStoryWorkspace, SUITE_MODE_ENV } from './harness';
import { ensureVsix, makeRunDirs, unpackVsix, writeUserSettings } from './runCodeServer';

const VSCODE_UPDATE_URL = 'https://update.code.visualstudio.com/api/releases/stable';

/** Whether VS Code's download server answers within `timeoutMs` (any HTTP status counts). */
function canReach(url: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'HEAD', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** A display for Electron on Linux: $DISPLAY, or an Xvfb of our own. */
async function display(): Promise<{ env: Record<string, string>; stop: () => void }> {
  if (process.platform !== 'linux' || process.env.DISPLAY) return { env: {}, stop: () => undefined };
  const xvfb = ['/usr/bin/Xvfb', '/usr/local/bin/Xvfb'].find(existsSync);
  if (!xvfb) throw new Error('desktop VS Code needs a display: no $DISPLAY and no Xvfb (apt-get install -y xvfb)');
  const n = 90 + Math.floor(Math.random() * 400);
  const child: ChildProcess = spawn(xvfb, [`:${n}`, '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { detached: true, stdio: 'ignore' });
  const lock = `/tmp/.X${n}-lock`;
  const deadline = Date.now() + 10_000;
  while (!existsSync(lock) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  if (!existsSync(lock)) throw new Error(`Xvfb :${n} did not start`);
  return {
    env: { DISPLAY: `:${n}` },
    stop: () => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* gone */
      }
    },
  };
}

describe('VS Code (desktop, @vscode/test-electron): the extension-host suite', function () {
  this.timeout(600_000);

  it('runs the trusted suite in a downloaded VS Code', async function () {
    if (!(await canReach(VSCODE_UPDATE_URL, 3000))) {
      process.stdout.write('      skipped: @vscode/test-electron needs to download VS Code, which this machine cannot reach — the code-server tests above run the same suite in a real VS Code\n');
      this.skip();
    }
    const { runTests } = await import('@vscode/test-electron');
    const vsix = ensureVsix();
    const dirs = makeRunDirs('fg-vscode-electron-');
    const screen = await display();
    try {
      const ws = makeStoryWorkspace(dirs.root);
      const extension = unpackVsix(dirs, vsix);
      const suite = await buildSuite(join(dirs.root, 'suite', 'extensionTests.js'));
      writeUserSettings(dirs);
      const code = await runTests({
        cachePath: join(REPO_ROOT, '.vscode-test'),
        extensionDevelopmentPath: extension,
        extensionTestsPath: suite,
        extensionTestsEnv: { ...screen.env, [SUITE_MODE_ENV]: 'trusted', HOME: dirs.env.HOME, TMPDIR: dirs.env.TMPDIR, XDG_CONFIG_HOME: dirs.env.XDG_CONFIG_HOME },
        launchArgs: [ws, `--user-data-dir=${dirs.userData}`, `--extensions-dir=${dirs.extensions}`, '--disable-gpu'],
      });
      assert.equal(code, 0, 'the extension-host suite passes in desktop VS Code');
    } finally {
      screen.stop();
      rmSync(dirs.root, { recursive: true, force: true });
    }
  });
});
