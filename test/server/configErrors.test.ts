/**
 * User errors in the real language server over stdio: a `UserError` from a run — here a Python
 * feature whose `kind` cannot be detected, and a config that stops validating — is an error status
 * and an Error diagnostic (code `config`) on `featureguard.json` at the key to fix, standing until
 * the config is fixed. The Python runner's errors (no interpreter, a missing module) take the same
 * path.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeRepo, removeTempDirs } from '../helpers';
import { customer, repo } from '../e2e/featureRepo';
import { LspTestClient } from './lspClient';
import { pyFeatures, pyUtil } from './pythonRepo';

const combine = `${pyFeatures}

def combine(a, b):
    return a + b
`;

function config(combined: Record<string, unknown>, recency: Record<string, unknown> = {}): string {
  return JSON.stringify(
    {
      python: { paths: ['src'] },
      features: {
        recency: { source: 'src/churn/features.py#recency', ...recency },
        combined: { source: 'src/churn/features.py#combine', ...combined },
      },
    },
    null,
    2,
  );
}

/** The 0-based line of the first line of `text` containing `needle`. */
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle));

describe('language server over stdio: user errors from a run', function () {
  this.timeout(60000);
  const clients: LspTestClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
  });
  after(removeTempDirs);

  async function start(configText: string) {
    const root = makeRepo({
      'src/churn/__init__.py': '',
      'src/churn/util.py': pyUtil,
      'src/churn/features.py': combine,
      'featureguard.json': configText,
    });
    const client = new LspTestClient({ rootUri: pathToFileURL(root).href, settings: { runDataChecks: 'onType', dataCheckDelayMs: 150 } });
    clients.push(client);
    await client.initialize();
    const configUri = pathToFileURL(join(root, 'featureguard.json')).href;
    const featuresUri = pathToFileURL(join(root, 'src/churn/features.py')).href;
    return { root, client, configUri, featuresUri };
  }

  const configErrors = (client: LspTestClient, uri: string) => client.fg(uri).filter((d) => d.code === 'config');

  it('shows a Python feature whose kind cannot be detected as an error status and a config diagnostic on the feature\'s key, until the kind is set', async () => {
    const broken = config({});
    const { root, client, configUri, featuresUri } = await start(broken);
    const expected = /^featureguard\.json: features\.combined\.kind is needed: the code of src\/churn\/features\.py#combine\(a, b\) does not say how it is called/;
    const status = await client.waitFor('the error status', () => client.statuses.find((s) => s.state === 'error'));
    assert.match(status.message, expected);
    const [diag, ...more] = await client.waitFor('the config diagnostic', () => configErrors(client, configUri).length > 0 && configErrors(client, configUri));
    assert.equal(more.length, 0, 'one diagnostic, though impact and the data check both failed');
    assert.match(diag.message, expected);
    assert.equal(diag.severity, 1);
    assert.equal(diag.source, 'featureguard');
    assert.equal(diag.range.start.line, lineOf(broken, '"combined"'), 'on the feature whose kind is missing');
    assert.equal(diag.range.start.character, broken.split('\n')[diag.range.start.line].indexOf('"combined"'));

    // Typing in a feature file does not make it go away: the config is still what it was.
    client.open(featuresUri, combine, 'python');
    client.edit(featuresUri, combine, 'return clip(row["days"])', 'return clip(row["days"]) * 2');
    await new Promise((r) => setTimeout(r, 500));
    await client.waitFor('the error still shown', () => client.statuses.at(-1)?.state === 'error' && configErrors(client, configUri).length === 1);

    // The user sets the kind; the editor's file watcher reports the save.
    writeFileSync(join(root, 'featureguard.json'), config({ kind: 'row' }));
    client.filesChanged(configUri);
    await client.waitFor('the diagnostic cleared', () => configErrors(client, configUri).length === 0 && client.statuses.at(-1)?.state === 'idle');
    await client.waitFor('impact again', () => client.fg(featuresUri).some((d) => /recency/.test(d.message)));
  });

  it('keeps a config that stopped validating on its key until it validates again, through edits that still run on the previous config', async () => {
    const { root, client, configUri, featuresUri } = await start(config({ kind: 'row' }));
    await client.waitFor('the first check', () => client.statuses.some((s) => s.state === 'idle'));

    const broken = config({ kind: 'row' }, { snapshot: 'nope' });
    writeFileSync(join(root, 'featureguard.json'), broken);
    client.filesChanged(configUri);
    const diag = await client.waitFor('the config diagnostic', () => configErrors(client, configUri)[0]);
    assert.equal(diag.message, 'featureguard.json: features.recency.snapshot unknown snapshot "nope" (no snapshots are configured)');
    assert.equal(diag.range.start.line, lineOf(broken, '"snapshot"'));
    await client.waitFor('the error status', () => client.statuses.at(-1)?.state === 'error');

    const before = client.statuses.length;
    client.open(featuresUri, combine, 'python');
    client.edit(featuresUri, combine, 'return clip(row["days"])', 'return clip(row["days"]) * 2');
    await client.waitFor('impact of the edit', () => client.fg(featuresUri).some((d) => /recency/.test(d.message)));
    // Its data check (after the pause) runs on the previous config too, and succeeds.
    await client.waitFor('the data check after the pause', () => client.statuses.slice(before).some((s) => s.state === 'checking') && client.statuses.at(-1)?.state === 'error');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(configErrors(client, configUri).length, 1, 'still on the config');
    assert.equal(client.statuses.at(-1)?.state, 'error', 'the status still says so');

    writeFileSync(join(root, 'featureguard.json'), config({ kind: 'row' }));
    client.filesChanged(configUri);
    await client.waitFor('the diagnostic cleared', () => configErrors(client, configUri).length === 0 && client.statuses.at(-1)?.state === 'idle');
  });

  it('keeps a snapshot that a data check cannot read on its path in the config, through impact-only runs, until a check succeeds', async () => {
    const root = repo('csv');
    const client = new LspTestClient({ rootUri: pathToFileURL(root).href, settings: { runDataChecks: 'onSave' } });
    clients.push(client);
    await client.initialize();
    await client.waitFor('the first check', () => client.statuses.some((s) => s.state === 'idle'));
    const configUri = pathToFileURL(join(root, 'featureguard.json')).href;
    const uri = pathToFileURL(join(root, 'src/features/customer.ts')).href;
    const snapshot = join(root, 'data/c.csv');
    const rows = readFileSync(snapshot);
    writeFileSync(snapshot, 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n');

    // Impact alone reads no snapshot; the data check on save does, and fails.
    client.open(uri, customer);
    let text = client.edit(uri, customer, 'return row.spend;', 'return row.spend / 100;');
    await client.waitFor('impact of the edit', () => client.fg(uri).some((d) => d.code === 'impact'));
    assert.equal(configErrors(client, configUri).length, 0);
    client.save(uri);
    const diag = await client.waitFor('the config diagnostic', () => configErrors(client, configUri)[0]);
    assert.equal(diag.message, 'data/c.csv is a Git LFS pointer, not the snapshot data: run `git lfs pull` to download it');
    const configText = readFileSync(join(root, 'featureguard.json'), 'utf8');
    assert.equal(diag.range.start.line, lineOf(configText, '"path": "data/c.csv"'), 'on the snapshot\'s path');
    const status = await client.waitFor('the error status', () => client.statuses.at(-1)?.state === 'error' && client.statuses.at(-1));
    assert.equal(status.message, diag.message);

    // A keystroke runs impact only: it succeeds, and the unreadable snapshot still stands.
    const statuses = client.statuses.length;
    text = client.edit(uri, text, 'return row.spend / 100;', 'return row.spend / 10;');
    await client.waitFor('a status after the keystroke', () => client.statuses.length > statuses);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(configErrors(client, configUri).length, 1);
    assert.deepEqual(client.statuses.slice(statuses).map((s) => s.state), client.statuses.slice(statuses).map(() => 'error'));

    writeFileSync(snapshot, rows);
    client.filesChanged(pathToFileURL(snapshot).href);
    await client.waitFor('the diagnostic cleared', () => configErrors(client, configUri).length === 0 && client.statuses.at(-1)?.state === 'idle');
    await client.waitFor('the data check\'s finding', () => client.fg(uri).some((d) => d.code === 'value.mismatch'));
  });
});
