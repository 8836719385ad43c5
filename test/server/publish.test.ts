/**
 * The server sends a file's diagnostics only when they change: a keystroke that changes the
 * diagnostics of the edited file leaves the other files' diagnostics unsent (on a workspace of
 * thousands of files an edit reaches a few, and a client redraws every file it is sent).
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeRepo, removeTempDirs } from '../helpers';
import { LspTestClient } from './lspClient';

const lib = 'export const K = 1;\nexport const J = 2;\nexport function scale(x: number) { return x * K + J; }\n';
const files = {
  'src/lib.ts': lib,
  'src/fa.ts': "import { scale } from './lib';\nexport function fa(r: { x: number }) { return scale(r.x); }\n",
  'src/fb.ts': 'export function fb(r: { x: number }) { return r.x; }\n',
  'featureguard.json': JSON.stringify({ features: { fa: { source: 'src/fa.ts#fa' }, fb: { source: 'src/fb.ts#fb' } } }),
};

describe('language server: diagnostics sent only when they change', function () {
  this.timeout(60000);
  let client: LspTestClient | undefined;
  afterEach(async () => client?.close());
  after(removeTempDirs);

  it('a keystroke republishes the edited file, not the feature file whose diagnostics stay the same', async () => {
    const root = makeRepo(files);
    client = new LspTestClient({ rootUri: pathToFileURL(root).href, settings: { runDataChecks: 'manual' } });
    await client.initialize();
    await client.waitFor('the first status', () => client!.statuses.some((s) => s.state === 'idle'));
    const libUri = pathToFileURL(join(root, 'src/lib.ts')).href;
    const faUri = pathToFileURL(join(root, 'src/fa.ts')).href;
    client.open(libUri, lib);

    let text = client.edit(libUri, lib, 'K = 1', 'K = 3');
    await client.waitFor('the edit to K', () => client!.fg(libUri).some((d) => d.message.startsWith('Edit to K reaches 1 feature')));
    await client.waitFor('fa affected', () => client!.fg(faUri).some((d) => d.message.startsWith('fa: ')));
    const faSent = client.publishCount.get(faUri);
    const faDiagnostics = JSON.stringify(client.fg(faUri));

    // Each keystroke below edits one constant with the other as committed (as the benchmark's
    // keystrokes do): lib.ts's diagnostic changes (it names the constant), fa.ts's does not.
    for (const [edited, name] of [[lib.replace('J = 2', 'J = 4'), 'J'], [lib.replace('K = 1', 'K = 5'), 'K'], [lib.replace('J = 2', 'J = 6'), 'J']]) {
      const libSent = client.publishCount.get(libUri)!;
      text = client.edit(libUri, text, text, edited);
      await client.waitFor(`the edit to ${name}`, () => client!.publishCount.get(libUri)! > libSent && client!.fg(libUri).some((d) => d.message.startsWith(`Edit to ${name} reaches 1 feature`)));
    }
    assert.equal(JSON.stringify(client.fg(faUri)), faDiagnostics);
    assert.equal(client.publishCount.get(faUri), faSent, 'fa.ts, whose diagnostics did not change, was not sent again');
    assert.equal(client.publishCount.get(pathToFileURL(join(root, 'src/fb.ts')).href), undefined, 'fb.ts, unaffected, was never sent');

    // Undoing every edit clears both files.
    client.edit(libUri, text, text, lib);
    await client.waitFor('cleared diagnostics', () => client!.fg(libUri).length === 0 && client!.fg(faUri).length === 0);
  });
});
