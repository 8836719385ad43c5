/**
 * The slower paths a run took (engine/nativeFallbacks.ts) are said by the command line too, on
 * stderr, one `featureguard: note:` line each — the language server says them in its output
 * channel. The report on stdout is unchanged by them.
 */
import { strict as assert } from 'node:assert';
import { edit, repo } from '../e2e/featureRepo';
import { removeTempDirs, runCli } from '../helpers';

describe('fallback notes on the command line', function () {
  this.timeout(120_000);
  after(removeTempDirs);

  it('a check bundling with esbuild-wasm says so on stderr; with the native esbuild it says nothing', () => {
    const root = repo();
    edit(root, 'return row.spend;', 'return row.spend * 2;');
    const args = ['check', '--no-cache', '--format', 'json'];
    const wasm = runCli(root, args, { FEATUREGUARD_FORCE_WASM: '1' });
    const native = runCli(root, args);
    assert.equal(wasm.code, native.code, wasm.stderr);
    const notes = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('featureguard: note: '));
    assert.deepEqual(notes(wasm.stderr).length, 1, wasm.stderr);
    assert.match(notes(wasm.stderr)[0], /bundling feature code with esbuild-wasm, the slower fallback/);
    assert.deepEqual(notes(native.stderr), []);
    // The same findings either way: the note is no part of the report.
    const findings = (stdout: string) => (JSON.parse(stdout) as { features: { name: string; verdict: string }[] }).features.map((f) => [f.name, f.verdict]);
    assert.deepEqual(findings(wasm.stdout), findings(native.stdout));
  });
});
