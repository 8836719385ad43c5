/**
 * The editor's side of SPEC §9 "Which interpreter", in the real language server over stdio: the
 * interpreter an editor has selected for a folder (VS Code: the Python extension's) reaches the
 * folder's session, given at start in `initializationOptions.pythonInterpreters` or changed later
 * with `featureguard/pythonInterpreter`, and a change checks the folder again. Until the Python
 * runner uses it, the server's log line is what shows it arrived.
 */
import { strict as assert } from 'node:assert';
import { pathToFileURL } from 'node:url';
import { removeTempDirs } from '../helpers';
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
});
