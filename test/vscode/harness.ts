/**
 * What the real-VS-Code tests share: the example workspace as a git repository, the extension-host
 * suite bundled by its own esbuild call, and one run of that suite inside code-server's extension
 * host (exit code through `codeAutomationExit`, output through the page console).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { REPO_ROOT } from '../helpers';
import { ensureVsix, makeRunDirs, startCodeServer, unpackVsix, writeUserSettings } from './runCodeServer';

export const EXAMPLE = join(REPO_ROOT, 'examples', 'churn');
/** The same story with its features written in Python (a package under src/churn_features/). */
export const EXAMPLE_PY = join(REPO_ROOT, 'examples', 'churn-py');
export const SUITE_SOURCE = join(REPO_ROOT, 'test', 'vscode', 'suite', 'extensionTests.ts');
export const SCREENSHOT = join(REPO_ROOT, 'test-output', 'vscode-story.png');
export const README_SCREENSHOT = join(REPO_ROOT, 'media', 'screenshot-vscode.png');

/**
 * Which suite runs: `trusted` (the full story), `restricted` (workspace trust on, not granted), or
 * `python` (the story on examples/churn-py: impact, data checks in Python and syntax errors for a `.py` buffer).
 */
export type SuiteMode = 'trusted' | 'restricted' | 'python';
export const SUITE_MODE_ENV = 'FEATUREGUARD_VSCODE_SUITE';
/** For the python suite: a file holding customer.py with story.patch applied, to compare the edited buffer with. */
export const STORY_TARGET_ENV = 'FEATUREGUARD_VSCODE_STORY_TARGET';

/** The example a suite mode runs on. */
export function exampleFor(mode: SuiteMode): string {
  return mode === 'python' ? EXAMPLE_PY : EXAMPLE;
}

/**
 * An example (`examples/churn` by default) as `npm run demo` sets it up: a git repository with the
 * code as deployed and its snapshot in one commit (the story's patch left out), at
 * `<parent>/<the example's folder name>`.
 */
export function makeStoryWorkspace(parent: string, example: string = EXAMPLE): string {
  const ws = join(parent, basename(example));
  mkdirSync(ws, { recursive: true });
  cpSync(example, ws, { recursive: true, filter: (src) => !src.endsWith('story.patch') });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ws, stdio: ['ignore', 'pipe', 'pipe'] });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.name=FeatureGuard Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', 'commit', '-q', '--no-verify', '-m', 'Churn features as deployed');
  return ws;
}

/**
 * The example's files with its `story.patch` applied by `git apply`, at `<parent>/<name>-story`
 * (outside the workspace, no repository): what the story's edit makes of the code.
 */
export function applyStoryPatch(parent: string, example: string): string {
  const dir = join(parent, `${basename(example)}-story`);
  mkdirSync(dir, { recursive: true });
  cpSync(example, dir, { recursive: true, filter: (src) => !src.endsWith('story.patch') && !src.endsWith('.parquet') });
  execFileSync('git', ['apply', join(example, 'story.patch')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  return dir;
}

/** Bundles the extension-host suite (mocha and jsonc-parser inside, `vscode` external) to `outFile`. */
export async function buildSuite(outFile: string): Promise<string> {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [SUITE_SOURCE],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    // jsonc-parser's UMD entry requires files by computed names; its ESM entry bundles cleanly.
    mainFields: ['module', 'main'],
    sourcemap: 'inline',
    logLevel: 'error',
  });
  return outFile;
}

export interface SuiteRun {
  exitCode: number;
  /** The page console: workbench messages and the extension host's output (mocha's reporter). */
  console: string[];
  /** `FG-TIMING name ms` lines the suite printed. */
  timings: Record<string, number>;
  serverLog: string;
  wallMs: number;
}

/** Strips the workbench's `%c` styling from a forwarded extension-host console line. */
export function plain(text: string): string {
  return text.replace(/%c/g, '').replace(/\s*color:\s*[^;]*;?/g, '').replace(/\s*font-weight:\s*[^;]*;?/g, '').trimEnd();
}

/**
 * Runs the extension-host suite in code-server: the packaged extension (the VSIX's `extension/`
 * folder) as `extensionDevelopmentPath`, the bundled suite as `extensionTestsPath`.
 */
export async function runExtensionSuite(mode: SuiteMode, options: { timeoutMs?: number; echo?: boolean } = {}): Promise<SuiteRun> {
  const started = Date.now();
  const vsix = ensureVsix();
  const dirs = makeRunDirs(`fg-vscode-${mode}-`);
  try {
    const ws = makeStoryWorkspace(dirs.root, exampleFor(mode));
    const env: Record<string, string> = { [SUITE_MODE_ENV]: mode };
    if (mode === 'python') {
      env[STORY_TARGET_ENV] = join(applyStoryPatch(dirs.root, EXAMPLE_PY), 'src', 'churn_features', 'customer.py');
      // The language server runs the Python features in Debian's python3 (SPEC §9: FEATUREGUARD_PYTHON),
      // whatever python3 the run's PATH would find with its HOME replaced.
      env.FEATUREGUARD_PYTHON = '/usr/bin/python3';
    }
    const extension = unpackVsix(dirs, vsix);
    const suite = await buildSuite(join(dirs.root, 'suite', 'extensionTests.js'));
    writeUserSettings(dirs);
    const echo = options.echo ?? true;
    const run = await startCodeServer(dirs, {
      workspaceTrust: mode === 'restricted',
      env,
      echoConsole: (t) => echo && /FG-|✔|✓|passing|failing|pending|^\s*\d+\)|Error|AssertionError|extension tests/i.test(plain(t)) && !/vsda|open-vsx|telemetry/i.test(t),
    });
    try {
      let resolveExit!: (code: number) => void;
      const exited = new Promise<number>((resolve) => (resolveExit = resolve));
      await run.page.exposeFunction('codeAutomationExit', (code: number) => {
        resolveExit(code);
      });
      await run.page.goto(
        run.workbenchUrl(ws, [
          ['extensionDevelopmentPath', run.remoteUri(extension)],
          ['extensionTestsPath', run.remoteUri(suite)],
        ]),
      );
      const timeoutMs = options.timeoutMs ?? 180_000;
      let timer: NodeJS.Timeout | undefined;
      const exitCode = await Promise.race([
        exited,
        new Promise<number>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`the extension-host suite (${mode}) did not exit within ${timeoutMs} ms; last console lines:\n${run.console.slice(-40).map(plain).join('\n')}\n--- code-server:\n${run.serverLog().slice(-4000)}`)), timeoutMs);
        }),
      ]).finally(() => clearTimeout(timer));
      // The whole console, for reading a failure after the fact (test-output/ is ignored by git).
      mkdirSync(dirname(SCREENSHOT), { recursive: true });
      writeFileSync(join(dirname(SCREENSHOT), `vscode-suite-${mode}.log`), run.console.map(plain).join('\n') + '\n--- code-server\n' + run.serverLog());
      const timings: Record<string, number> = {};
      for (const line of run.console) {
        const m = /FG-TIMING (\S+) (\d+(?:\.\d+)?) ms/.exec(line);
        if (m) timings[m[1]] = Number(m[2]);
      }
      return { exitCode, console: [...run.console], timings, serverLog: run.serverLog(), wallMs: Date.now() - started };
    } finally {
      await run.close();
    }
  } finally {
    // FEATUREGUARD_VSCODE_KEEP=1 keeps the run's folders (workspace, user data with its logs).
    if (process.env.FEATUREGUARD_VSCODE_KEEP !== '1') rmSync(dirs.root, { recursive: true, force: true });
    else process.stdout.write(`      kept ${dirs.root}\n`);
  }
}
