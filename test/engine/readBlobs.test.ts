/**
 * Blobs are read through one `git cat-file --batch`, whose output goes to an unlinked temporary
 * file (so git never waits on a full pipe while the reader's main thread is busy) or, when no
 * temporary file can be made, to a pipe. Both must give every blob byte for byte, and the
 * temporary file must not outlive the read.
 */
import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openRepo, readBlobs } from '../../engine/git/gitRepo';
import { git, makeRepo, removeTempDirs, tempDir } from '../helpers';

describe('reading blobs from git', function () {
  this.timeout(60_000);
  after(removeTempDirs);
  const savedTmp = process.env.TMPDIR;
  afterEach(() => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
  });

  /** A repository whose blobs are several times a pipe's 64 KB, binary, empty and ordinary. */
  function repoWithBlobs(): { root: string; oids: Map<string, string>; expected: Map<string, Buffer> } {
    const big = Buffer.alloc(300_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 251;
    const files: Record<string, string | Buffer> = {
      'big.bin': big,
      'empty.txt': '',
      'src/a.ts': 'export const a = 1;\n',
      'src/unicode.ts': 'export const s = "héllo — ✓";\n',
    };
    for (let i = 0; i < 40; i++) files[`src/m${i}.ts`] = `export const v${i} = ${i};\n`.repeat(200 + i);
    const root = makeRepo(files);
    const oids = new Map<string, string>();
    const expected = new Map<string, Buffer>();
    for (const line of git(root, 'ls-tree', '-r', 'HEAD').trim().split('\n')) {
      const [meta, path] = line.split('\t');
      const oid = meta.split(' ')[2];
      oids.set(path, oid);
      const content = files[path];
      expected.set(oid, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
    }
    return { root, oids, expected };
  }

  async function readAll(root: string, oids: Iterable<string>): Promise<Map<string, Buffer>> {
    return readBlobs(await openRepo(root), oids);
  }

  it('reads every blob exactly through a temporary file, and leaves no file behind', async () => {
    const { root, oids, expected } = repoWithBlobs();
    const tmp = tempDir('fg-blobs-tmp-');
    process.env.TMPDIR = tmp;
    const missing = '0123456789abcdef0123456789abcdef01234567';
    const got = await readAll(root, [...oids.values(), missing]);
    assert.equal(got.size, expected.size);
    for (const [oid, bytes] of expected) assert.ok(got.get(oid)?.equals(bytes), `blob ${oid} differs`);
    assert.equal(got.has(missing), false);
    assert.deepEqual(readdirSync(tmp), [], 'the temporary file is removed');
  });

  it('falls back to a pipe when no temporary file can be made, with the same blobs', async () => {
    const { root, oids, expected } = repoWithBlobs();
    process.env.TMPDIR = join(tempDir('fg-blobs-none-'), 'does', 'not', 'exist');
    const got = await readAll(root, oids.values());
    assert.equal(got.size, expected.size);
    for (const [oid, bytes] of expected) assert.ok(got.get(oid)?.equals(bytes), `blob ${oid} differs`);
  });

  it('rejects, and removes the temporary file, when cat-file cannot start', async () => {
    const { root, oids } = repoWithBlobs();
    const repo = await openRepo(root);
    const tmp = tempDir('fg-blobs-tmp-');
    process.env.TMPDIR = tmp;
    await assert.rejects(readBlobs({ ...repo, root: join(root, 'no-such-folder') }, oids.values()));
    assert.deepEqual(readdirSync(tmp), [], 'the temporary file is removed');
  });
});
