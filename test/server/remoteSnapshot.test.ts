/**
 * A remote snapshot that cannot be read, in the real language server over stdio (issue 13): the
 * editor keeps the static impact of an edit, and says why the data checks are off — an error
 * status with the URL and what to do, standing while the snapshot stays unreachable. The server
 * is pointed at a closed port on 127.0.0.1: nothing leaves the loopback.
 */
import { strict as assert } from 'node:assert';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeRepo, removeTempDirs, writeFiles } from '../helpers';
import { config, customer, util } from '../e2e/featureRepo';
import { LspTestClient } from './lspClient';

/** A port nothing listens on: bound once by us, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('language server over stdio: an unreachable remote snapshot', function () {
  this.timeout(60000);
  const clients: LspTestClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
  });
  after(removeTempDirs);

  it('keeps the static impact of an edit and says in the status why data checks are off', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/features/customers.parquet`;
    const root = makeRepo({
      'src/features/util.ts': util,
      'src/features/customer.ts': customer,
      'featureguard.json': JSON.stringify(config(url), null, 2),
    });
    const client = new LspTestClient({ rootUri: pathToFileURL(root).href, settings: { runDataChecks: 'onType', dataCheckDelayMs: 150 } });
    clients.push(client);
    await client.initialize();
    const uri = pathToFileURL(join(root, 'src/features/customer.ts')).href;
    client.open(uri, customer);
    // The folder's first run has nothing affected: no snapshot is read.
    await client.waitFor('the first run', () => client.statuses.some((s) => s.state === 'idle'));
    client.edit(uri, customer, 'return row.spend;', 'return (row.spend - 100) / 50;');
    const impact = await client.waitFor('the impact diagnostic of the edit', () => client.fg(uri).find((d) => d.code === 'impact' && /spend/.test(d.message)));
    assert.equal(impact.severity, 3, 'impact is information');
    const status = await client.waitFor('the error status of the data check', () => client.statuses.find((s) => s.state === 'error'));
    assert.equal(status.message, `${url}: cannot connect (ECONNREFUSED): check the URL and the network`);
    // The impact stays: no data finding replaces it, and the server still answers.
    assert.ok(client.fg(uri).some((d) => d.code === 'impact'));
    assert.ok(!client.fg(uri).some((d) => d.code === 'value.mismatch'));
    const hover = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 18 } });
    assert.ok(hover, 'the server answers a hover');
    assert.ok(client.alive);
  });

  it('an edit already on disk when the folder opens: the first check fails on the snapshot, the impact is shown all the same', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/features/customers.parquet`;
    const root = makeRepo({
      'src/features/util.ts': util,
      'src/features/customer.ts': customer,
      'featureguard.json': JSON.stringify(config(url), null, 2),
    });
    writeFiles(root, { 'src/features/customer.ts': customer.replace('return row.spend;', 'return (row.spend - 100) / 50;') });
    const client = new LspTestClient({ rootUri: pathToFileURL(root).href, settings: { runDataChecks: 'onType', dataCheckDelayMs: 150 } });
    clients.push(client);
    await client.initialize();
    const uri = pathToFileURL(join(root, 'src/features/customer.ts')).href;
    const status = await client.waitFor('the error status of the first check', () => client.statuses.find((s) => s.state === 'error'));
    assert.equal(status.message, `${url}: cannot connect (ECONNREFUSED): check the URL and the network`);
    await client.waitFor('the impact diagnostic of the edit on disk', () => client.fg(uri).find((d) => d.code === 'impact' && /spend/.test(d.message)));
    assert.ok(client.fg(pathToFileURL(join(root, 'featureguard.json')).href).some((d) => d.code === 'config' && d.message.startsWith(url)), 'and the reason on the config');
  });
});
