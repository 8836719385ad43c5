/**
 * The editor's side of SPEC §9 "Which interpreter", in the real language server over stdio: the
 * interpreter an editor has selected for a folder (VS Code: the Python extension's) reaches the
 * folder's session, given at start in `initializationOptions.pythonInterpreters` or changed later
 * with `featureguard/pythonInterpreter`, and a change checks the folder again with it: one that
 * does not run is an error status and a diagnostic on the config, and selecting a working one
 * clears them and runs the Python features.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { exampleRepo, removeTempDirs } from '../helpers';
import { LspTestClient } from './lspClient';
import { pythonRepo } from './pythonRepo';

describe('language server over stdio: the interpreter selected in the editor', function () {
  this.timeout(60000);
  const clients: LspTestClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
  });
  after(removeTempDirs);

  async function start(interpreters?: (rootUri: string) => Record<string, string>) {
    const rootUri = pathToFileURL(pythonRepo()).href;
    const client = new LspTestClient({ rootUri, settings: { runDataChecks: 'onType', dataCheckDelayMs: 150 }, initializationOptions: interpreters ? { pythonInterpreters: interpreters(rootUri) } : undefined });
    clients.push(client);
    await client.initialize();
    await client.waitFor('the first check', () => client.statuses.some((s) => s.state === 'idle'));
    return { client, rootUri };
  }

  it('takes the interpreter given at start in initializationOptions.pythonInterpreters', async () => {
    const { client } = await start((rootUri) => ({ [rootUri]: '/usr/local/bin/python3.12' }));
    assert.ok(client.logs.some((l) => l.includes('python interpreter for ws: /usr/local/bin/python3.12 (from the Python extension)')), client.logs.join('\n'));
  });

  it('takes a changed interpreter from featureguard/pythonInterpreter and checks the folder again', async () => {
    const { client, rootUri } = await start();
    assert.ok(!client.logs.some((l) => /python interpreter for/.test(l)), 'nothing is logged without an interpreter');

    const before = client.statuses.length;
    void client.connection.sendNotification('featureguard/pythonInterpreter', { folderUri: rootUri, path: '/opt/venvs/churn/bin/python' });
    await client.waitFor('the log line', () => client.logs.some((l) => l.includes('python interpreter for ws: /opt/venvs/churn/bin/python (from the Python extension)')));
    await client.waitFor('a check with the new interpreter', () => client.statuses.slice(before).some((s) => s.state === 'checking') && client.statuses.at(-1)?.state === 'idle');

    // The same interpreter again changes nothing; none any more is logged and checked again.
    const after = client.statuses.length;
    void client.connection.sendNotification('featureguard/pythonInterpreter', { folderUri: rootUri, path: '/opt/venvs/churn/bin/python' });
    void client.connection.sendNotification('featureguard/pythonInterpreter', { folderUri: rootUri, path: null });
    await client.waitFor('the log line for none', () => client.logs.some((l) => l.includes('python interpreter for ws: none selected in the Python extension')));
    assert.equal(client.logs.filter((l) => l.includes('/opt/venvs/churn/bin/python')).length, 1);
    await client.waitFor('one more check', () => client.statuses.slice(after).some((s) => s.state === 'checking'));
  });

  it('runs nothing for an interpreter of a folder it does not serve, and survives a path that is no string', async () => {
    const { client } = await start();
    void client.connection.sendNotification('featureguard/pythonInterpreter', { folderUri: 'file:///nowhere', path: '/usr/bin/python3' });
    void client.connection.sendNotification('featureguard/pythonInterpreter', { folderUri: 'file:///nowhere', path: 42 });
    const count = client.statuses.length;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(client.statuses.length, count, 'no run for a folder it does not serve');
    assert.ok(client.alive);
  });

  it('runs the Python features with the editor\'s interpreter: one that does not run is a config error, a working one clears it', async () => {
    const root = exampleRepo('churn-py');
    const rootUri = pathToFileURL(root).href;
    // The editor's choice comes after FEATUREGUARD_PYTHON: the server must not inherit one.
    const previous = process.env.FEATUREGUARD_PYTHON;
    delete process.env.FEATUREGUARD_PYTHON;
    const missing = join(root, 'no-such-venv/bin/python');
    const client = new LspTestClient({ rootUri, settings: { runDataChecks: 'onType', dataCheckDelayMs: 50 }, initializationOptions: { pythonInterpreters: { [rootUri]: missing } } });
    if (previous !== undefined) process.env.FEATUREGUARD_PYTHON = previous;
    clients.push(client);
    await client.initialize();
    const uri = pathToFileURL(join(root, 'src/churn_features/customer.py')).href;
    const configUri = pathToFileURL(join(root, 'featureguard.json')).href;
    const text = readFileSync(join(root, 'src/churn_features/customer.py'), 'utf8');
    client.open(uri, text, 'python');
    client.edit(uri, text, 'return clip(row["monthly_spend"], 0.0, 10_000.0)', 'return (clip(row["monthly_spend"], 0.0, 10_000.0) - 62.5) / 48.3');

    const expected = `python interpreter ${missing} (from the editor's Python extension) does not run: not found`;
    const diag = await client.waitFor('the config diagnostic', () => client.fg(configUri).find((d) => d.code === 'config'));
    assert.equal(diag.message, expected);
    assert.equal(diag.range.start.line, 0, 'the config names no interpreter: line 1');
    await client.waitFor('the error status', () => client.statuses.at(-1)?.state === 'error' && client.statuses.at(-1)?.message === expected);

    void client.connection.sendNotification('featureguard/pythonInterpreter', { folderUri: rootUri, path: '/usr/bin/python3' });
    const mismatch = await client.waitFor('value.mismatch from a run in Python', () => client.fg(uri).find((d) => d.code === 'value.mismatch'));
    assert.match(mismatch.message, /differ from the stored "spend_usd" values/);
    await client.waitFor('the config diagnostic cleared', () => client.fg(configUri).length === 0 && client.statuses.at(-1)?.state === 'idle');
    const reports: any[] = await client.connection.sendRequest('featureguard/reports');
    assert.equal(reports[0].report.summary.python.path, '/usr/bin/python3');
    await client.waitFor('the interpreter in the output channel', () => client.logs.some((l) => /: Python features ran in \/usr\/bin\/python3 \(3\.\d+\.\d+\)/.test(l)));
  });
});
