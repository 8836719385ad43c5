/**
 * Python documents in the real language server over stdio (SPEC §7, §9): impact diagnostics at
 * each keystroke on the edited declaration and on the feature functions it reaches, code lens and
 * hover, in a repository that mixes Python and TypeScript features.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { exampleRepo, removeTempDirs } from '../helpers';
import { LspTestClient } from './lspClient';
import { pythonRepo, pyFeatures, pyUtil } from './pythonRepo';

describe('language server over stdio: Python documents', function () {
  this.timeout(60000);
  const clients: LspTestClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
  });
  after(removeTempDirs);

  async function start() {
    const root = pythonRepo();
    const client = new LspTestClient({ rootUri: pathToFileURL(root).href, settings: { runDataChecks: 'onType', dataCheckDelayMs: 150 } });
    clients.push(client);
    await client.initialize();
    const utilUri = pathToFileURL(join(root, 'src/churn/util.py')).href;
    const featuresUri = pathToFileURL(join(root, 'src/churn/features.py')).href;
    client.open(utilUri, pyUtil, 'python');
    client.open(featuresUri, pyFeatures, 'python');
    await client.waitFor('the first status', () => client.statuses.some((s) => s.state === 'idle'));
    return { root, client, utilUri, featuresUri };
  }

  it('publishes impact diagnostics on the edited constant and on the feature it reaches, at each keystroke', async () => {
    const { client, utilUri, featuresUri } = await start();
    let text = client.edit(utilUri, pyUtil, 'CAP = 50', 'CAP = 5');
    const onEdit = await client.waitFor('impact on CAP', () => client.fg(utilUri).find((d) => d.code === 'impact' && /CAP/.test(d.message)));
    assert.match(onEdit.message, /Edit to CAP reaches 1 feature/);
    assert.match(onEdit.message, /recency/);
    assert.match(onEdit.message, /churn_model_v3/);
    assert.deepEqual(onEdit.range.start, { line: 1, character: 0 });
    const onFeature = await client.waitFor('impact on recency', () => client.fg(featuresUri).find((d) => /recency/.test(d.message)));
    assert.equal(onFeature.range.start.line, 3, 'on the def of recency');
    assert.equal(onFeature.range.start.character, 4);

    // The next keystroke undoes the edit: the diagnostics go away.
    text = client.edit(utilUri, text, 'CAP = 5', 'CAP = 50');
    await client.waitFor('no impact once the edit is undone', () => client.fg(utilUri).length === 0 && client.fg(featuresUri).length === 0);

    // A comment-only edit reaches nothing.
    client.edit(utilUri, text, 'CAP = 50', 'CAP = 50  # the cap');
    await new Promise((r) => setTimeout(r, 300));
    await client.waitFor('still nothing for a comment', () => client.fg(utilUri).length === 0 && client.statuses.at(-1)?.state === 'idle');
  });

  it('reports code.syntax on a Python buffer that does not parse, at its line', async () => {
    const { client, featuresUri } = await start();
    client.edit(featuresUri, pyFeatures, 'return row["spend"]', 'return row["spend"] +');
    const syntax = await client.waitFor('code.syntax', () => client.fg(featuresUri).find((d) => d.code === 'code.syntax'));
    assert.equal(syntax.severity, 1);
    assert.equal(syntax.range.start.line, 9);
  });

  it('serves code lens and hover over Python feature functions', async () => {
    const { client, utilUri, featuresUri } = await start();
    client.edit(utilUri, pyUtil, 'CAP = 50', 'CAP = 5');
    await client.waitFor('impact on recency', () => client.fg(featuresUri).find((d) => /recency/.test(d.message)));
    const lenses: any[] = await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri: featuresUri } });
    const titles = lenses.map((l) => l.command.title);
    assert.ok(titles.some((t) => /^FeatureGuard: recency · /.test(t) && !/unchanged/.test(t)), titles.join('\n'));
    assert.ok(titles.includes('FeatureGuard: spend · unchanged by this edit'), titles.join('\n'));
    const hover: any = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: featuresUri }, position: { line: 3, character: 6 } });
    assert.match(hover.contents.value, /recency/);
    assert.match(hover.contents.value, /CAP/);
  });

  it('offers the quick fixes on a Python feature: publish the edit as spend_v2 (snake_case, PEP 8 spacing), acknowledge, open the report', async () => {
    const { root, client, featuresUri } = await start();
    client.edit(featuresUri, pyFeatures, 'return row["spend"]', 'return row["spend"] / 100');
    const diag = await client.waitFor('the feature diagnostic on spend', () => client.fg(featuresUri).find((d) => (d.data as any)?.feature === 'spend'));
    const actions: any[] = await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri: featuresUri }, range: diag.range, context: { diagnostics: [diag] } });
    assert.deepEqual(actions.map((a) => a.title), [
      'Keep spend as it was and publish the edit as spend_v2',
      'Acknowledge the change to spend in featureguard.json',
      'Open the FeatureGuard report for spend',
    ]);
    const changes = actions[0].edit.changes;
    assert.equal(changes[featuresUri][0].newText, 'def spend(row):\n    return row["spend"]\n\n\ndef spend_v2(row):\n    return row["spend"] / 100');
    const configUri = Object.keys(changes).find((u) => u.endsWith('featureguard.json'))!;
    const entry = changes[configUri].map((e: any) => e.newText).join('');
    assert.match(entry, /"spend_v2": \{\s*"source": "src\/churn\/features\.py#spend_v2",\s*"column": "spend_v2"\s*\}/);
    assert.doesNotMatch(entry, /"kind"/, 'a detected form is detected again on the copy');
    assert.equal(readFileSync(join(root, 'src/churn/features.py'), 'utf8'), pyFeatures, 'code actions write nothing themselves');
  });

  it('untrusted, runs no Python at all; once trusted, the story gets value.mismatch from a run in Python', async () => {
    const root = exampleRepo('churn-py');
    const marker = join(root, 'executed.marker');
    const previous = process.env.FEATUREGUARD_PYTHON;
    process.env.FEATUREGUARD_PYTHON = '/usr/bin/python3';
    const client = new LspTestClient({ rootUri: pathToFileURL(root).href, settings: { runDataChecks: 'onType', dataCheckDelayMs: 50 }, trusted: false });
    if (previous === undefined) delete process.env.FEATUREGUARD_PYTHON;
    else process.env.FEATUREGUARD_PYTHON = previous;
    clients.push(client);
    await client.initialize();
    const uri = pathToFileURL(join(root, 'src/churn_features/customer.py')).href;
    const text = readFileSync(join(root, 'src/churn_features/customer.py'), 'utf8');
    client.open(uri, text, 'python');
    const ret = 'return clip(row["monthly_spend"], 0.0, 10_000.0)';
    client.edit(uri, text, ret, `open(${JSON.stringify(marker)}, "w").write("ran")\n    return (clip(row["monthly_spend"], 0.0, 10_000.0) - 62.5) / 48.3`);
    const untrusted = await client.waitFor('the untrusted notice', () => client.fg(uri).find((d) => d.code === 'workspace.untrusted'));
    assert.equal(untrusted.message, 'spend_usd: not checked: this workspace is untrusted, so FeatureGuard runs no workspace code (static impact only)');
    const result: any = await client.connection.sendRequest('workspace/executeCommand', { command: 'featureguard.runChecks', arguments: [] });
    assert.equal(result.featuresChecked, 0);
    assert.equal(existsSync(marker), false, 'no Python runs in an untrusted workspace');

    void client.connection.sendNotification('featureguard/trust', { trusted: true });
    const mismatch = await client.waitFor('value.mismatch once trusted', () => client.fg(uri).find((d) => d.code === 'value.mismatch'));
    assert.match(mismatch.message, /100% of sampled rows \(4000 of 4000\) differ from the stored "spend_usd" values/);
    assert.equal(existsSync(marker), true, 'granting trust runs the Python features');
  });
});
