/**
 * The esbuild version the bundle cache keys by (engine/exec/esbuildRuntime.ts): read from the chosen
 * package's manifest without loading esbuild's API, and the version that API reports.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { esbuildApi, esbuildVersion } from '../../engine/exec/esbuildRuntime';
import { REPO_ROOT } from '../helpers';

describe('esbuild runtime', () => {
  it("the version keying bundles is the chosen esbuild's own", () => {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules/esbuild/package.json'), 'utf8')) as { version: string };
    const before = esbuildVersion();
    assert.equal(before, manifest.version);
    assert.equal(esbuildApi().version, before);
    assert.equal(esbuildVersion(), before, 'the same once the API is loaded');
  });
});
