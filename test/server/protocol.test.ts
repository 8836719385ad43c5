/**
 * The real language server process over stdio, spoken to by an LSP client connection: edits,
 * saves, cancellation by newer edits, configuration changes, code lens, hover, quick fixes,
 * commands, and restricted mode.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { removeTempDirs, treeFingerprint, writeFiles } from '../helpers';
import { customer, repo } from '../e2e/featureRepo';
import { LspTestClient } from './lspClient';

describe('language server over stdio', function () {
  this.timeout(60000);
  const clients: LspTestClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
  });
  after(removeTempDirs);

  async function start(settings: Record<string, unknown> = { runDataChecks: 'onType', dataCheckDelayMs: 150 }, trusted = true) {
    const root = repo();
    const client = new LspTestClient({ rootUri: pathToFileURL(root).href, settings, trusted });
    clients.push(client);
    await client.initialize();
    const uri = pathToFileURL(join(root, 'src/features/customer.ts')).href;
    client.open(uri, customer);
    // The folder's first run (at start-up) reports a status; edits made after it are the test's.
    await client.waitFor('the first status', () => client.statuses.some((s) => s.state === 'idle'));
    return { root, client, uri };
  }

  const codes = (client: LspTestClient, uri: string) => client.fg(uri).map((d) => `${d.code}:${d.severity}`).sort();

  it('publishes impact and data diagnostics for an edit typed in a buffer, unsaved', async () => {
    const { client, uri } = await start();
    client.edit(uri, customer, 'return row.spend;', 'return (row.spend - 100) / 50;');
    const diags = await client.waitFor('value.mismatch on the feature', () => {
      const d = client.fg(uri);
      return d.some((x) => x.code === 'value.mismatch') && d;
    });
    const mismatch = diags.find((d) => d.code === 'value.mismatch')!;
    assert.equal(mismatch.severity, 1);
    assert.equal(mismatch.source, 'featureguard');
    assert.deepEqual(mismatch.range, { start: { line: 3, character: 16 }, end: { line: 3, character: 21 } }, 'the feature function name');
    assert.match(mismatch.message, /100% of sampled rows \(800 of 800\) differ from the stored "spend_f" values/);
    const impact = diags.find((d) => d.code === 'impact' && /Edit to spend reaches 1 feature/.test(d.message));
    assert.ok(impact, 'an information diagnostic on the edited symbol');
    assert.match(impact!.message, /read by churn_model_v3/);
  });

  it('cancels the data check of an edit that a newer edit replaced', async () => {
    const { client, uri } = await start({ runDataChecks: 'onType', dataCheckDelayMs: 300 });
    const text = client.edit(uri, customer, 'return row.spend;', 'return (row.spend - 100) / 50;');
    client.edit(uri, text, 'return (row.spend - 100) / 50;', 'return row.spend;');
    const result = await client.connection.sendRequest('workspace/executeCommand', { command: 'featureguard.runChecks', arguments: [] });
    assert.deepEqual(result, { errors: 0, warnings: 0, featuresAffected: 0, featuresChecked: 0 });
    await client.waitFor('the settled state', () => client.statuses.length > 0 && client.statuses[client.statuses.length - 1].state === 'idle');
    assert.deepEqual(codes(client, uri), [], 'no stale diagnostics from the replaced edit');
  });

  it('with runDataChecks onSave, checks data only when the file is saved', async () => {
    const { root, client, uri } = await start({ runDataChecks: 'onSave' });
    const text = client.edit(uri, customer, 'return row.spend;', 'return row.spend * 2;');
    await client.waitFor('impact diagnostics', () => client.fg(uri).some((d) => d.code === 'impact'));
    assert.ok(!client.fg(uri).some((d) => d.code === 'value.mismatch'), 'no data check before saving');
    writeFiles(root, { 'src/features/customer.ts': text });
    client.save(uri);
    await client.waitFor('value.mismatch after save', () => client.fg(uri).some((d) => d.code === 'value.mismatch'));
  });

  it('re-reads settings on a configuration change', async () => {
    const { client, uri } = await start({ runDataChecks: 'manual' });
    client.edit(uri, customer, 'return row.spend;', 'return row.spend * 2;');
    await client.waitFor('impact diagnostics', () => client.fg(uri).some((d) => d.code === 'impact'));
    client.settings = { runDataChecks: 'onType', dataCheckDelayMs: 50 };
    void client.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    await client.waitFor('data check under the new setting', () => client.fg(uri).some((d) => d.code === 'value.mismatch'));
  });

  it('takes pushed settings from clients that cannot answer configuration requests', async () => {
    const root = repo();
    const client = new LspTestClient({ rootUri: pathToFileURL(root).href, settings: { runDataChecks: 'manual' }, configurationRequests: false });
    clients.push(client);
    await client.initialize();
    const uri = pathToFileURL(join(root, 'src/features/customer.ts')).href;
    client.open(uri, customer);
    await client.waitFor('the first status', () => client.statuses.some((s) => s.state === 'idle'));
    client.edit(uri, customer, 'return row.spend;', 'return row.spend * 2;');
    const notice = await client.waitFor('the impact notice', () => client.fg(uri).find((d) => d.code === 'impact' && /spend: not checked against data/.test(d.message)));
    assert.ok(notice);
    void client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { featureguard: { runDataChecks: 'onType', dataCheckDelayMs: 50 } } });
    client.edit(uri, customer.replace('return row.spend;', 'return row.spend * 2;'), 'return row.spend * 2;', 'return row.spend * 3;');
    await client.waitFor('data checks under the pushed setting', () => client.fg(uri).some((d) => d.code === 'value.mismatch'));
  });

  it('finds unsaved buffers whatever the client\'s URI escaping (a folder with brackets)', async () => {
    const root = repo();
    const odd = join(root, 'sub [x]');
    const { renameSync, mkdirSync } = await import('node:fs');
    mkdirSync(odd);
    for (const name of ['src', 'data', 'featureguard.json']) renameSync(join(root, name), join(odd, name));
    const { execFileSync } = await import('node:child_process');
    execFileSync('git', ['add', '-A'], { cwd: root });
    execFileSync('git', ['commit', '-qm', 'move'], { cwd: root });
    // Neovim escapes "[" as %5b; Node's pathToFileURL writes %5B.
    const lower = (u: string) => u.replace(/%5B/g, '%5b').replace(/%5D/g, '%5d');
    const client = new LspTestClient({ rootUri: lower(pathToFileURL(odd).href), settings: { runDataChecks: 'onType', dataCheckDelayMs: 50 } });
    clients.push(client);
    await client.initialize();
    const uri = lower(pathToFileURL(join(odd, 'src/features/customer.ts')).href);
    client.open(uri, customer);
    await client.waitFor('the first status', () => client.statuses.some((s) => s.state === 'idle'));
    const shifted = '// one\n// two\n' + customer;
    client.edit(uri, customer, 'import', '// one\n// two\nimport');
    client.edit(uri, shifted, 'return row.spend;', 'return (row.spend - 100) / 50;');
    const published = () => [...client.diagnostics.entries()].flatMap(([, d]) => d).filter((d) => d.code === 'value.mismatch');
    const mismatch = await client.waitFor('value.mismatch', () => published()[0]);
    assert.deepEqual(mismatch.range, { start: { line: 5, character: 16 }, end: { line: 5, character: 21 } }, 'the range is measured on the unsaved buffer');
  });

  it('serves code lens, hover and quick fixes for an affected feature', async () => {
    const { root, client, uri } = await start();
    client.edit(uri, customer, 'return row.spend;', 'return (row.spend - 100) / 50;');
    const diags = await client.waitFor('data diagnostics', () => {
      const d = client.fg(uri);
      return d.some((x) => x.code === 'value.mismatch') && d;
    });

    const lenses: any[] = await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } });
    const titles = lenses.map((l) => l.command.title);
    assert.ok(titles.some((t) => /^FeatureGuard: spend · changed · affine · mismatch 100% · PSI [\d.]+ · 2 errors$/.test(t)), titles.join('\n'));
    assert.ok(titles.includes('FeatureGuard: recency · unchanged by this edit'), titles.join('\n'));

    const hover: any = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 18 } });
    assert.match(hover.contents.value, /Verdict: \*\*changed\*\* · affine/);
    assert.match(hover.contents.value, /\| mismatchRate \| 1 \|/);

    const feature = diags.filter((d) => (d.data as any)?.feature === 'spend');
    const actions: any[] = await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: feature[0].range, context: { diagnostics: feature } });
    assert.deepEqual(actions.map((a) => a.title), [
      'Keep spend as it was and publish the edit as spend_v2',
      'Acknowledge the change to spend in featureguard.json',
      'Open the FeatureGuard report for spend',
    ]);
    const publish = actions[0].edit.changes;
    const fileEdit = publish[uri][0];
    assert.match(fileEdit.newText, /^export function spend\(row: Row\) \{ return row\.spend; \}\n\nexport function spendV2\(row: Row\) \{ return \(row\.spend - 100\) \/ 50; \}$/);
    const configUri = pathToFileURL(join(root, 'featureguard.json')).href;
    assert.match(publish[configUri].map((e: any) => e.newText).join(''), /"spend_v2": \{\s*"source": "src\/features\/customer\.ts#spendV2",\s*"snapshot": "c",\s*"column": "spend_v2"/);
    const ack = actions[1].edit.changes[configUri].map((e: any) => e.newText).join('');
    assert.match(ack, /"acknowledged": \{\s*"spend": "TODO: why this change is safe/);
    assert.equal(actions[2].command.command, 'featureguard.showReport');
    assert.deepEqual(JSON.parse(readFileSync(join(root, 'featureguard.json'), 'utf8')).acknowledged, undefined, 'code actions do not write files themselves');
  });

  it('answers reports and survives requests about unknown documents', async () => {
    const { client, uri } = await start();
    client.edit(uri, customer, 'return row.spend;', 'return (row.spend - 100) / 50;');
    await client.waitFor('data diagnostics', () => client.fg(uri).some((x) => x.code === 'value.mismatch'));
    const hover = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: 'file:///nowhere/x.ts' }, position: { line: 0, character: 0 } });
    assert.equal(hover, null);
    const reports: any[] = await client.connection.sendRequest('featureguard/reports');
    assert.equal(reports.length, 1);
    assert.equal(reports[0].report.features[0].name, 'spend');
    assert.ok(client.alive);
  });

  it('writes nothing: buffers, checks, code lens, hover, quick fixes and reports leave the working tree, the index and the snapshot byte-identical', async () => {
    const { root, client, uri } = await start();
    // A tracked file touched but unchanged: a `git diff` would rewrite the index's timestamps.
    const past = new Date('2001-02-03T04:05:06Z');
    utimesSync(join(root, 'src/features/util.ts'), past, past);
    const skip = (rel: string) => rel.startsWith('.git/featureguard');
    const before = treeFingerprint(root, skip);
    client.edit(uri, customer, 'return row.spend;', 'return (row.spend - 100) / 50;');
    const diags = await client.waitFor('data diagnostics', () => {
      const d = client.fg(uri);
      return d.some((x) => x.code === 'value.mismatch') && d;
    });
    await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } });
    await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 18 } });
    const feature = diags.filter((d) => (d.data as any)?.feature === 'spend');
    const actions: any[] = await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: feature[0].range, context: { diagnostics: feature } });
    assert.equal(actions.length, 3);
    await client.connection.sendRequest('featureguard/reports');
    const result: any = await client.connection.sendRequest('workspace/executeCommand', { command: 'featureguard.runChecks', arguments: [] });
    assert.equal(result.errors, 2);
    client.save(uri); // the buffer differs from the file: saving is the editor's write, not ours
    await client.connection.sendRequest('workspace/executeCommand', { command: 'featureguard.runChecks', arguments: [] });
    const after = treeFingerprint(root, skip);
    assert.deepEqual([...after.keys()].filter((k) => before.get(k) !== after.get(k)), []);
    assert.deepEqual(after, before);
  });

  it('in an untrusted workspace, reports static impact only and runs no workspace code', async () => {
    const root = repo();
    const marker = join(root, 'executed.marker');
    const client = new LspTestClient({ rootUri: pathToFileURL(root).href, settings: { runDataChecks: 'onType', dataCheckDelayMs: 50 }, trusted: false });
    clients.push(client);
    await client.initialize();
    const uri = pathToFileURL(join(root, 'src/features/customer.ts')).href;
    client.open(uri, customer);
    client.edit(uri, customer, 'return row.spend;', `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran'); return row.spend * 2;`);
    const untrusted = await client.waitFor('the untrusted notice', () => client.fg(uri).find((d) => d.code === 'workspace.untrusted'));
    assert.equal(untrusted.message, 'spend: not checked: this workspace is untrusted, so FeatureGuard runs no workspace code (static impact only)');
    const result: any = await client.connection.sendRequest('workspace/executeCommand', { command: 'featureguard.runChecks', arguments: [] });
    assert.equal(result.featuresChecked, 0);
    assert.ok(client.statuses.some((s) => s.state === 'untrusted'));
    assert.equal(existsSync(marker), false, 'feature code must not run');

    void client.connection.sendNotification('featureguard/trust', { trusted: true });
    await client.waitFor('data checks after trust is granted', () => client.fg(uri).some((d) => d.code === 'value.mismatch'));
    assert.equal(existsSync(marker), true, 'granting trust restarts checks, which now run the code');
  });
});
