/**
 * A real third-party LSP client: headless Neovim (Debian's 0.7.2, built-in `vim.lsp`) starts
 * `featureguard lsp --stdio`, the story's edit is typed into an unsaved buffer, and the pushed
 * diagnostics must arrive in `vim.diagnostic`. The Lua side is test/clients/neovim/diagnostics.lua;
 * install Neovim with .ci/install-neovim.sh.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, REPO_ROOT, exampleRepo, removeTempDirs, tempDir } from '../helpers';
import { repo } from '../e2e/featureRepo';
import { pythonRepo } from '../server/pythonRepo';

const LUA_SOURCE = join(REPO_ROOT, 'test', 'clients', 'neovim', 'diagnostics.lua');
const INSTALL = '.ci/install-neovim.sh';

interface NvimDiagnostic {
  code?: string;
  severity: number;
  lnum: number;
  col: number;
  message: string;
  source?: string;
}

interface NvimResult {
  ok: boolean;
  error?: string;
  nvim: string;
  configuration_requests: number;
  statuses: { state: string; message: string; ms: number }[];
  publishes: { uri: string; codes: string[]; ms: number }[];
  logs: string[];
  ready_ms: number;
  edited_line: number;
  modified: boolean;
  impact_ms?: number;
  mismatch_ms?: number;
  diagnostics_before_edit: NvimDiagnostic[];
  diagnostics: NvimDiagnostic[];
  server_exit?: { code: number; signal: number };
}

/** `nvim --version`'s first line, or a failure that says how to install it. */
function nvimVersion(): string {
  const r = spawnSync('nvim', ['--version'], { encoding: 'utf8', timeout: 10000 });
  if (r.error || r.status !== 0) {
    assert.fail(`Neovim (nvim) is not installed or does not run (${r.error?.message ?? `exit ${r.status}`}): run ${INSTALL} (as root) first`);
  }
  const first = r.stdout.split('\n')[0];
  const m = /^NVIM v(\d+)\.(\d+)/.exec(first);
  assert.ok(m && (Number(m[1]) > 0 || Number(m[2]) >= 7), `Neovim 0.7 or later is needed for vim.diagnostic and vim.lsp.start_client, found "${first}": run ${INSTALL}`);
  return first;
}

/** Runs diagnostics.lua in a fresh headless Neovim on the file `file` of `root`. */
function runNeovim(root: string, file: string, from: string, to: string, options: { filetype?: string; waitCode?: string } = {}): { result: NvimResult; elapsedMs: number; logs: string } {
  const dir = tempDir('fg-nvim-');
  const xdg = (name: string) => {
    const d = join(dir, name);
    mkdirSync(d, { recursive: true });
    return d;
  };
  const env = {
    ...process.env,
    XDG_CACHE_HOME: xdg('cache'),
    XDG_CONFIG_HOME: xdg('config'),
    XDG_DATA_HOME: xdg('data'),
    XDG_STATE_HOME: xdg('state'),
    NVIM_LOG_FILE: join(dir, 'nvim.log'),
    FG_ROOT: root,
    FG_FILE: file,
    FG_CLI: CLI,
    FG_NODE: process.execPath,
    FG_FROM: from,
    FG_TO: to,
    FG_FILETYPE: options.filetype ?? 'typescript',
    // Python features run in Debian's python3 (with numpy and pandas), whatever python3 PATH has.
    FEATUREGUARD_PYTHON: '/usr/bin/python3',
    FG_WAIT_CODE: options.waitCode ?? 'value.mismatch',
  };
  const script = join(dir, 'test.lua');
  copyFileSync(LUA_SOURCE, script);
  const started = Date.now();
  const r = spawnSync('nvim', ['--headless', '--clean', '-u', 'NONE', '-c', `luafile ${script}`], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: 60000,
    killSignal: 'SIGKILL',
  });
  const elapsedMs = Date.now() - started;
  const lspLog = join(env.XDG_CACHE_HOME, 'nvim', 'lsp.log');
  const logs = [
    `exit ${r.status} signal ${r.signal} after ${elapsedMs} ms${r.error ? ` (${r.error.message})` : ''}`,
    `stdout:\n${r.stdout}`,
    `stderr:\n${r.stderr}`,
    existsSync(lspLog) ? `lsp.log:\n${readFileSync(lspLog, 'utf8').slice(-4000)}` : 'no lsp.log',
  ].join('\n');
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('FG_RESULT '));
  assert.ok(line, `headless Neovim printed no FG_RESULT line\n${logs}`);
  const result = JSON.parse(line.slice('FG_RESULT '.length)) as NvimResult;
  assert.ok(result.ok && r.status === 0, `the Lua script failed: ${result.error ?? 'exit ' + r.status}\n${JSON.stringify(result, null, 1).slice(0, 4000)}\n${logs}`);
  return { result, elapsedMs, logs };
}

describe('Neovim (built-in LSP client) with featureguard lsp --stdio', function () {
  this.timeout(90000);
  after(removeTempDirs);

  it('shows value.mismatch and impact diagnostics for the story edit typed into an unsaved buffer', function () {
    const version = nvimVersion();
    assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build`);
    const root = repo();
    const { result, elapsedMs, logs } = runNeovim(root, 'src/features/customer.ts', 'return row.spend;', 'return (row.spend - 100) / 50;');
    const context = `\n${JSON.stringify(result, null, 1).slice(0, 4000)}\n${logs}`;

    assert.ok(result.configuration_requests > 0, `the server never asked Neovim for its settings${context}`);
    assert.deepEqual(result.diagnostics_before_edit, [], `no diagnostics on the unedited file${context}`);
    assert.equal(result.edited_line, 3);
    assert.equal(result.modified, true, 'the buffer stays unsaved: FeatureGuard reads it from didChange');
    assert.equal(readFileSync(join(root, 'src/features/customer.ts'), 'utf8').includes('return row.spend;'), true, 'the file on disk is untouched');

    const mismatch = result.diagnostics.find((d) => d.code === 'value.mismatch');
    assert.ok(mismatch, `no value.mismatch diagnostic in vim.diagnostic.get()${context}`);
    assert.equal(mismatch.severity, 1, 'an error (vim.diagnostic.severity.ERROR)');
    assert.equal(mismatch.lnum, 3, 'on `export function spend`');
    assert.equal(mismatch.source, 'featureguard');
    assert.match(mismatch.message, /spend_f/);

    const impact = result.diagnostics.find((d) => d.code === 'impact' && /churn_model_v3/.test(d.message));
    assert.ok(impact, `no impact diagnostic naming churn_model_v3${context}`);
    assert.equal(impact.severity, 3, 'information (vim.diagnostic.severity.INFO)');
    assert.equal(impact.lnum, 3);
    assert.equal(impact.source, 'featureguard');
    assert.ok(result.diagnostics.every((d) => d.source === 'featureguard'), `only FeatureGuard's diagnostics${context}`);

    assert.deepEqual(result.server_exit, { code: 0, signal: 0 }, `the server exits cleanly on shutdown/exit${context}`);
    console.log(
      `      ${version}: server ready ${Math.round(result.ready_ms)} ms after start; edit → impact ${Math.round(result.impact_ms ?? NaN)} ms, ` +
        `→ value.mismatch ${Math.round(result.mismatch_ms ?? NaN)} ms (dataCheckDelayMs 100, Neovim debounce 150); whole run ${elapsedMs} ms`,
    );
  });

  it('shows impact diagnostics for an edit typed into an unsaved Python buffer (filetype python)', function () {
    nvimVersion();
    const root = pythonRepo();
    const { result, logs } = runNeovim(root, 'src/churn/util.py', 'CAP = 50', 'CAP = 5', { filetype: 'python', waitCode: 'impact' });
    const context = `\n${JSON.stringify(result, null, 1).slice(0, 4000)}\n${logs}`;
    assert.deepEqual(result.diagnostics_before_edit, [], `no diagnostics on the unedited file${context}`);
    assert.equal(result.edited_line, 1);
    assert.equal(result.modified, true);
    assert.equal(readFileSync(join(root, 'src/churn/util.py'), 'utf8').includes('CAP = 50'), true, 'the file on disk is untouched');
    const impact = result.diagnostics.find((d) => d.code === 'impact');
    assert.ok(impact, `no impact diagnostic in vim.diagnostic.get()${context}`);
    assert.equal(impact.severity, 3);
    assert.equal(impact.lnum, 1, 'on CAP');
    assert.equal(impact.source, 'featureguard');
    assert.match(impact.message, /^Edit to CAP reaches 1 feature: recency \(read by churn_model_v3\)$/);
  });

  it('shows value.mismatch for the Python story (examples/churn-py) typed into an unsaved buffer: the features ran in Python', function () {
    nvimVersion();
    const root = exampleRepo('churn-py');
    const { result, logs } = runNeovim(root, 'src/churn_features/customer.py', 'return clip(row["monthly_spend"], 0.0, 10_000.0)', 'return (clip(row["monthly_spend"], 0.0, 10_000.0) - 62.5) / 48.3', { filetype: 'python' });
    const context = `\n${JSON.stringify(result, null, 1).slice(0, 4000)}\n${logs}`;
    assert.equal(result.modified, true);
    const mismatch = result.diagnostics.find((d) => d.code === 'value.mismatch');
    assert.ok(mismatch, `no value.mismatch diagnostic in vim.diagnostic.get()${context}`);
    assert.equal(mismatch.severity, 1);
    const defLine = readFileSync(join(root, 'src/churn_features/customer.py'), 'utf8').split('\n').findIndex((l) => l.startsWith('def monthly_spend('));
    assert.equal(mismatch.lnum, defLine, 'on `def monthly_spend`');
    assert.match(mismatch.message, /100% of sampled rows \(4000 of 4000\) differ from the stored "spend_usd" values/);
  });
});
