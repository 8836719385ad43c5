/**
 * The last base commit's tree listing kept in `.git/featureguard/tree.json`
 * (engine/cache/treeListingCache.ts), through `gitSides` on real git repositories.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cachedTreeListing } from '../../engine/cache/treeListingCache';
import { listTree, openRepo } from '../../engine/git/gitRepo';
import { gitSides } from '../../engine/sources/gitSides';
import { commitAll, git, makeRepo, tempDir } from '../helpers';

describe('tree listing cache', () => {
  it("keeps the base commit's listing, reads it back instead of asking git, and lists a new commit again", async () => {
    const root = makeRepo({ 'src/a.ts': 'export const a = 1;\n', 'src/b.ts': 'export const b = 2;\n', 'README.md': 'x\n' });
    const repo = await openRepo(root);
    const head = git(root, 'rev-parse', 'HEAD').trim();
    const file = join(root, '.git', 'featureguard', 'tree.json');
    let listed = 0;
    const list = () => (listed++, listTree(repo, head));

    const first = await cachedTreeListing(file, head, list);
    assert.equal(listed, 1);
    assert.deepEqual(first, await listTree(repo, head));
    assert.ok(existsSync(file));
    const again = await cachedTreeListing(file, head, list);
    assert.equal(listed, 1, 'read back, git not asked');
    assert.deepEqual(again, first);

    // What is read is the file: a listing written there for this commit is what comes back.
    const kept = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...kept, paths: ['only.ts'], blobs: ['0'.repeat(40)] }));
    assert.deepEqual([...(await cachedTreeListing(file, head, list))], [['only.ts', '0'.repeat(40)]]);

    // Another commit, a corrupt file, a file of another format: asked of git, and kept again.
    commitAll(root, { 'src/c.ts': 'export const c = 3;\n' }, 'second');
    const next = git(root, 'rev-parse', 'HEAD').trim();
    const nextListing = await cachedTreeListing(file, next, () => (listed++, listTree(repo, next)));
    assert.equal(listed, 2);
    assert.ok(nextListing.has('src/c.ts'));
    for (const bad of ['{', JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), format: 99 })]) {
      writeFileSync(file, bad);
      assert.deepEqual(await cachedTreeListing(file, next, () => (listed++, listTree(repo, next))), nextListing);
    }
    assert.equal(listed, 4);
    // No file (--no-cache): always git.
    await cachedTreeListing(undefined, next, () => (listed++, listTree(repo, next)));
    assert.equal(listed, 5);
  });

  it('gives gitSides the same sides with the listing kept as without', async () => {
    const root = makeRepo({ 'src/a.ts': 'export const a = 1;\n', 'src/b.ts': 'export const b = 2;\n' });
    writeFileSync(join(root, 'src/a.ts'), 'export const a = 10;\n');
    writeFileSync(join(root, 'src/new.ts'), 'export const n = 0;\n');
    const repo = await openRepo(root);
    const accept = (p: string) => p.endsWith('.ts');
    const file = join(tempDir(), 'tree.json');
    const plain = await gitSides(repo, 'HEAD', 'worktree', accept);
    for (let i = 0; i < 2; i++) {
      const kept = await gitSides(repo, 'HEAD', 'worktree', accept, [], file);
      assert.deepEqual(kept.changedPaths, plain.changedPaths);
      assert.deepEqual([...kept.base.paths()], [...plain.base.paths()]);
      assert.deepEqual([...kept.target.paths()].map((p) => [p, kept.target.hash(p)]), [...plain.target.paths()].map((p) => [p, plain.target.hash(p)]));
      assert.ok(existsSync(file));
    }
  });
});
