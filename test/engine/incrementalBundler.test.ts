/**
 * The session's esbuild contexts (engine/exec/incrementalBundler.ts): a rebuild gives the code a
 * fresh build of the same input gives — never a file as an earlier build saw it — whatever was
 * built before on that side or the other, including builds asked for at the same time.
 */
import { strict as assert } from 'node:assert';
import { BundleCache } from '../../engine/cache/bundleCache';
import { bundleFeatures, type BundleInput } from '../../engine/exec/bundleFeature';
import { esbuildApi } from '../../engine/exec/esbuildRuntime';
import { IncrementalBundler } from '../../engine/exec/incrementalBundler';
import { typescriptFrontEnd } from '../../engine/lang/typescript/typescriptFrontEnd';
import { blobHash, emptyTree, OverlayTree, type SourceTree } from '../../engine/sources/sourceTree';

/** A tree of in-memory files. */
function tree(label: string, files: Record<string, string>): SourceTree {
  return new OverlayTree(label, emptyTree(label), new Map(Object.entries(files).map(([p, text]) => [p, { text, hash: blobHash(text) }])));
}

const files = (k: number, extra = ''): Record<string, string> => ({
  'src/lib.ts': `export const K = ${k};\nexport function scale(x: number): number { return x * K; }\n${extra}`,
  'src/f.ts': "import { scale } from './lib';\nexport function f(row: { x: number }): number { return scale(row.x) + 1; }\nexport function g(row: { x: number }): number { return scale(row.x) - 1; }\n",
});

const feature = (exportName: string) => [{ file: 'src/f.ts', exportName, key: '__f0' }];
const closure = ['src/f.ts', 'src/lib.ts'];

/** The code of one build, with no cache at all. */
async function fresh(t: SourceTree, exportName: string): Promise<string> {
  const r = await bundleFeatures(t, typescriptFrontEnd, feature(exportName), closure);
  assert.ok(r.ok, r.ok ? '' : r.message);
  return r.code;
}

/** Runs the bundle and calls its feature on x = 10. */
function call(code: string): number {
  const module = { exports: {} as Record<string, (row: { x: number }) => number> };
  new Function('module', 'exports', 'require', code)(module, module.exports, require);
  return module.exports.__f0({ x: 10 });
}

describe('incremental bundling (a session\'s esbuild contexts)', () => {
  let bundler: IncrementalBundler<BundleInput>;
  beforeEach(() => (bundler = new IncrementalBundler<BundleInput>()));
  afterEach(() => bundler.dispose());

  it('rebuilds give the code of a fresh build, a changed file included', async () => {
    // A new BundleCache each time: only the contexts are kept, not the finished bundles.
    const session = async (t: SourceTree, exportName: string) => {
      const r = await bundleFeatures(t, typescriptFrontEnd, feature(exportName), closure, new BundleCache(undefined, bundler));
      assert.ok(r.ok, r.ok ? '' : r.message);
      return r.code;
    };
    const steps: [SourceTree, string, number][] = [
      [tree('worktree', files(2)), 'f', 21],
      [tree('worktree', files(3)), 'f', 31],
      [tree('worktree', files(3)), 'g', 29],
      [tree('HEAD', files(2)), 'g', 19],
      [tree('worktree', files(5, 'export const unused = 1;\n')), 'f', 51],
      [tree('worktree', files(2)), 'f', 21],
    ];
    for (const [t, name, want] of steps) {
      const code = await session(t, name);
      assert.equal(code, await fresh(t, name), `${t.label} ${name}`);
      assert.equal(call(code), want, `${t.label} ${name}`);
    }
  });

  it('builds asked for at once on one side run one after another, each with its own input', async () => {
    const cache = () => new BundleCache(undefined, bundler);
    const inputs: [SourceTree, string][] = [[tree('worktree', files(7)), 'f'], [tree('worktree', files(8)), 'g'], [tree('worktree', files(9)), 'f'], [tree('HEAD', files(1)), 'g']];
    const codes = await Promise.all(inputs.map(([t, name]) => bundleFeatures(t, typescriptFrontEnd, feature(name), closure, cache())));
    assert.deepEqual(codes.map((r) => (r.ok ? call(r.code) : r.message)), [71, 79, 91, 9]);
  });

  it('a file that does not parse fails its build, and the next build of the side works', async () => {
    const broken = await bundleFeatures(tree('worktree', files(2, 'export const = ;\n')), typescriptFrontEnd, feature('f'), closure, new BundleCache(undefined, bundler));
    assert.equal(broken.ok, false);
    assert.match(broken.ok ? '' : broken.message, /src\/lib\.ts:3:\d+: Expected identifier/);
    const fixed = await bundleFeatures(tree('worktree', files(4)), typescriptFrontEnd, feature('f'), closure, new BundleCache(undefined, bundler));
    assert.ok(fixed.ok);
    assert.equal(call(fixed.code), 41);
  });

  it("builds again after esbuild's service stopped under its context", async () => {
    const first = await bundleFeatures(tree('worktree', files(2)), typescriptFrontEnd, feature('f'), closure, new BundleCache(undefined, bundler));
    await esbuildApi().stop();
    const lost = await bundleFeatures(tree('worktree', files(3)), typescriptFrontEnd, feature('f'), closure, new BundleCache(undefined, bundler));
    const again = await bundleFeatures(tree('worktree', files(6)), typescriptFrontEnd, feature('f'), closure, new BundleCache(undefined, bundler));
    assert.ok(first.ok && again.ok, again.ok ? '' : again.message);
    assert.equal(call(again.code), 61);
    // The build that met the stopped service may fail or not; it is never wrong.
    if (lost.ok) assert.equal(call(lost.code), 31);
  });

  it('builds again after dispose, with a new context', async () => {
    const first = await bundleFeatures(tree('worktree', files(2)), typescriptFrontEnd, feature('f'), closure, new BundleCache(undefined, bundler));
    bundler.dispose();
    const again = await bundleFeatures(tree('worktree', files(6)), typescriptFrontEnd, feature('f'), closure, new BundleCache(undefined, bundler));
    assert.ok(first.ok && again.ok);
    assert.equal(call(again.code), 61);
  });
});
