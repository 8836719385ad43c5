/**
 * A real VS Code for the tests: code-server 4.100.3 (VS Code 1.100.3, installed by
 * `.ci/install-vscode-test.sh` into `.vscode-test/code-server`) driven by Debian's Chromium through
 * playwright-core. Each run gets fresh folders (HOME, XDG_*, TMPDIR, user data, extensions), a
 * free port on 127.0.0.1 and its own process group, and is torn down completely by `close()`.
 * See shared/TESTING-WITH-REAL-CLIENTS.md, "A real VS Code: code-server + headless Chromium".
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { REPO_ROOT } from '../helpers';

export const INSTALL_SCRIPT = '.ci/install-vscode-test.sh';
export const CODE_SERVER_ENTRY = join(REPO_ROOT, '.vscode-test', 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const CHROMIUM = '/usr/bin/chromium';
export const VSIX = join(REPO_ROOT, 'featureguard.vsix');
export const EXTENSION_ID = 'featureguard.featureguard';

/** Fails (never skips) when code-server or Chromium is missing, naming the script that installs them. */
export function requireInstalled(): void {
  const missing: string[] = [];
  if (!existsSync(CODE_SERVER_ENTRY)) missing.push(`code-server (${CODE_SERVER_ENTRY})`);
  if (!existsSync(CHROMIUM)) missing.push(`Chromium (${CHROMIUM})`);
  let playwright = true;
  try {
    require.resolve('playwright-core');
  } catch {
    playwright = false;
  }
  if (!playwright) missing.push('playwright-core (npm ci)');
  if (missing.length) throw new Error(`the real-VS-Code tests need ${missing.join(', ')}: run \`bash ${INSTALL_SCRIPT}\` (as root) first`);
}

/** The newest modification time of the files under `dir` (0 when it does not exist). */
function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    newest = Math.max(newest, s.isDirectory() ? newestMtime(p) : s.mtimeMs);
  }
  return newest;
}

/**
 * This platform's VSIX of `npm run package:all` (vsix/featureguard-<platform>-<arch>.vsix) when it
 * is at least as new as dist/, else `featureguard.vsix`, rebuilt with `npm run package` when missing
 * or older than anything in dist/. `FEATUREGUARD_TEST_VSIX=/path/x.vsix` tests that VSIX instead
 * (e.g. one built from a patched tree).
 */
export function ensureVsix(): string {
  const override = process.env.FEATUREGUARD_TEST_VSIX;
  if (override) {
    if (!existsSync(override)) throw new Error(`FEATUREGUARD_TEST_VSIX=${override} does not exist`);
    return override;
  }
  const distFiles = ['extension.js', 'server.js', 'cli.js', 'typescript.js'].map((f) => join(REPO_ROOT, 'dist', f));
  const distNewest = Math.max(0, ...distFiles.filter(existsSync).map((f) => statSync(f).mtimeMs), newestMtime(join(REPO_ROOT, 'dist', 'node_modules')));
  const platformVsix = join(REPO_ROOT, 'vsix', `featureguard-${process.platform}-${process.arch}.vsix`);
  if (existsSync(platformVsix) && statSync(platformVsix).mtimeMs >= distNewest && distFiles.every(existsSync)) return platformVsix;
  if (existsSync(VSIX) && statSync(VSIX).mtimeMs >= distNewest && distFiles.every(existsSync)) return VSIX;
  const r = spawnSync('npm', ['run', 'package'], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, npm_config_yes: 'true' } });
  if (r.status !== 0 || !existsSync(VSIX)) throw new Error(`npm run package failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return VSIX;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Fresh folders for one run, and the environment that points code-server and Chromium at them. */
export interface RunDirs {
  root: string;
  userData: string;
  extensions: string;
  chromeProfile: string;
  env: NodeJS.ProcessEnv;
}

export function makeRunDirs(prefix = 'fg-vscode-'): RunDirs {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const d = (name: string) => {
    const p = join(root, name);
    mkdirSync(p, { recursive: true });
    return p;
  };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: d('home'),
    XDG_CONFIG_HOME: d('xdg/config'),
    XDG_DATA_HOME: d('xdg/data'),
    XDG_CACHE_HOME: d('xdg/cache'),
    XDG_RUNTIME_DIR: d('xdg/runtime'),
    TMPDIR: d('tmp'),
  };
  // Never hand the test runner's own tooling variables to VS Code's extension host.
  for (const k of Object.keys(env)) if (k.startsWith('VSCODE_') || k.startsWith('ELECTRON_')) delete env[k];
  const userData = d('user-data');
  mkdirSync(join(userData, 'User'), { recursive: true });
  return { root, userData, extensions: d('extensions'), chromeProfile: d('chrome-profile'), env };
}

/** The quiet defaults of every run, plus `extra`. */
export function writeUserSettings(dirs: RunDirs, extra: Record<string, unknown> = {}): void {
  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'extensions.ignoreRecommendations': true,
    'security.workspace.trust.startupPrompt': 'never',
    // VS Code for the web (code-server) saves after a delay by default; desktop VS Code does not.
    // The tests are about unsaved buffers, so: desktop's default.
    'files.autoSave': 'off',
    ...extra,
  };
  writeFileSync(join(dirs.userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
}

/** Runs code-server's CLI once (e.g. `--install-extension`), in the run's environment. */
function codeServerCli(dirs: RunDirs, args: string[], extensionsDir = dirs.extensions): string {
  const r = spawnSync(process.execPath, [CODE_SERVER_ENTRY, '--user-data-dir', dirs.userData, '--extensions-dir', extensionsDir, ...args], {
    env: dirs.env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`code-server ${args.join(' ')} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Installs the VSIX into the run's extensions folder, as a user would. */
export function installVsix(dirs: RunDirs, vsix = VSIX): void {
  codeServerCli(dirs, ['--install-extension', vsix, '--force']);
}

/**
 * The packaged extension as a folder, for `extensionDevelopmentPath`: the VSIX's `extension/`
 * folder, unpacked by code-server's own installer into a scratch folder (no `unzip` needed).
 */
export function unpackVsix(dirs: RunDirs, vsix = VSIX): string {
  const scratch = join(dirs.root, 'unpacked-extensions');
  mkdirSync(scratch, { recursive: true });
  codeServerCli(dirs, ['--install-extension', vsix, '--force'], scratch);
  const folder = readdirSync(scratch).find((n) => n.startsWith(`${EXTENSION_ID}-`));
  if (!folder) throw new Error(`installing ${vsix} left no ${EXTENSION_ID}-* folder in ${scratch}`);
  const dest = join(dirs.root, 'extension');
  cpSync(join(scratch, folder), dest, { recursive: true });
  rmSync(scratch, { recursive: true, force: true });
  if (!existsSync(join(dest, 'package.json')) || !existsSync(join(dest, 'dist', 'extension.js'))) throw new Error(`unpacked VSIX at ${dest} has no package.json or dist/extension.js`);
  return dest;
}

export interface StartOptions {
  /** Workspace trust: false (the default) passes --disable-workspace-trust; true leaves trust on (restricted mode). */
  workspaceTrust?: boolean;
  /** Extra environment for code-server (inherited by its extension host). */
  env?: Record<string, string>;
  /** Viewport of the browser page. */
  viewport?: { width: number; height: number };
  /** Console lines to echo while the run goes (default: none). */
  echoConsole?: (text: string) => boolean;
}

export interface CodeServerRun {
  port: number;
  url: string;
  page: Page;
  context: BrowserContext;
  /** Every console message of the page so far (the extension host's output reaches it too). */
  console: string[];
  /** `vscode-remote://127.0.0.1:PORT/abs/path`: how the page names a file of this machine. */
  remoteUri(absPath: string): string;
  /** The workbench URL for a folder and an optional payload (`[["openFile", uri]]`, ...). */
  workbenchUrl(folder: string, payload?: [string, string][]): string;
  /** code-server's own stdout and stderr. */
  serverLog(): string;
  close(): Promise<void>;
}

/** `console.log` arguments as Node's util.format would print them (%s, %d, %i, %f, %o, %O, %j; %c dropped). */
function formatConsole(args: unknown[]): string {
  const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined ? 'undefined' : JSON.stringify(v));
  const out: string[] = [];
  const rest = [...args];
  while (rest.length) {
    const v = rest.shift();
    if (typeof v !== 'string') {
      out.push(str(v));
      continue;
    }
    // A format string consumes the arguments after it (the workbench prefixes its own '%c INFO').
    out.push(v.replace(/%([sdifoOjc%])/g, (m, k: string) => (k === '%' ? '%' : k === 'c' ? '' : rest.length ? str(rest.shift()) : m)));
  }
  return out.join(' ');
}

async function waitForHealthz(url: string, server: ChildProcess, log: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (server.exitCode !== null || server.signalCode !== null) throw new Error(`code-server exited (${server.exitCode ?? server.signalCode}) before it was ready:\n${log()}`);
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`code-server at ${url} not healthy after ${timeoutMs} ms (${last}):\n${log()}`);
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

/** Starts code-server on a free port in its own process group, then Chromium on a fresh profile. */
export async function startCodeServer(dirs: RunDirs, options: StartOptions = {}): Promise<CodeServerRun> {
  requireInstalled();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = [
    CODE_SERVER_ENTRY,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--user-data-dir', dirs.userData,
    '--extensions-dir', dirs.extensions,
  ];
  if (!options.workspaceTrust) args.push('--disable-workspace-trust');
  let log = '';
  const server = spawn(process.execPath, args, { env: { ...dirs.env, ...options.env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout!.on('data', (b: Buffer) => (log += b.toString()));
  server.stderr!.on('data', (b: Buffer) => (log += b.toString()));
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));

  let context: BrowserContext | undefined;
  const stopServer = async () => {
    if (server.exitCode === null && server.signalCode === null) {
      killGroup(server, 'SIGTERM');
      const timer = setTimeout(() => killGroup(server, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    // Whatever the server left in its group (extension hosts, tsservers, the language server).
    killGroup(server, 'SIGKILL');
  };

  try {
    await waitForHealthz(url, server, () => log);
    const { chromium } = await import('playwright-core');
    context = await chromium.launchPersistentContext(dirs.chromeProfile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
      env: dirs.env as Record<string, string>,
      viewport: options.viewport ?? { width: 1400, height: 900 },
    });
  } catch (err) {
    await context?.close().catch(() => undefined);
    await stopServer();
    throw err;
  }

  const page = context.pages()[0] ?? (await context.newPage());
  const lines: string[] = [];
  // The extension host's console reaches the page as styled messages ('%c[Extension Host] %c...',
  // css, css, text...): the text is in the arguments, not in `text()`. Lines keep their order.
  page.on('console', (m: ConsoleMessage) => {
    const at = lines.push(m.text()) - 1;
    void Promise.all(m.args().map((a) => a.jsonValue().catch(() => undefined)))
      .then((values) => {
        const parts = values.filter((v) => v !== undefined && !(typeof v === 'string' && /^(color|font-weight|background)[^;]*;?/.test(v.trim())));
        const text = formatConsole(parts);
        if (text) lines[at] = text;
        if (options.echoConsole?.(lines[at])) process.stdout.write(`      [vscode] ${lines[at]}\n`);
      })
      .catch(() => undefined);
  });
  page.on('pageerror', (e) => lines.push(`pageerror: ${e.message}`));

  const remoteUri = (absPath: string) => `vscode-remote://127.0.0.1:${port}${absPath}`;
  let closed = false;
  return {
    port,
    url,
    page,
    context,
    console: lines,
    remoteUri,
    workbenchUrl(folder, payload) {
      const q = new URLSearchParams({ folder });
      if (payload) q.set('payload', JSON.stringify(payload));
      return `${url}/?${q.toString()}`;
    },
    serverLog: () => log,
    async close() {
      if (closed) return;
      closed = true;
      // Leaving the workbench first lets code-server end the extension host now, not hours later.
      await page.goto('about:blank', { timeout: 10_000 }).catch(() => undefined);
      await context!.close().catch(() => undefined);
      await stopServer();
    },
  };
}
